/**
 * What `explain` and `graph` know about a cluster: the facts of one catalog read
 * (introspect/sql/explain.sql), as plain readonly data. Everything in this folder is pure:
 * these values in, answers out, so each rule can be tested without a server.
 */
import { formatObjectName } from './objects.js';
import type { Privilege } from './privileges.js';

/** The object kinds explain answers for, as `has_*_privilege` checks them. */
export const EXPLAIN_KINDS = [
  'database',
  'schema',
  'table',
  'column',
  'sequence',
  'function',
] as const;
export type ExplainKind = (typeof EXPLAIN_KINDS)[number];

/** Privileges of each kind, before version filtering (`MAINTAIN` is PostgreSQL 17+). */
export const EXPLAIN_PRIVILEGES: Readonly<Record<ExplainKind, readonly Privilege[]>> = {
  database: ['CREATE', 'CONNECT', 'TEMPORARY'],
  schema: ['USAGE', 'CREATE'],
  table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'],
  column: ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'],
  sequence: ['USAGE', 'SELECT', 'UPDATE'],
  function: ['EXECUTE'],
};

/** Privileges of a kind on a server (`server_version_num`). */
export function explainPrivileges(kind: ExplainKind, versionNum: number): readonly Privilege[] {
  const all = EXPLAIN_PRIVILEGES[kind];
  return versionNum < 170000 ? all.filter((privilege) => privilege !== 'MAINTAIN') : all;
}

export interface ExplainRole {
  readonly name: string;
  readonly superuser: boolean;
  /** `rolinherit`: before PostgreSQL 16 it decides whether the role inherits at all. */
  readonly inherit: boolean;
  readonly login: boolean;
  readonly bypassrls: boolean;
}

/** One row of pg_auth_members (PostgreSQL 16+ may hold several per pair, one per grantor). */
export interface ExplainMembership {
  readonly role: string;
  readonly member: string;
  readonly grantor: string | null;
  readonly admin: boolean;
  /** PostgreSQL 16+; null before. */
  readonly inherit: boolean | null;
  readonly set: boolean | null;
}

/** One entry of an exploded ACL; `grantee` null is PUBLIC. */
export interface AclEntry {
  readonly grantee: string | null;
  readonly grantor: string;
  readonly privilege: Privilege;
  readonly grantable: boolean;
}

export type ObjectKindRead = 'database' | 'schema' | 'table' | 'sequence' | 'function';

export interface ExplainObject {
  readonly kind: ObjectKindRead;
  /** null for databases and schemas. */
  readonly schema: string | null;
  readonly name: string;
  /** Routines: argument types as `oidvectortypes` spells them. */
  readonly args: string | null;
  readonly owner: string;
  /** pg_class.relkind of relations, pg_proc.prokind of routines. */
  readonly relkind: string | null;
  readonly rowSecurity: boolean;
  readonly forceRowSecurity: boolean;
  /** Tables: column names in order. */
  readonly columns: readonly string[] | null;
  readonly acl: readonly AclEntry[];
}

export interface ColumnAclEntry extends AclEntry {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
}

/** `pg_default_acl.defaclobjtype` letters explain reports. */
export const DEFAULT_ACL_KIND: Readonly<Record<string, ObjectKindRead | undefined>> = {
  r: 'table',
  S: 'sequence',
  f: 'function',
  n: 'schema',
};

export interface DefaultAclEntry {
  readonly forRole: string;
  /** null: every schema (or schemas themselves). */
  readonly schema: string | null;
  /** pg_default_acl.defaclobjtype: r, S, f, T, n. */
  readonly objectType: string;
  readonly grantee: string | null;
  readonly privilege: Privilege;
  readonly grantable: boolean;
}

export interface ExplainPolicy {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  /** polcmd: r (SELECT), a (INSERT), w (UPDATE), d (DELETE), * (ALL). */
  readonly command: string;
  readonly permissive: boolean;
  /** null = PUBLIC. */
  readonly roles: readonly (string | null)[];
}

export interface ExplainCatalog {
  readonly versionNum: number;
  readonly currentDatabase: string;
  readonly roles: readonly ExplainRole[];
  readonly memberships: readonly ExplainMembership[];
  readonly objects: readonly ExplainObject[];
  readonly columnAcl: readonly ColumnAclEntry[];
  readonly defaultAcl: readonly DefaultAclEntry[];
  readonly policies: readonly ExplainPolicy[];
}

/**
 * An object's name in config form (model/objects.ts): `shop`, `public.orders`,
 * `public.calc(integer)`, a part with a dot or a quote in double quotes.
 */
export function objectName(object: Pick<ExplainObject, 'schema' | 'name' | 'args'>): string {
  return formatObjectName({
    kind: object.args === null ? 'table' : 'function',
    schema: object.schema,
    name: object.name,
    ...(object.args === null ? {} : { args: object.args }),
  });
}
