/**
 * `pgward explain`, `pgward graph`, `grants --effective` and `db.explain` / `db.graph` on a
 * real server: the answers agree with has_*_privilege, the paths name the memberships and
 * grants the catalog holds, errors are one line naming the thing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type PgwardDatabase } from '../../src/index.js';
import type { PrivilegeExplanation } from '../../src/api/explain.js';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let db: PgwardDatabase;

const cli = (...args: string[]) => runCli([...args, '--db', server.url()]);

beforeAll(async () => {
  const options16 = server.major >= 16;
  await server.query(`
    CREATE ROLE e_owner;
    CREATE ROLE e_readers;
    CREATE ROLE e_writers;
    CREATE ROLE e_api LOGIN;
    CREATE ROLE e_admin;
    CREATE ROLE e_nobody LOGIN;
    CREATE ROLE e_auditor LOGIN BYPASSRLS;
    GRANT e_readers TO e_writers;
    GRANT e_writers TO e_api;
    GRANT e_readers TO e_auditor;
    ${options16 ? 'GRANT e_admin TO e_api WITH INHERIT FALSE, SET TRUE;' : 'CREATE ROLE e_api2 LOGIN NOINHERIT; GRANT e_admin TO e_api2;'}
    CREATE SCHEMA shop AUTHORIZATION e_owner;
    SET ROLE e_owner;
    CREATE TABLE shop.orders (id integer, email text, user_name text);
    CREATE TABLE shop.payments (id integer, amount integer, email text);
    ${Array.from({ length: 30 }, (_, i) => `CREATE TABLE shop.t${i} (id integer);`).join('\n')}
    RESET ROLE;
    GRANT USAGE ON SCHEMA shop TO e_readers;
    GRANT SELECT ON ALL TABLES IN SCHEMA shop TO e_readers;
    GRANT INSERT ON shop.orders TO e_writers;
    GRANT DELETE ON shop.payments TO e_admin;
    GRANT SELECT (email) ON shop.payments TO e_nobody;
    ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_orders ON shop.orders FOR SELECT TO e_readers USING (user_name = current_user);
    ALTER DEFAULT PRIVILEGES FOR ROLE e_owner IN SCHEMA shop GRANT SELECT ON TABLES TO e_readers;
    REVOKE CONNECT ON DATABASE "${server.database}" FROM PUBLIC;
    GRANT CONNECT ON DATABASE "${server.database}" TO e_readers;
  `);
  db = await connect(server.url());
});
afterAll(async () => {
  await db.close();
});

async function hasTable(role: string, table: string, privilege: string): Promise<boolean> {
  const [row] = await server.query<{ allowed: boolean }>(
    'SELECT pg_catalog.has_table_privilege($1, $2, $3) AS allowed',
    [role, table, privilege],
  );
  return row?.allowed ?? false;
}

describe('pgward explain ROLE PRIVILEGE TYPE OBJECT', () => {
  it('says yes with the membership chain, the grant, its grantor and the RLS policy', async () => {
    const result = await cli('explain', 'e_api', 'SELECT', 'table', 'shop.orders');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await hasTable('e_api', 'shop.orders', 'SELECT')).toBe(true);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('yes: "e_api" can use SELECT on table "shop.orders"');
    expect(lines).toContain(
      '  1. "e_api" → member of "e_writers" (INHERIT, SET) → member of "e_readers" (INHERIT, SET) → "e_readers" was granted SELECT by "e_owner"',
    );
    expect(lines).toContain(
      '  policy "own_orders" (PERMISSIVE, SELECT, to "e_readers") filters the rows',
    );
    expect(lines).toContain(
      '  - SELECT on new tables created by "e_owner" in schema "shop", granted to "e_readers"',
    );
  });

  it('prints the same answer as JSON, with paths as steps of a kind', async () => {
    const result = await cli(
      'explain',
      'e_api',
      'INSERT',
      'table',
      'shop.orders',
      '--format',
      'json',
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as PrivilegeExplanation;
    expect(answer).toMatchObject({
      role: 'e_api',
      privilege: 'INSERT',
      object_type: 'table',
      object: 'shop.orders',
      allowed: await hasTable('e_api', 'shop.orders', 'INSERT'),
      missing: [],
    });
    expect(answer.paths.map((path) => path.map((step) => step.kind))).toEqual([
      ['membership', 'grant'],
    ]);
    expect(answer.row_security).toEqual({ forced: false, bypass: null, policies: [] });
  });

  it('says what is missing: the privilege, schema USAGE, database CONNECT, some columns only', async () => {
    const result = await cli('explain', 'e_nobody', 'SELECT', 'table', 'shop.payments');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await hasTable('e_nobody', 'shop.payments', 'SELECT')).toBe(false);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      'no: "e_nobody" cannot use SELECT on table "shop.payments"',
      '',
      'columns: SELECT on "email" only',
      '',
      'missing:',
      '  - no SELECT on table "shop.payments" granted to "e_nobody", to a role whose privileges it inherits, or to PUBLIC; held by "e_owner" (owner), "e_readers", "pg_read_all_data"',
      '  - SELECT is granted on some columns only: email',
      '  - no USAGE on schema "shop": "e_nobody" cannot reach objects in it',
      `  - no CONNECT on database "${server.database}": "e_nobody" cannot connect to it`,
    ]);
  });

  it('marks a privilege usable only after SET ROLE, as the server sees it', async () => {
    const role = server.major >= 16 ? 'e_api' : 'e_api2';
    const result = await cli(
      'explain',
      role,
      'DELETE',
      'table',
      'shop.payments',
      '--format',
      'json',
    );
    const answer = JSON.parse(result.stdout) as PrivilegeExplanation;
    expect(answer.allowed).toBe(await hasTable(role, 'shop.payments', 'DELETE'));
    expect(answer.allowed).toBe(false);
    const [{ can_set } = { can_set: false }] = await server.query<{ can_set: boolean }>(
      `SELECT pg_catalog.pg_has_role($1, 'e_admin', 'MEMBER') AND pg_catalog.has_table_privilege('e_admin', 'shop.payments', 'DELETE') AS can_set`,
      [role],
    );
    expect(can_set).toBe(true);
    expect(answer.paths).toEqual([
      [
        {
          kind: 'membership',
          member: role,
          role: 'e_admin',
          inherit: false,
          set: true,
          admin: false,
          implicit: false,
        },
        { kind: 'set_role', role: 'e_admin' },
        // A superuser's GRANT is recorded as made by the owner.
        { kind: 'grant', grantee: 'e_admin', grantor: 'e_owner', grantable: false },
      ],
    ]);
    expect(answer.missing.map((item) => item.kind)).toContain('inherit');
  });

  it('notes BYPASSRLS, and answers for a column', async () => {
    const rls = await cli('explain', 'e_auditor', 'SELECT', 'table', 'shop.orders');
    expect(rls.stdout).toContain('rows are not filtered: "e_auditor" has BYPASSRLS');
    const column = await cli('explain', 'e_nobody', 'SELECT', 'column', 'shop.payments.email');
    expect(column.stdout.split('\n')[0]).toBe(
      'yes: "e_nobody" can use SELECT on column "shop.payments.email"',
    );
  });

  it('fails with one line naming what does not exist', async () => {
    for (const [args, message] of [
      [['ghost'], 'role "ghost" does not exist'],
      [['e_api', 'SELECT', 'table', 'shop.nope'], 'table "shop.nope" does not exist'],
      [
        ['e_api', 'EXECUTE', 'table', 'shop.orders'],
        'privilege "EXECUTE" does not apply to a table',
      ],
      [['e_api', 'SELECT', 'table'], 'explain takes a role alone, or a role, a privilege'],
    ] as const) {
      const result = await cli('explain', ...args);
      expect(result.exitCode).toBe(1);
      expect(result.stderr.split('\n')[0]).toContain(`error: ${message}`);
    }
  });
});

describe('pgward explain ROLE', () => {
  it('lists all effective access, a schema-wide privilege on every table in one line', async () => {
    const result = await cli('explain', 'e_auditor');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('    all 32 tables: SELECT (via e_readers)');
    expect(result.stdout.split('\n')[0]).toBe('"e_auditor": LOGIN; inherits from "e_readers"');
    const json = await db.explain('e_auditor');
    expect(json.schemas.find((s) => s.name === 'shop')?.all).toEqual([
      { kind: 'table', count: 32, privileges: [{ privilege: 'SELECT', via: ['e_readers'] }] },
    ]);
  });
});

describe('pgward grants ROLE --effective', () => {
  it('lists what the role can use, where plain grants lists only its own privileges', async () => {
    const direct = await cli('grants', 'e_auditor');
    expect(direct.stdout.trim()).toBe('(none)');
    const effective = await cli('grants', 'e_auditor', '--effective');
    expect(effective.exitCode, effective.stderr).toBe(0);
    expect(effective.stdout).toMatch(/^shop\.orders +SELECT \(via e_readers\)$/m);
    expect(effective.stdout).toMatch(
      new RegExp(
        `^database ${server.database} +CONNECT \\(via e_readers\\); TEMPORARY \\(via PUBLIC\\)$`,
        'm',
      ),
    );
    const json = JSON.parse(
      (await cli('grants', 'e_auditor', '--effective', '--format', 'json')).stdout,
    ) as {
      objects: { schema: string; object_name: string; privilege: string; via: string[] }[];
    };
    expect(json.objects).toContainEqual({
      schema: 'shop',
      object_name: 'payments',
      privilege: 'SELECT',
      via: ['e_readers'],
    });
  });
});

describe('pgward graph', () => {
  it('draws a role neighbourhood as mermaid, and as dot', async () => {
    const result = await cli('graph', 'e_writers');
    expect(result.exitCode, result.stderr).toBe(0);
    const text = result.stdout;
    expect(text.split('\n')[0]).toBe('flowchart LR');
    expect(text).toContain('["e_api (login)"]');
    expect(text).not.toContain('e_auditor');
    expect(text).toMatch(/r\d -->\|"INHERIT, SET"\| r\d/);
    const dot = await cli('graph', 'e_writers', '--format', 'dot');
    expect(dot.stdout).toContain('"e_writers" -> "e_readers" [label="INHERIT, SET"];');
    const diagram = await db.graph({ roles: ['e_writers'] });
    expect(diagram.edges).toContainEqual({
      member: 'e_api',
      role: 'e_writers',
      admin: false,
      inherit: true,
      set: true,
    });
  });

  it('refuses a role that does not exist', async () => {
    const result = await cli('graph', 'ghost');
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('error: role "ghost" does not exist');
  });
});
