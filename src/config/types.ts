/**
 * The validated config: what `loadConfig` returns once syntax, schema and semantic checks pass.
 * Close to the YAML, but normalized (member_of always objects, privileges upper-case, profiles
 * merged with the built-ins, passwords read from env/file) and with source positions kept for
 * errors found later, at plan time (an object that does not exist, say).
 */
import type { Problem, SourcePosition } from '../errors.js';
import type { ParsedObjectName } from '../model/objects.js';
import type { DefaultPrivilegeObjectType, ObjectKind, Privilege } from '../model/privileges.js';
import type {
  DesiredPassword,
  Policy,
  RoleAttributes,
  RowSecurity,
  UnmanagedRolesPolicy,
} from '../model/state.js';

export interface ConfigSettings {
  readonly unmanagedRoles: UnmanagedRolesPolicy;
  /** Globs (`*`, `?`) of role names pgward never touches. */
  readonly ignoreRoles: readonly string[];
  readonly reassignOwnedTo: string | null;
  /** Where `reassign_owned_to` is written, for problems found at plan time. */
  readonly reassignOwnedToPosition?: SourcePosition;
  /** Roles whose future objects `permissions` cover; null = each schema's owner. */
  readonly objectCreators: readonly string[] | null;
  /** Where each of `objectCreators` is first written (same order), for plan-time problems. */
  readonly objectCreatorPositions?: readonly SourcePosition[];
  /** `settings.databases` (spec §8); undefined = the connected database only. */
  readonly databases?: ConfigDatabases;
}

/** One managed database of `settings.databases`. */
export interface ConfigDatabase {
  readonly name: string;
  /** DB-specific roles' suffix there (the mapping form), as `--suffix` for that database. */
  readonly suffix?: string;
  readonly position?: SourcePosition;
}

/** `"*"` = every database that allows connections, templates excluded (known at plan time). */
export type ConfigDatabases = '*' | readonly ConfigDatabase[];

/**
 * `databases:` of a grant, permission, default privilege, `owns` entry or table entry: the
 * managed databases it is for.
 */
export interface DatabaseScoped {
  /** Undefined = every managed database. */
  readonly databases?: readonly string[];
  readonly databasesPosition?: SourcePosition;
}

/** Object types a profile can name. */
export type ProfileObjectType = 'schema' | 'table' | 'sequence' | 'function' | 'type';

export type Profile = Readonly<Partial<Record<ProfileObjectType, readonly Privilege[]>>>;

export const BUILTIN_PROFILES: Readonly<Record<string, Profile>> = {
  read: { schema: ['USAGE'], table: ['SELECT'], sequence: ['USAGE', 'SELECT'] },
  write: {
    schema: ['USAGE'],
    table: ['INSERT', 'UPDATE', 'DELETE'],
    sequence: ['USAGE', 'SELECT', 'UPDATE'],
  },
};

export interface ConfigMembership {
  readonly role: string;
  readonly admin: boolean;
  /** Undefined = not written: PostgreSQL's default (the member's INHERIT attribute on 16+). */
  readonly inherit?: boolean;
  readonly set?: boolean;
  readonly position?: SourcePosition;
}

export interface ConfigPermission extends DatabaseScoped {
  /** Profile name (`read`, `write` or one from `profiles`). */
  readonly type: string;
  readonly schemas: readonly string[];
  readonly position?: SourcePosition;
}

export interface ConfigObjectName extends ParsedObjectName {
  /** As written in the config, for messages. */
  readonly text: string;
  readonly position?: SourcePosition;
}

export interface ConfigGrant extends DatabaseScoped {
  /** 'ALL' = every privilege the object kind has on this server. */
  readonly privileges: readonly Privilege[] | 'ALL';
  readonly objectType: ObjectKind;
  /** Exactly one of objects / allInSchemas is set. */
  readonly objects?: readonly ConfigObjectName[];
  readonly allInSchemas?: readonly string[];
  /** Column privileges (object_type table, explicit objects only). */
  readonly columns?: readonly string[];
  readonly withGrantOption: boolean;
  readonly position?: SourcePosition;
}

export interface ConfigDefaultPrivilege extends DatabaseScoped {
  readonly forRole: string;
  /** null = in every schema (the global default). */
  readonly schema: string | null;
  readonly objectType: DefaultPrivilegeObjectType;
  readonly privileges: readonly Privilege[] | 'ALL';
  readonly withGrantOption: boolean;
  readonly position?: SourcePosition;
}

/** Kinds `owns` can name (spec §9); `view` in the config is `table`. */
export type OwnedObjectType =
  'database' | 'schema' | 'table' | 'sequence' | 'function' | 'procedure' | 'type';

/** One entry of a role's `owns`: exactly one of objects / allInSchemas is set. */
export interface ConfigOwn extends DatabaseScoped {
  readonly objectType: OwnedObjectType;
  readonly objects?: readonly ConfigObjectName[];
  readonly allInSchemas?: readonly string[];
  readonly position?: SourcePosition;
}

export interface ConfigRole {
  readonly name: string;
  readonly position?: SourcePosition;
  /** Attributes written in the config; the rest take CREATE ROLE's defaults. */
  readonly attributes: Partial<RoleAttributes>;
  readonly password?: DesiredPassword;
  readonly description: string | null;
  readonly config: Readonly<Record<string, string>>;
  /** `database_config`: ALTER ROLE ... IN DATABASE db SET, by database. */
  readonly databaseConfig?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly renamedFrom?: string;
  readonly memberOf: readonly ConfigMembership[];
  readonly permissions: readonly ConfigPermission[];
  readonly grants: readonly ConfigGrant[];
  readonly defaultPrivileges: readonly ConfigDefaultPrivilege[];
  /** `owns` (spec §9); absent = owns nothing declared. */
  readonly owns?: readonly ConfigOwn[];
}

/** Object kinds whose PUBLIC privileges `public.manage` can take over (spec §9). */
export const PUBLIC_MANAGED_KINDS = [
  'database',
  'schema',
  'table',
  'sequence',
  'function',
  'language',
  'type',
] as const;
export type PublicManagedKind = (typeof PUBLIC_MANAGED_KINDS)[number];

/** `public:` — PUBLIC's privileges on the managed kinds are exactly `grants`. */
export interface ConfigPublic {
  readonly manage: readonly PublicManagedKind[];
  readonly grants: readonly ConfigGrant[];
  readonly position?: SourcePosition;
}

/**
 * One policy of a listed table (spec §9): roles as written (empty = PUBLIC, also written
 * `PUBLIC`), expressions checked to be one expression each (sql/expression.ts).
 */
export interface ConfigPolicy extends Omit<Policy, 'table'> {
  readonly position?: SourcePosition;
}

/** One entry of `tables`: a table whose row security and policies pgward manages. */
export interface ConfigTable extends DatabaseScoped {
  readonly table: ConfigObjectName;
  readonly rowSecurity: RowSecurity;
  readonly policies: readonly ConfigPolicy[];
  readonly position?: SourcePosition;
}

/** A role written `absent: true`: pgward drops it if it exists (see retired.ts). */
export interface RetiredRole {
  readonly name: string;
  readonly position?: SourcePosition;
}

export interface Config {
  /** Path of the file it was loaded from, as given. */
  readonly file: string;
  readonly version: 1;
  readonly settings: ConfigSettings;
  /** Built-in profiles merged with the config's own (the config's win). */
  readonly profiles: Readonly<Record<string, Profile>>;
  /** In file order. */
  readonly roles: readonly ConfigRole[];
  /** `public:` (spec §9); absent = PUBLIC's privileges are left as they are. */
  readonly public?: ConfigPublic;
  /** `tables:` (spec §9), in file order; absent = none listed. */
  readonly tables?: readonly ConfigTable[];
  /** Roles written `absent: true`, in file order; not in `roles`. Absent = none. */
  readonly retiredRoles?: readonly RetiredRole[];
  /**
   * Passwords a read-only load could not read (`LoadOptions.secrets: 'optional'`): their roles'
   * `password.secret` is null. `requirePasswords` turns them back into errors.
   */
  readonly unreadPasswords?: readonly UnreadPassword[];
}

/** An `env` or `file` password left unread: a note for read-only commands, an error for apply. */
export interface UnreadPassword {
  readonly role: string;
  /** `password of role "alice" not checked: ALICE_PASSWORD is not set` */
  readonly note: string;
  /** The error it is when the secret is needed, at the password's place in the file. */
  readonly problem: Problem;
}
