import { ROLE_ATTRIBUTES } from '../model/role-attributes.js';
import type { CurrentMembership, CurrentRole, RoleAttributes, ServerInfo } from '../model/state.js';
import { loadSql } from './load-sql.js';
import type { Queryable } from './queryable.js';
import { hasMembershipOptions } from '../model/versions.js';

/** The attribute columns are named as in pg_roles (`ROLE_ATTRIBUTES[].column`). */
interface RoleRow extends Record<string, unknown> {
  oid: number;
  name: string;
  description: string | null;
  config: string[] | null;
  database_config: string[] | null;
}

interface PasswordRow {
  oid: number;
  password: string | null;
}

interface MembershipRow {
  role: string;
  member: string;
  grantor: string;
  admin: boolean;
  inherit: boolean | null;
  set: boolean | null;
}

/**
 * `ALTER ROLE ... SET` settings as stored ("name=value"). Only the first `=` separates: values
 * may contain `=` themselves (`options=-c a=b`).
 */
export function parseRoleConfig(entries: readonly string[] | null): Record<string, string> {
  const config: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const at = entry.indexOf('=');
    if (at < 0) continue;
    config[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return config;
}

/**
 * Every role with its attributes, comment and settings; stored password verifiers only when
 * the server said they are readable (otherwise `password` stays undefined).
 */
export async function readRoles(
  client: Queryable,
  server: ServerInfo,
): Promise<readonly CurrentRole[]> {
  const { rows } = await client.query<RoleRow>(loadSql('roles'));
  let passwords: Map<number, string | null> | undefined;
  if (server.canReadPasswords) {
    const result = await client.query<PasswordRow>(loadSql('passwords'));
    passwords = new Map(result.rows.map((row) => [row.oid, row.password]));
  }
  return rows.map((row): CurrentRole => {
    const role = {
      name: row.name,
      oid: row.oid,
      attributes: Object.fromEntries(
        ROLE_ATTRIBUTES.map((attribute) => [attribute.key, row[attribute.column]]),
      ) as unknown as RoleAttributes,
      description: row.description,
      config: parseRoleConfig(row.config),
      databaseConfig: parseRoleConfig(row.database_config),
    };
    // A role created between the two queries has no pg_authid row in our result: unknown.
    return passwords?.has(row.oid) ? { ...role, password: passwords.get(row.oid) ?? null } : role;
  });
}

/** Every `pg_auth_members` row; inherit/set are null before PostgreSQL 16. */
export async function readMemberships(
  client: Queryable,
  server: ServerInfo,
): Promise<readonly CurrentMembership[]> {
  // inherit_option and set_option are new columns in 16: older servers get their own query.
  const sql = loadSql(
    hasMembershipOptions(server.versionNum) ? 'memberships' : 'memberships-pre16',
  );
  const { rows } = await client.query<MembershipRow>(sql);
  return rows.map((row) => ({
    role: row.role,
    member: row.member,
    grantor: row.grantor,
    admin: row.admin,
    inherit: row.inherit,
    set: row.set,
  }));
}

interface DatabaseSettingRow {
  oid: number;
  config: string[] | null;
}

/**
 * Role OID → its `ALTER ROLE ... IN DATABASE ... SET` settings in the connected database:
 * what cluster scope reads per database, the roles themselves being read once.
 */
export async function readRoleDatabaseSettings(
  client: Queryable,
): Promise<ReadonlyMap<number, Record<string, string>>> {
  const { rows } = await client.query<DatabaseSettingRow>(loadSql('role-database-settings'));
  return new Map(rows.map((row) => [row.oid, parseRoleConfig(row.config)]));
}
