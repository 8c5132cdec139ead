/**
 * introspect/aclitem.ts reads ACLs as the server prints them: on every kind of ACL and on role
 * names the server must quote, it must list exactly what aclexplode lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explodeAcl, explodeAclItem } from '../../src/introspect/aclitem.js';
import { quoteIdent } from '../../src/sql/quote.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

/** Names putid() must quote (a quote, = and /, a space, non-ASCII), and a plain one. */
const ROLES = ['acl_plain', 'acl "quoted"', 'acl=a/b', 'acl Ünïcödé', '"acl"""'];

beforeAll(async () => {
  const roles = ROLES.map(quoteIdent);
  const [first, second, third, fourth, fifth] = roles;
  const statements = [
    ...roles.map((role) => `CREATE ROLE ${role}`),
    `CREATE SCHEMA acl_s`,
    `CREATE TABLE acl_s.t (a int, b int)`,
    `CREATE SEQUENCE acl_s.q`,
    `CREATE FUNCTION acl_s.f() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
    `GRANT ALL ON TABLE acl_s.t TO ${first} WITH GRANT OPTION`,
    `GRANT SELECT, UPDATE ON TABLE acl_s.t TO ${second}`,
    `GRANT SELECT (a), UPDATE (b) ON TABLE acl_s.t TO ${third}`,
    `GRANT USAGE, CREATE ON SCHEMA acl_s TO ${fourth} WITH GRANT OPTION`,
    `GRANT USAGE ON SCHEMA acl_s TO PUBLIC`,
    `GRANT USAGE, SELECT, UPDATE ON SEQUENCE acl_s.q TO ${fifth}`,
    `GRANT EXECUTE ON FUNCTION acl_s.f() TO ${second} WITH GRANT OPTION`,
    `GRANT CONNECT, TEMPORARY, CREATE ON DATABASE ${quoteIdent(await databaseName())} TO ${third}`,
    `SET ROLE ${first}`,
    `GRANT SELECT ON TABLE acl_s.t TO ${fifth}`,
    `RESET ROLE`,
  ];
  for (const sql of statements) await server.query(sql);
  const [version] = await server.query<{ n: number }>(
    `SELECT current_setting('server_version_num')::int AS n`,
  );
  if ((version?.n ?? 0) >= 150000)
    await server.query(`GRANT SET, ALTER SYSTEM ON PARAMETER work_mem TO ${fourth}`);
});

afterAll(async () => {
  await server.query('DROP SCHEMA acl_s CASCADE');
});

async function databaseName(): Promise<string> {
  const [row] = await server.query<{ name: string }>('SELECT current_database() AS name');
  return row?.name ?? '';
}

describe('explodeAcl', () => {
  it('lists what aclexplode lists, on every ACL of the database, quoted names included', async () => {
    const rows = await server.query<{ what: string; acl: string[]; exploded: unknown[] }>(`
      WITH acls AS (
        SELECT 'relation ' || relname AS what, coalesce(relacl, acldefault('r', relowner)) AS acl
          FROM pg_class WHERE relnamespace = 'acl_s'::regnamespace
        UNION ALL SELECT 'column ' || attname, attacl FROM pg_attribute
          WHERE attrelid = 'acl_s.t'::regclass AND attacl IS NOT NULL
        UNION ALL SELECT 'schema ' || nspname, nspacl FROM pg_namespace WHERE nspacl IS NOT NULL
        UNION ALL SELECT 'function ' || proname, coalesce(proacl, acldefault('f', proowner))
          FROM pg_proc WHERE pronamespace = 'acl_s'::regnamespace
        UNION ALL SELECT 'database ' || datname, coalesce(datacl, acldefault('d', datdba))
          FROM pg_database
        UNION ALL SELECT 'type ' || typname, acldefault('T', typowner) FROM pg_type
          WHERE typname = 'int4'
      )
      SELECT what, acl::text[] AS acl,
             coalesce((SELECT json_agg(json_build_array(
                         CASE WHEN a.grantee <> 0 THEN pg_get_userbyid(a.grantee) END,
                         a.privilege_type, a.is_grantable, pg_get_userbyid(a.grantor)))
                       FROM aclexplode(acl) AS a), '[]') AS exploded
      FROM acls`);
    const all = rows.flatMap((row) => row.acl).join(' ');
    for (const role of ROLES.slice(1)) expect(all).toContain(quoteIdent(role));
    expect(rows.length).toBeGreaterThan(6);
    for (const row of rows) expect(explodeAcl(row.acl), row.what).toEqual(row.exploded);
  });

  it('reads parameters ACLs (SET, ALTER SYSTEM) where the server has them', async () => {
    const rows = await server
      .query<{ acl: string[]; exploded: unknown[] }>(
        `
      SELECT paracl::text[] AS acl,
             (SELECT json_agg(json_build_array(pg_get_userbyid(a.grantee), a.privilege_type,
                                               a.is_grantable, pg_get_userbyid(a.grantor)))
                FROM aclexplode(paracl) AS a) AS exploded
      FROM pg_parameter_acl WHERE parname = 'work_mem'`,
      )
      .catch(() => []);
    for (const row of rows) expect(explodeAcl(row.acl)).toEqual(row.exploded);
  });

  it('refuses an entry it cannot read rather than dropping privileges', () => {
    expect(() => explodeAclItem('alice=r?/bob')).toThrow(/unknown privilege "\?"/);
    expect(() => explodeAclItem('"alice=r/bob')).toThrow(/unterminated/);
    expect(() => explodeAclItem('alice=r')).toThrow(/without a grantor/);
  });
});
