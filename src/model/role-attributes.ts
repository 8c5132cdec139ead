/**
 * Role attributes, one row each: the one table that introspection (the `pg_roles` column),
 * the config and plan files (the key), rendering (the keyword), summaries and export (the
 * default, to leave out) read, as ldap2pg's `internal/role/options.go` drives its inspect,
 * diff and render from one list. A new attribute is one more row; `role-attributes.test.ts`
 * fails until every stage handles it.
 *
 * The rows are in the one order pgward writes attributes everywhere: SQL options
 * (`CREATE ROLE "a" WITH LOGIN CREATEDB`), summaries (`create role "a" (login, createdb)`),
 * exported config keys, attribute changes and plan-file fields. LOGIN comes first because it is
 * what a reader looks for (the spec lists role keys in this order); PostgreSQL accepts the
 * options in any order (https://www.postgresql.org/docs/current/sql-createrole.html).
 *
 * Every attribute here exists in every PostgreSQL pgward supports (BYPASSRLS, the newest, came
 * in 9.5), so none has a version condition.
 */
import type { RoleAttributes } from './state.js';

/** The attributes that are on or off: `LOGIN` / `NOLOGIN`. */
export type BooleanRoleAttribute = {
  [K in keyof RoleAttributes]: RoleAttributes[K] extends boolean ? K : never;
}[keyof RoleAttributes];

interface AttributeRow<K extends keyof RoleAttributes> {
  /** The field of `RoleAttributes` (and of the library's role options). */
  readonly key: K;
  /** The key in the config, in exports and in plan files. */
  readonly configKey: string;
  /** The `pg_roles` column introspection reads it from. */
  readonly column: string;
  /** What `CREATE ROLE name` with no options gives: left out of exports and create summaries. */
  readonly default: RoleAttributes[K];
}

/** `keyword` turns it on, `NO` + keyword off; the summary spells the same in lower case. */
export interface BooleanAttributeRow extends AttributeRow<BooleanRoleAttribute> {
  readonly kind: 'flag';
  readonly keyword: string;
  /**
   * What the attribute lets a role do around the privileges pgward manages, for the finding
   * about a role outside the config that has it; absent when harmless.
   */
  readonly power?: string;
}

export interface ConnectionLimitRow extends AttributeRow<'connectionLimit'> {
  readonly kind: 'connection_limit';
  /** `CONNECTION LIMIT n`; -1 = unlimited. */
  readonly keyword: 'CONNECTION LIMIT';
}

export interface ValidUntilRow extends AttributeRow<'validUntil'> {
  readonly kind: 'valid_until';
  /** `VALID UNTIL 'timestamp'`; NULL cannot be set back, 'infinity' means the same. */
  readonly keyword: 'VALID UNTIL';
}

export type RoleAttributeRow = BooleanAttributeRow | ConnectionLimitRow | ValidUntilRow;

const flag = (
  key: BooleanRoleAttribute,
  keyword: string,
  column: string,
  more: { default?: boolean; power?: string } = {},
): BooleanAttributeRow => ({
  kind: 'flag',
  key,
  configKey: key,
  keyword,
  column,
  default: more.default ?? false,
  ...(more.power !== undefined && { power: more.power }),
});

export const ROLE_ATTRIBUTES: readonly RoleAttributeRow[] = [
  flag('login', 'LOGIN', 'rolcanlogin'),
  flag('superuser', 'SUPERUSER', 'rolsuper', { power: 'bypasses every privilege check' }),
  flag('createdb', 'CREATEDB', 'rolcreatedb'),
  flag('createrole', 'CREATEROLE', 'rolcreaterole', {
    power: 'can create roles and grant itself their access',
  }),
  flag('inherit', 'INHERIT', 'rolinherit', { default: true }),
  flag('replication', 'REPLICATION', 'rolreplication', {
    power: 'can stream a copy of every database',
  }),
  flag('bypassrls', 'BYPASSRLS', 'rolbypassrls', { power: 'bypasses row-level security' }),
  {
    kind: 'connection_limit',
    key: 'connectionLimit',
    configKey: 'connection_limit',
    keyword: 'CONNECTION LIMIT',
    column: 'rolconnlimit',
    default: -1,
  },
  {
    kind: 'valid_until',
    key: 'validUntil',
    configKey: 'valid_until',
    keyword: 'VALID UNTIL',
    // roles.sql renders rolvaliduntil to ISO-8601 UTC text (and 'infinity' to NULL) under this name.
    column: 'rolvaliduntil',
    default: null,
  },
];

/** The on/off rows, in the table's order. */
export const BOOLEAN_ROLE_ATTRIBUTES: readonly BooleanAttributeRow[] = ROLE_ATTRIBUTES.filter(
  (row): row is BooleanAttributeRow => row.kind === 'flag',
);

/** What `CREATE ROLE name` with no options gives, in the table's order. */
export const DEFAULT_ROLE_ATTRIBUTES: RoleAttributes = Object.fromEntries(
  ROLE_ATTRIBUTES.map((row) => [row.key, row.default]),
) as unknown as RoleAttributes;

/** The attributes that differ from what `CREATE ROLE name` gives, in the table's order. */
export function nonDefaultAttributes(attributes: RoleAttributes): Partial<RoleAttributes> {
  return Object.fromEntries(
    ROLE_ATTRIBUTES.filter((row) => attributes[row.key] !== row.default).map((row) => [
      row.key,
      attributes[row.key],
    ]),
  );
}
