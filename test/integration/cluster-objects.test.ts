/**
 * Cluster scope (spec §8) with the per-database entries of §9, through the CLI on two
 * databases: `databases:` on `owns` and `tables` entries limits them like grants, an object
 * missing in one database is a plan error naming it, policy expressions are checked by each
 * database's server, and `absent:` retires a role in every managed database.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgward } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir: string;
let shop: string;
let crm: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-cluster-objects-'));
  shop = await server.createDatabase('shop');
  crm = await server.createDatabase('crm');
  await server.query('CREATE ROLE co_owner NOLOGIN; CREATE ROLE co_user NOLOGIN');
  for (const database of [shop, crm])
    await server.query(
      'CREATE SCHEMA app; CREATE TABLE app.orders (id integer, owner_name text)',
      [],
      database,
    );
  // Only shop has the audit table.
  await server.query('CREATE TABLE app.audit (id integer, who text)', [], shop);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

function cliWith(config: string) {
  return (...args: string[]) => pgward([...args, '--db', server.url(shop), '-c', config]);
}

async function ownerOf(table: string, database: string): Promise<string | undefined> {
  const [row] = await server.query<{ owner: string }>(
    'SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = $1::regclass',
    [table],
    database,
  );
  return row?.owner;
}

async function rowSecurityOf(table: string, database: string) {
  const [row] = await server.query<{ enabled: boolean; policies: string[] }>(
    `SELECT c.relrowsecurity AS enabled,
            coalesce(array(SELECT polname::text FROM pg_policy WHERE polrelid = c.oid ORDER BY 1), '{}') AS policies
     FROM pg_class c WHERE c.oid = $1::regclass`,
    [table],
    database,
  );
  return row;
}

describe('databases: on owns and tables entries', () => {
  const config = (limit: boolean) => `version: 1
settings:
  databases: [${shop}, ${crm}]
roles:
  co_owner:
    owns:
      - { object_type: table, objects: [app.audit]${limit ? `, databases: [${shop}]` : ''} }
tables:
  app.audit:
    row_security: enabled
    policies:
      audit_own: { roles: [co_owner], using: "(who = CURRENT_USER)" }${limit ? `\n    databases: [${shop}]` : ''}
`;

  it('an object missing in one database is a plan error naming that database', async () => {
    const cli = cliWith(await configFile('unlimited.yaml', config(false)));
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    const lines = plan.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^error: .*:7:\\d+: in database "${crm}": table "app\\.audit" does not exist$`),
    );
    expect(plan.stderr).toContain(
      `in database "${crm}": table "app.audit" in tables does not exist`,
    );
    expect(plan.stderr).not.toContain(`in database "${shop}"`);
  });

  it('limits them to the databases named, and converges', async () => {
    const cli = cliWith(await configFile('limited.yaml', config(true)));
    const applied = await cli('apply', '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await ownerOf('app.audit', shop)).toBe('co_owner');
    expect(await rowSecurityOf('app.audit', shop)).toEqual({
      enabled: true,
      policies: ['audit_own'],
    });
    const [check] = await server.query<{ qual: string }>(
      "SELECT pg_get_expr(polqual, polrelid) AS qual FROM pg_policy WHERE polname = 'audit_own'",
      [],
      shop,
    );
    expect(check?.qual).toBe('(who = CURRENT_USER)');
    expect(await ownerOf('app.orders', crm)).not.toBe('co_owner');
    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
  });

  it('export writes them with databases: where only some databases have them, and applies back as a no-op', async () => {
    const exported = await pgward([
      'export',
      '--database',
      shop,
      '--database',
      crm,
      '--db',
      server.url(shop),
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(
      `    owns:\n      - object_type: table\n        objects:\n          - app.audit\n        databases: [${shop}]\n`,
    );
    expect(exported.stdout).toMatch(
      new RegExp(
        `tables:\\n  app\\.audit:\\n    row_security: enabled\\n(.|\\n)*    databases: \\[${shop}\\]\\n`,
      ),
    );
    const file = await configFile('exported.yaml', exported.stdout);
    const plan = await pgward(['plan', '--detailed-exitcode', '--db', server.url(crm), '-c', file]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('a database that is not managed, named in a table entry under databases: "*", is a plan error at FILE:LINE:COL', async () => {
    const file = await configFile(
      'star.yaml',
      `version: 1
settings:
  databases: "*"
tables:
  app.orders:
    databases: [nowhere]
`,
    );
    const plan = await cliWith(file)('plan');
    expect(plan.code).toBe(1);
    expect(plan.stderr.split('\n')[0]).toMatch(
      /^error: .*star\.yaml:6:16: database "nowhere" named in "databases" of table "app\.orders" is not managed \(managed: /,
    );
  });
});

describe('row-level security in cluster scope', () => {
  beforeAll(async () => {
    for (const database of [shop, crm])
      await server.query('CREATE TABLE app.notes (id integer, author text)', [], database);
    // Only shop's notes have a region.
    await server.query('ALTER TABLE app.notes ADD COLUMN region text', [], shop);
  });

  it("checks each database's policy expressions with that database's server, naming it", async () => {
    const cli = cliWith(
      await configFile(
        'rls-invalid.yaml',
        `version: 1
settings:
  databases: [${shop}, ${crm}]
tables:
  app.notes:
    row_security: enabled
    policies:
      notes_region: { using: "region = 'eu'" }
`,
      ),
    );
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    expect(plan.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error: .*rls-invalid\\.yaml:8:7: in database "${crm}": using of policy "notes_region" on table "app\\.notes" is not a valid expression there: column "region" does not exist$`,
        ),
      ),
    ]);
    expect((await rowSecurityOf('app.notes', shop))?.policies).toEqual([]);
  });

  it('compares expressions as each server stores them: apply converges and re-plans empty', async () => {
    const cli = cliWith(
      await configFile(
        'rls.yaml',
        `version: 1
settings:
  databases: [${shop}, ${crm}]
roles:
  co_user: {}
  co_owner:
    owns:
      - { object_type: table, objects: [app.notes] }
tables:
  app.notes:
    row_security: forced
    policies:
      notes_own: { roles: [co_user], using: "author = current_user", with_check: "author=current_user" }
`,
      ),
    );
    const applied = await cli('apply', '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    for (const database of [shop, crm]) {
      expect(await ownerOf('app.notes', database)).toBe('co_owner');
      expect(await rowSecurityOf('app.notes', database)).toEqual({
        enabled: true,
        policies: ['notes_own'],
      });
      const [policy] = await server.query<{ qual: string; check: string }>(
        `SELECT pg_get_expr(polqual, polrelid) AS qual, pg_get_expr(polwithcheck, polrelid) AS check
         FROM pg_policy WHERE polname = 'notes_own'`,
        [],
        database,
      );
      expect(policy).toEqual({ qual: '(author = CURRENT_USER)', check: '(author = CURRENT_USER)' });
    }
    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
    expect((await cli('drift')).code).toBe(0);
  });
});

describe('absent: in cluster scope', () => {
  it('retires a role that owns and holds things in both databases, in one apply', async () => {
    await server.query('CREATE ROLE co_retired NOLOGIN');
    for (const database of [shop, crm])
      await server.query(
        `CREATE TABLE app.old_report (id integer);
         ALTER TABLE app.old_report OWNER TO co_retired;
         GRANT SELECT ON app.orders TO co_retired`,
        [],
        database,
      );
    const cli = cliWith(
      await configFile(
        'retire.yaml',
        `version: 1
settings:
  databases: [${shop}, ${crm}]
  reassign_owned_to: co_owner
roles:
  co_retired: { absent: true }
`,
      ),
    );
    const plan = await cli('plan', '--format', 'json');
    expect(plan.code, plan.stderr).toBe(0);
    const changes = (
      JSON.parse(plan.stdout) as { changes: { database: string | null; sql: string[] }[] }
    ).changes.map((change) => [change.database, change.sql.join('; ')]);
    expect(changes).toEqual([
      [shop, 'REASSIGN OWNED BY "co_retired" TO "co_owner"'],
      [shop, 'DROP OWNED BY "co_retired"'],
      [crm, 'REASSIGN OWNED BY "co_retired" TO "co_owner"'],
      [crm, 'DROP OWNED BY "co_retired"'],
      [null, 'DROP ROLE "co_retired"'],
    ]);
    const applied = await cli('apply', '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'co_retired'")).toEqual([]);
    for (const database of [shop, crm])
      expect(await ownerOf('app.old_report', database)).toBe('co_owner');
    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
  });
});
