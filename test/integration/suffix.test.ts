/**
 * DB-specific roles (spec §4, `--suffix`) on one server with two databases: the same config
 * applied with `lausanne` in one and `zurich` in the other. Each database gets its `R_S` with
 * the privileges; the generic R is a member of both; neither apply undoes the other.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pgward, type JsonPlan } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const server = useTestServer();

// unmanaged_roles: drop makes the test strict: a role of the other suffix that this run did
// not recognise would be planned for dropping.
const CONFIG = `version: 1
settings:
  unmanaged_roles: drop
roles:
  reader:
    description: Reads the data schema
    permissions:
      - { type: read, schemas: [data] }
  editor:
    member_of: [reader]
    permissions:
      - { type: write, schemas: [data] }
`;

const SETUP = `
  CREATE SCHEMA data;
  CREATE TABLE data.orders (id serial PRIMARY KEY, total integer);
`;

let configFile: string;
let lausanne: string;
let zurich: string;

function cli(args: string[], database: string) {
  return pgward([...args, '--db', server.url(database), '-c', configFile]);
}

async function plan(suffix: string, database: string): Promise<JsonPlan> {
  const result = await cli(['plan', '--format', 'json', '--suffix', suffix], database);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as JsonPlan;
}

/** Table privileges in a database, as `grantee:privilege` sorted. */
async function tableGrants(database: string): Promise<string[]> {
  const rows = await server.query<{ grant: string }>(
    `SELECT pg_get_userbyid(a.grantee) || ':' || a.privilege_type AS grant
       FROM pg_class AS c, aclexplode(c.relacl) AS a
      WHERE c.oid = 'data.orders'::regclass AND a.grantee <> c.relowner
      ORDER BY 1`,
    [],
    database,
  );
  return rows.map((row) => row.grant);
}

async function memberships(): Promise<string[]> {
  const rows = await server.query<{ m: string }>(
    `SELECT m.rolname || ' ∈ ' || r.rolname AS m
       FROM pg_auth_members AS am
       JOIN pg_roles AS r ON r.oid = am.roleid
       JOIN pg_roles AS m ON m.oid = am.member
      WHERE r.rolname !~ '^pg_'
      ORDER BY 1`,
  );
  return rows.map((row) => row.m);
}

/** Everything about the lausanne roles that an apply elsewhere could change. */
async function lausanneSnapshot(): Promise<unknown> {
  return {
    roles: await server.query(
      `SELECT r.oid, r.rolname, r.rolcanlogin, r.rolinherit, r.rolconnlimit, r.rolconfig,
              shobj_description(r.oid, 'pg_authid') AS comment
         FROM pg_roles AS r WHERE r.rolname LIKE '%\\_lausanne' ORDER BY r.rolname`,
    ),
    memberships: (await memberships()).filter((m) => m.includes('_lausanne')),
    grants: await tableGrants(lausanne),
    schemaAcl: await server.query(
      `SELECT nspacl::text FROM pg_namespace WHERE nspname = 'data'`,
      [],
      lausanne,
    ),
    databaseAcls: await server.query(
      `SELECT datname, datacl::text FROM pg_database ORDER BY datname`,
    ),
  };
}

beforeAll(async () => {
  configFile = join(await tempDir('suffix'), 'pgward.yaml');
  await writeFile(configFile, CONFIG);
  lausanne = await server.createDatabase('lausanne');
  zurich = await server.createDatabase('zurich');
  await server.query(SETUP, [], lausanne);
  await server.query(SETUP, [], zurich);
});

describe('--suffix on two databases of one server', () => {
  it('gives each database its own R_S, the generic R a member of both, and never undoes the other', async () => {
    const first = await cli(['apply', '--yes', '--suffix', 'lausanne'], lausanne);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const before = await lausanneSnapshot();

    const second = await cli(['apply', '--yes', '--suffix', 'zurich'], zurich);
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(second.stdout).not.toContain('_lausanne');
    expect(await lausanneSnapshot()).toEqual(before);

    const roles = await server.query<{ rolname: string; rolcanlogin: boolean }>(
      `SELECT rolname, rolcanlogin FROM pg_roles
        WHERE rolname IN ('reader', 'editor') OR rolname LIKE '%\\_lausanne' OR rolname LIKE '%\\_zurich'
        ORDER BY rolname`,
    );
    expect(roles.map((r) => r.rolname)).toEqual([
      'editor',
      'editor_lausanne',
      'editor_zurich',
      'reader',
      'reader_lausanne',
      'reader_zurich',
    ]);
    expect(roles.every((r) => !r.rolcanlogin)).toBe(true);

    // Privileges in each database go to that database's roles only; the generic roles hold none.
    expect(await tableGrants(lausanne)).toEqual([
      'editor_lausanne:DELETE',
      'editor_lausanne:INSERT',
      'editor_lausanne:UPDATE',
      'reader_lausanne:SELECT',
    ]);
    expect(await tableGrants(zurich)).toEqual([
      'editor_zurich:DELETE',
      'editor_zurich:INSERT',
      'editor_zurich:UPDATE',
      'reader_zurich:SELECT',
    ]);

    expect(await memberships()).toEqual([
      'editor ∈ editor_lausanne',
      'editor ∈ editor_zurich',
      'editor_lausanne ∈ reader_lausanne',
      'editor_zurich ∈ reader_zurich',
      'reader ∈ reader_lausanne',
      'reader ∈ reader_zurich',
    ]);

    // Whoever is granted the generic role reaches each database's instance of it.
    await server.query(`CREATE ROLE analyst LOGIN IN ROLE reader`);
    for (const database of [lausanne, zurich]) {
      const [row] = await server.query<{ ok: boolean }>(
        `SELECT has_table_privilege('analyst', 'data.orders', 'SELECT') AS ok`,
        [],
        database,
      );
      expect(row?.ok).toBe(true);
    }
    await server.query(`DROP ROLE analyst`);
  });

  it('plans nothing afterwards with either suffix, in either database', async () => {
    for (const [suffix, database] of [
      ['lausanne', lausanne],
      ['zurich', zurich],
    ] as const) {
      const result = await plan(suffix, database);
      expect(result.changes, `plan --suffix ${suffix}`).toEqual([]);
      const drift = await cli(['drift', '--suffix', suffix], database);
      expect(drift.code, drift.stdout + drift.stderr).toBe(0);
    }
  });

  it('reports generic and suffixed roles in the inventory, not the other suffix’s', async () => {
    const result = await cli(['inventory', '--format', 'json', '--suffix', 'lausanne'], lausanne);
    expect(result.code, result.stderr).toBe(0);
    const read = {
      schema: 'data',
      expected: 'read',
      has_read: true,
      has_write: false,
      satisfied: true,
    };
    const write = {
      schema: 'data',
      expected: 'write',
      has_read: true,
      has_write: true,
      satisfied: true,
    };
    expect(JSON.parse(result.stdout)).toEqual({
      missing_roles: [],
      configured_roles: [
        {
          name: 'reader',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [read],
        },
        {
          name: 'reader_lausanne',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [read],
        },
        // editor reads through its membership of reader.
        {
          name: 'editor',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [write],
        },
        {
          name: 'editor_lausanne',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [write],
        },
      ],
      unknown_roles: [],
      other_login_roles: [],
    });
  });
});
