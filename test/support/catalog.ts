/**
 * The catalog as tests read it, independent of the code under test: a whole-catalog snapshot
 * that says "nothing changed" precisely, and identifier quoting for test SQL.
 */
import type { TestServer } from './server.js';

/** Identifier quoting for test SQL, so tests don't depend on the code under test. */
export function quoteIdentForTest(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const CLUSTER_QUERIES: Record<string, string> = {
  roles: `SELECT a.*, d.description
            FROM pg_authid a
            LEFT JOIN pg_shdescription d ON d.objoid = a.oid AND d.classoid = 'pg_authid'::regclass
           ORDER BY a.rolname`,
  memberships: `SELECT r.rolname AS role, m.rolname AS member, am.grantor::text AS grantor,
                       to_jsonb(am) - 'roleid' - 'member' - 'grantor' - 'oid' AS options
                  FROM pg_auth_members am
                  JOIN pg_roles r ON r.oid = am.roleid
                  JOIN pg_roles m ON m.oid = am.member
                 ORDER BY 1, 2, 3`,
  settings: `SELECT setdatabase, setrole, setconfig FROM pg_db_role_setting ORDER BY 1, 2`,
  databases: `SELECT datname, datdba, datacl::text FROM pg_database ORDER BY 1`,
};

const DATABASE_QUERIES: Record<string, string> = {
  relations: `SELECT oid::regclass::text AS name, relowner, relacl::text
                FROM pg_class WHERE relnamespace >= 16384 OR relacl IS NOT NULL ORDER BY 1`,
  columns: `SELECT attrelid::regclass::text AS rel, attname, attacl::text
              FROM pg_attribute WHERE attacl IS NOT NULL ORDER BY 1, 2`,
  schemas: `SELECT nspname, nspowner, nspacl::text FROM pg_namespace ORDER BY 1`,
  routines: `SELECT oid::regprocedure::text AS name, proowner, proacl::text
               FROM pg_proc WHERE pronamespace >= 16384 OR proacl IS NOT NULL ORDER BY 1`,
  defaults: `SELECT defaclrole, defaclnamespace, defaclobjtype, defaclacl::text
               FROM pg_default_acl ORDER BY 1, 2, 3`,
};

/**
 * Everything an apply could change, serialized: every role with every attribute and stored
 * password, memberships with their options and grantors, role settings and comments, database
 * ACLs and owners (cluster-wide), and in each database named: owners and ACLs of relations,
 * columns, schemas and routines, and default privileges. Equal snapshots = nothing changed.
 */
export async function catalogSnapshot(
  server: TestServer,
  databases: readonly string[],
): Promise<string> {
  const parts: Record<string, unknown> = {};
  for (const [name, sql] of Object.entries(CLUSTER_QUERIES)) parts[name] = await server.query(sql);
  for (const database of databases) {
    for (const [name, sql] of Object.entries(DATABASE_QUERIES)) {
      parts[`${database}.${name}`] = await server.query(sql, [], database);
    }
  }
  return JSON.stringify(parts, null, 1);
}
