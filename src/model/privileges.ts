/**
 * The closed vocabulary of PostgreSQL privileges: which object kinds exist, which privileges
 * each accepts, and the keywords used to render them. SQL is assembled only from these
 * constants and quoted identifiers.
 *
 * https://www.postgresql.org/docs/current/ddl-priv.html
 */
import { hasMaintainPrivilege, hasParameterPrivileges } from './versions.js';

export const OBJECT_KINDS = [
  'database',
  'schema',
  'table',
  'sequence',
  'function',
  'procedure',
  'routine',
  'type',
  'domain',
  'language',
  'foreign_data_wrapper',
  'foreign_server',
  'tablespace',
  'parameter',
  'large_object',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export const PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'TRUNCATE',
  'REFERENCES',
  'TRIGGER',
  'MAINTAIN',
  'USAGE',
  'CREATE',
  'CONNECT',
  'TEMPORARY',
  'EXECUTE',
  'SET',
  'ALTER SYSTEM',
] as const;
export type Privilege = (typeof PRIVILEGES)[number];

const PRIVILEGE_PLACE = new Map<string, number>(PRIVILEGES.map((privilege, i) => [privilege, i]));

/** A privilege's place in PRIVILEGES (the documentation's order), -1 for none of them. */
export function privilegePlace(privilege: string): number {
  return PRIVILEGE_PLACE.get(privilege) ?? -1;
}

/**
 * Privileges each object kind accepts. `MAINTAIN` (tables) exists from PostgreSQL 17 and
 * `parameter` privileges from 15: see {@link privilegesFor}, which takes the server version.
 */
export const PRIVILEGES_BY_KIND: Readonly<Record<ObjectKind, readonly Privilege[]>> = {
  database: ['CREATE', 'CONNECT', 'TEMPORARY'],
  schema: ['USAGE', 'CREATE'],
  table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'],
  sequence: ['USAGE', 'SELECT', 'UPDATE'],
  function: ['EXECUTE'],
  procedure: ['EXECUTE'],
  routine: ['EXECUTE'],
  type: ['USAGE'],
  domain: ['USAGE'],
  language: ['USAGE'],
  foreign_data_wrapper: ['USAGE'],
  foreign_server: ['USAGE'],
  tablespace: ['CREATE'],
  parameter: ['SET', 'ALTER SYSTEM'],
  large_object: ['SELECT', 'UPDATE'],
};

/** Column privileges (`GRANT SELECT (a, b) ON t`). */
export const COLUMN_PRIVILEGES: readonly Privilege[] = ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'];

/** Privileges of a kind on a given server (`server_version_num`, e.g. 160004). */
export function privilegesFor(kind: ObjectKind, serverVersionNum: number): readonly Privilege[] {
  const all = PRIVILEGES_BY_KIND[kind];
  if (kind === 'table' && !hasMaintainPrivilege(serverVersionNum))
    return all.filter((p) => p !== 'MAINTAIN');
  if (kind === 'parameter' && !hasParameterPrivileges(serverVersionNum)) return [];
  return all;
}

/** The keyword after `ON` in GRANT/REVOKE for one object of a kind. */
export const GRANT_ON_KEYWORD: Readonly<Record<ObjectKind, string>> = {
  database: 'DATABASE',
  schema: 'SCHEMA',
  table: 'TABLE',
  sequence: 'SEQUENCE',
  function: 'FUNCTION',
  procedure: 'PROCEDURE',
  routine: 'ROUTINE',
  type: 'TYPE',
  domain: 'DOMAIN',
  language: 'LANGUAGE',
  foreign_data_wrapper: 'FOREIGN DATA WRAPPER',
  foreign_server: 'FOREIGN SERVER',
  tablespace: 'TABLESPACE',
  parameter: 'PARAMETER',
  large_object: 'LARGE OBJECT',
};

/** Kinds that `GRANT ... ON ALL <kind>S IN SCHEMA` covers, with their keyword. */
export const ALL_IN_SCHEMA_KEYWORD = {
  table: 'ALL TABLES',
  sequence: 'ALL SEQUENCES',
  function: 'ALL FUNCTIONS',
  procedure: 'ALL PROCEDURES',
  routine: 'ALL ROUTINES',
} as const;
export type AllInSchemaKind = keyof typeof ALL_IN_SCHEMA_KEYWORD;

/**
 * The catalog kinds `ON ALL ... IN SCHEMA` covers, and so the kinds whose objects a config's
 * `all_in_schemas` can stand for (`routine` is functions and procedures, not a catalog kind;
 * there is no `ALL TYPES`).
 */
export const ALL_IN_SCHEMA_CATALOG_KINDS: ReadonlySet<ObjectKind> = new Set<AllInSchemaKind>([
  'table',
  'sequence',
  'function',
  'procedure',
]);

/**
 * Object types of `ALTER DEFAULT PRIVILEGES ... ON <type>`. `function` covers procedures too
 * (PostgreSQL has one default ACL for routines); `schema` defaults exist only without
 * `IN SCHEMA`.
 */
export const DEFAULT_PRIVILEGE_OBJECT_TYPES = [
  'table',
  'sequence',
  'function',
  'type',
  'schema',
] as const;
export type DefaultPrivilegeObjectType = (typeof DEFAULT_PRIVILEGE_OBJECT_TYPES)[number];

export const DEFAULT_PRIVILEGE_KEYWORD: Readonly<Record<DefaultPrivilegeObjectType, string>> = {
  table: 'TABLES',
  sequence: 'SEQUENCES',
  function: 'FUNCTIONS',
  type: 'TYPES',
  schema: 'SCHEMAS',
};

/** `pg_default_acl.defaclobjtype` letters. */
export const DEFAULT_ACL_OBJTYPE: Readonly<Record<string, DefaultPrivilegeObjectType>> = {
  r: 'table',
  S: 'sequence',
  f: 'function',
  T: 'type',
  n: 'schema',
};

/** Schemas PostgreSQL owns; pgward never manages privileges in them. */
export const SYSTEM_SCHEMAS: readonly string[] = ['pg_catalog', 'information_schema', 'pg_toast'];

/**
 * The system schemas with objects a managed role can be granted on (pg_authid, pg_read_file,
 * ...): what a managed role holds there beyond PostgreSQL's initial privileges is part of its
 * desired state (spec §10), so `grants` may name such objects, one by one, and an undeclared
 * privilege is revoked. The schemas themselves, and PUBLIC's and the initial privileges on
 * their objects, are never managed.
 */
export const GRANTABLE_SYSTEM_SCHEMAS: readonly string[] = ['pg_catalog', 'information_schema'];

/** The object kinds of GRANTABLE_SYSTEM_SCHEMAS that introspection reads and grants may name. */
export const GRANTABLE_SYSTEM_KINDS: readonly ObjectKind[] = [
  'table',
  'sequence',
  'function',
  'procedure',
  'routine',
];

/** Whether privileges on this object of a system schema are managed (see GRANTABLE_SYSTEM_SCHEMAS). */
export function isGrantableSystemObject(kind: ObjectKind, schema: string | null): boolean {
  return (
    schema !== null &&
    GRANTABLE_SYSTEM_SCHEMAS.includes(schema) &&
    GRANTABLE_SYSTEM_KINDS.includes(kind)
  );
}

export function isSystemSchema(schema: string): boolean {
  return (
    SYSTEM_SCHEMAS.includes(schema) ||
    schema.startsWith('pg_temp_') ||
    schema.startsWith('pg_toast_temp_')
  );
}
