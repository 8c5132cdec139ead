/**
 * The two states pgward compares: what the catalog holds (CurrentState, from introspection)
 * and what the config wants (DesiredState, resolved from the config against the catalog).
 * Both are plain, readonly data; privileges are flat facts so that diffing is set difference.
 */
import type { ObjectRef } from './objects.js';
import type { DefaultPrivilegeObjectType, ObjectKind, Privilege } from './privileges.js';

/** A role's attributes; `role-attributes.ts` has their keywords, columns, defaults and order. */
export interface RoleAttributes {
  readonly login: boolean;
  readonly superuser: boolean;
  readonly createdb: boolean;
  readonly createrole: boolean;
  readonly inherit: boolean;
  readonly replication: boolean;
  readonly bypassrls: boolean;
  /** -1 = unlimited. */
  readonly connectionLimit: number;
  /**
   * Expiry as an ISO-8601 UTC timestamp (`2026-12-31T00:00:00.000Z`), or null for none.
   * PostgreSQL cannot set NULL back once set; `infinity` means the same and introspects as null.
   */
  readonly validUntil: string | null;
}

export { DEFAULT_ROLE_ATTRIBUTES } from './role-attributes.js';

/** Server-level facts that version-dependent code and protections need. */
export interface ServerInfo {
  /** `server_version_num`, e.g. 160004. */
  readonly versionNum: number;
  /** The role pgward acts as (`current_user`). */
  readonly currentUser: string;
  /**
   * The role that logged in (`session_user`): the same as `currentUser` unless the session
   * switched role (`ALTER ROLE ... SET role`, `PGOPTIONS=-c role=...`).
   */
  readonly sessionUser: string;
  readonly currentDatabase: string;
  /** The role with OID 10, created by initdb. */
  readonly bootstrapSuperuser: string;
  readonly currentUserIsSuperuser: boolean;
  /** Whether `pg_authid.rolpassword` is readable (superuser): needed for password drift. */
  readonly canReadPasswords: boolean;
}

export interface CurrentRole {
  readonly name: string;
  readonly oid: number;
  readonly attributes: RoleAttributes;
  /** Stored verifier (`SCRAM-SHA-256$...` or `md5...`), null if none, undefined if unreadable. */
  readonly password?: string | null;
  /** COMMENT ON ROLE, null if none. */
  readonly description: string | null;
  /** `ALTER ROLE ... SET` settings for all databases (`pg_db_role_setting.setdatabase = 0`). */
  readonly config: Readonly<Record<string, string>>;
  /**
   * `ALTER ROLE ... IN DATABASE <connected> SET` settings (`pg_db_role_setting.setdatabase` =
   * the connected database); absent in states built without them, read as none.
   */
  readonly databaseConfig?: Readonly<Record<string, string>>;
}

export interface MembershipOptions {
  readonly admin: boolean;
  /** PG16+: whether the member inherits the role's privileges. Null before 16. */
  readonly inherit: boolean | null;
  /** PG16+: whether the member may SET ROLE to the role. Null before 16. */
  readonly set: boolean | null;
}

/** One `pg_auth_members` row: `member` is a member of `role`. PG16+ may hold several grantors. */
export interface CurrentMembership extends MembershipOptions {
  readonly role: string;
  readonly member: string;
  readonly grantor: string;
}

/** A membership the config wants; inherit/set undefined = PostgreSQL's default for the grant. */
export interface DesiredMembership {
  readonly role: string;
  readonly member: string;
  readonly admin: boolean;
  readonly inherit?: boolean;
  readonly set?: boolean;
}

/** One privilege on one object (or one column of a table) for one grantee. */
export interface PrivilegeFact {
  readonly object: ObjectRef;
  /** Column privilege on a table when set. */
  readonly column?: string;
  readonly grantee: string;
  readonly privilege: Privilege;
  readonly grantable: boolean;
  /**
   * Current state only, and only when a role other than the object's owner granted it (passed
   * on with its grant option): every grantor whose ACL entry gives this privilege, the owner
   * included if it granted it too, sorted. Absent when the owner is the only grantor (a
   * superuser's or an owner member's GRANT is recorded in the owner's name). PostgreSQL lets
   * only the grantor revoke its own entry, so such a privilege is revoked as each grantor.
   */
  readonly grantors?: readonly string[];
}

/**
 * One entry for PUBLIC in an object's (or a column's) ACL, as the catalog holds it. pgward
 * grants nothing to PUBLIC; a saved plan's fingerprint reads these, so that a grant to PUBLIC
 * on an object the plan covers makes the plan stale.
 */
export interface PublicPrivilegeFact {
  readonly object: ObjectRef;
  readonly column?: string;
  readonly privilege: Privilege;
  readonly grantable: boolean;
  readonly grantor: string;
}

/**
 * One entry of `ALTER DEFAULT PRIVILEGES FOR ROLE forRole [IN SCHEMA schema] GRANT ...`.
 * `schema` null = the global default for every schema.
 */
export interface DefaultPrivilegeFact {
  readonly forRole: string;
  readonly schema: string | null;
  readonly objectType: DefaultPrivilegeObjectType;
  readonly grantee: string;
  readonly privilege: Privilege;
  readonly grantable: boolean;
}

/** An object the catalog holds, outside system schemas. */
export interface CatalogObject extends ObjectRef {
  readonly owner: string;
  /** For tables: the relkind letter (r, v, m, f, p) — ALL TABLES covers all of them. */
  readonly relkind?: string;
  /** For tables: column names in attnum order (dropped and system columns excluded). */
  readonly columns?: readonly string[];
}

/** What a role owns or holds, per database, from `pg_shdepend` (for safe drops). */
export interface RoleDependency {
  readonly role: string;
  /** Database name, or null for shared objects (databases, tablespaces). */
  readonly database: string | null;
  /** 'owner' (owns objects), 'acl' (holds privileges), 'policy' (named in a RLS policy), ... */
  readonly type: 'owner' | 'acl' | 'policy' | 'initacl';
  /** Number of objects. */
  readonly count: number;
}

/**
 * A sequence linked to a table column (serial or identity, `pg_depend` deptype a/i): its owner
 * follows the table's (`ALTER TABLE ... OWNER TO` moves it) and cannot be changed on its own.
 */
export interface LinkedSequence {
  readonly sequence: ObjectRef;
  readonly table: ObjectRef;
}

/** An object the config wants owned by `owner` (`owns:`, spec §9). */
export interface DesiredOwner {
  readonly object: ObjectRef;
  readonly owner: string;
}

/** One privilege PUBLIC should hold on one object (or column), per the config's `public`. */
export interface DesiredPublicFact {
  readonly object: ObjectRef;
  readonly column?: string;
  readonly privilege: Privilege;
}

/** Spec §9 `public`: PUBLIC's privileges on objects of `kinds` (catalog kinds) are exactly `privileges`. */
export interface DesiredPublic {
  readonly kinds: ReadonlySet<ObjectKind>;
  readonly privileges: readonly DesiredPublicFact[];
}

/** Spec §9 row-level security. `disabled`: off; `enabled`: ENABLE; `forced`: ENABLE + FORCE. */
export type RowSecurity = 'disabled' | 'enabled' | 'forced';

export const POLICY_COMMANDS = ['all', 'select', 'insert', 'update', 'delete'] as const;
export type PolicyCommand = (typeof POLICY_COMMANDS)[number];

/** One row-level security policy, as the catalog holds it or as the config wants it. */
export interface Policy {
  readonly table: ObjectRef;
  readonly name: string;
  readonly command: PolicyCommand;
  readonly permissive: boolean;
  /** Sorted role names; empty = PUBLIC. */
  readonly roles: readonly string[];
  /** `pg_get_expr` of the stored expression (current) or the config's text (desired). */
  readonly using: string | null;
  readonly withCheck: string | null;
}

/** Per-database: row-level security flags of tables and their policies. */
export interface CurrentRowSecurity {
  /** Tables (relkind r, p) with ENABLE or FORCE ROW LEVEL SECURITY set (the flags are separate). */
  readonly tables: readonly {
    readonly table: ObjectRef;
    readonly enabled: boolean;
    readonly forced: boolean;
  }[];
  readonly policies: readonly Policy[];
  /**
   * Config expressions the server found equivalent to a stored policy's (see
   * introspect/row-security.ts), keyed by `expressionKey`.
   */
  readonly equivalent: ReadonlySet<string>;
}

export interface CurrentState {
  readonly server: ServerInfo;
  /** Every role, system ones included. */
  readonly roles: readonly CurrentRole[];
  readonly memberships: readonly CurrentMembership[];
  /**
   * Objects of the connected database outside system schemas (tables and views of every
   * relkind, sequences, routines, types, schemas, ...) and every database of the cluster.
   */
  readonly objects: readonly CatalogObject[];
  /**
   * Explicit privileges (from ACLs, via `aclexplode`) on the objects above, column privileges
   * included, for every grantee except PUBLIC. An owner's implicit privileges appear too
   * (acldefault): the diff ignores facts whose grantee owns the object.
   */
  readonly privileges: readonly PrivilegeFact[];
  /** PUBLIC's ACL entries on the objects above (absent where the state was built by hand). */
  readonly publicPrivileges?: readonly PublicPrivilegeFact[];
  readonly defaultPrivileges: readonly DefaultPrivilegeFact[];
  readonly dependencies: readonly RoleDependency[];
  /**
   * Per-database: sequences whose owner follows their table's (absent where the state was
   * built by hand: none).
   */
  readonly linkedSequences?: readonly LinkedSequence[];
  /** Per-database: row-level security (absent where the state was built by hand: none). */
  readonly rowSecurity?: CurrentRowSecurity;
  /**
   * Tables, sequences and routines of pg_catalog and information_schema (spec §10), which
   * `grants` may name one by one; their privileges beyond PostgreSQL's initial ones (from
   * pg_init_privs) are in `privileges`. Absent: none read.
   */
  readonly systemObjects?: readonly CatalogObject[];
}

export type PasswordSource =
  | { readonly from: 'env'; readonly name: string }
  | { readonly from: 'file'; readonly path: string }
  | { readonly from: 'hashed' };

/**
 * A password the config wants. `secret` is the plaintext (env/file) or the verifier (hashed);
 * it lives in memory only: plans, reports and plan files carry `source`, never `secret`.
 */
export interface DesiredPassword {
  readonly source: PasswordSource;
  /**
   * null: an env or file secret that a read-only command (plan, drift, ...) could not read.
   * It is never compared (the plan cannot tell whether the password drifted) nor sent.
   */
  readonly secret: string | null;
}

export interface DesiredRole {
  readonly name: string;
  readonly attributes: RoleAttributes;
  readonly password?: DesiredPassword;
  readonly description: string | null;
  readonly config: Readonly<Record<string, string>>;
  /** `database_config` of the role for the connected database; absent = none. */
  readonly databaseConfig?: Readonly<Record<string, string>>;
  /** Rename this existing role instead of creating the role. */
  readonly renamedFrom?: string;
}

export type UnmanagedRolesPolicy = 'ignore' | 'report' | 'drop';

export interface DesiredState {
  readonly roles: readonly DesiredRole[];
  readonly memberships: readonly DesiredMembership[];
  /** Fully expanded: every object of `all_in_schemas` and of default privileges, one fact each. */
  readonly privileges: readonly PrivilegeFact[];
  readonly defaultPrivileges: readonly DefaultPrivilegeFact[];
  /** Roles pgward manages: grants to them that the config lacks are revoked. */
  readonly managedRoles: ReadonlySet<string>;
  /**
   * Roles pgward must never drop, alter or revoke from (pg_*, bootstrap superuser, connecting
   * role, ignore_roles, managed-cloud admin roles, ...). Computed at resolve time.
   */
  readonly protectedRoles: ReadonlySet<string>;
  readonly unmanagedRoles: UnmanagedRolesPolicy;
  /**
   * Cluster scope: the other databases this run manages, where a dropped role is cleaned by
   * that database's own REASSIGN/DROP OWNED (so what it owns there does not refuse the drop).
   */
  readonly otherManagedDatabases?: ReadonlySet<string>;
  readonly reassignOwnedTo: string | null;
  /**
   * Roles whose memberships pgward only adds, never revokes (generic roles under --suffix).
   */
  readonly addOnlyMembershipsOf?: ReadonlySet<string>;
  /** Roles written `absent: true` (database names): dropped when they exist. */
  readonly retiredRoles?: ReadonlySet<string>;
  /**
   * Per-database: objects whose owner the config declares (`owns:`); objects no `owns` names
   * keep their owner. Absent = none.
   */
  readonly owners?: readonly DesiredOwner[];
  /** Per-database: PUBLIC's privileges, when the config manages them. */
  readonly public?: DesiredPublic;
  /** Per-database: `tables` (spec §9) and the policies that name managed roles. */
  readonly rowSecurity?: DesiredRowSecurity;
}

/** What the config wants of row-level security. */
export interface DesiredRowSecurity {
  /** Listed tables: their flags, and every policy on them is managed. */
  readonly tables: readonly { readonly table: ObjectRef; readonly rowSecurity: RowSecurity }[];
  readonly policies: readonly Policy[];
}
