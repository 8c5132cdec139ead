/**
 * Cluster scope (spec §8) through the CLI, on two and three databases of one server: one
 * config, one plan grouped by database, one apply; `databases:` limits entries,
 * `database_config` is ALTER ROLE ... IN DATABASE; a role to drop is cleaned in every managed
 * database; the lausanne/zurich suffixes of PUM in one config and one apply.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { pgward } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const server = useTestServer();

let dir: string;
let shop: string;
let crm: string;
let hr: string;

const SETUP = `
  CREATE SCHEMA app;
  CREATE TABLE app.orders (id integer);
  CREATE TABLE public.notes (id integer);
`;

async function configFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

interface Change {
  readonly kind: string;
  readonly summary: string;
  readonly sql: readonly string[];
  readonly database: string | null;
}

/** A JSON plan's changes as [database, SQL] pairs. */
function changesIn(stdout: string): [string | null, string][] {
  return (JSON.parse(stdout) as { changes: Change[] }).changes.map((change) => [
    change.database,
    change.sql.join('; '),
  ]);
}

async function can(role: string, privilege: string, table: string, database: string) {
  const [row] = await server.query<{ ok: boolean }>(
    'SELECT has_table_privilege($1, $2, $3) AS ok',
    [role, table, privilege],
    database,
  );
  return row?.ok;
}

beforeAll(async () => {
  dir = await tempDir('cluster');
  shop = await server.createDatabase('shop');
  crm = await server.createDatabase('crm');
  hr = await server.createDatabase('hr');
  for (const database of [shop, crm, hr]) await server.query(SETUP, [], database);
});

describe('one config for two databases', () => {
  it('plans them grouped by database, applies them in one run, and converges', async () => {
    const file = await configFile(
      'two.yaml',
      `version: 1
settings:
  databases: [${shop}, ${crm}]
roles:
  analyst:
    login: true
    config: { search_path: "app, public" }
    database_config:
      ${shop}: { statement_timeout: "5s" }
    grants:
      - { privileges: [SELECT], object_type: table, all_in_schemas: [app], databases: [${shop}] }
    permissions:
      - { type: read, schemas: [public], databases: [${crm}] }
`,
    );
    const cli = (...args: string[]) => pgward([...args, '--db', server.url(shop), '-c', file]);

    const json = await cli('plan', '--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    // Cluster-wide first (database null), then shop's, then crm's.
    expect(changesIn(json.stdout)).toEqual([
      [null, 'CREATE ROLE "analyst" WITH LOGIN'],
      [null, `ALTER ROLE "analyst" SET "search_path" TO 'app', 'public'`],
      [shop, `ALTER ROLE "analyst" IN DATABASE "${shop}" SET "statement_timeout" TO '5s'`],
      [shop, 'GRANT SELECT ON TABLE "app"."orders" TO "analyst"'],
      [crm, 'GRANT USAGE ON SCHEMA "public" TO "analyst"'],
      [crm, 'GRANT SELECT ON TABLE "public"."notes" TO "analyst"'],
      [
        crm,
        'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT SELECT, USAGE ON SEQUENCES TO "analyst"',
      ],
      [
        crm,
        'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT SELECT ON TABLES TO "analyst"',
      ],
    ]);

    const text = await cli('plan');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Plan for databases "${shop}", "${crm}"`);
    const headings = text.stdout
      .split('\n')
      .filter((line) => /^(Cluster-wide|Database )/.test(line));
    expect(headings).toEqual(['Cluster-wide:', `Database "${shop}":`, `Database "${crm}":`]);
    expect(text.stdout).toContain('Plan: 6 to add, 2 to change, 0 to destroy.');

    const sql = await cli('plan', '--format', 'sql');
    expect(sql.stdout).toContain(`COMMIT;\n\\connect "${crm}"\nBEGIN;`);

    // The apply lock is taken in every managed database: an apply holding it in crm (here a
    // session holding the same advisory lock) makes this one wait, then give up.
    const other = new pg.Client({ connectionString: server.url(crm) });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(123623034385508)');
      const busy = await cli('apply', '--yes', '--lock-timeout', '300ms');
      expect(busy.code).toBe(1);
      expect(busy.stderr.split('\n')[0]).toBe(
        `error: another pgward apply is running on database "${crm}" and did not finish within --lock-timeout 300ms; nothing was changed`,
      );
    } finally {
      await other.end();
    }
    expect(await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'analyst'")).toEqual([]);

    const applied = await cli('apply', '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 6 added, 2 changed, 0 destroyed.');
    expect(applied.stdout).toContain(
      'Committed 2 databases one after the other, without two-phase commit (max_prepared_transactions is 0 on this server).',
    );

    expect(await can('analyst', 'SELECT', 'app.orders', shop)).toBe(true);
    expect(await can('analyst', 'SELECT', 'public.notes', shop)).toBe(false);
    expect(await can('analyst', 'SELECT', 'public.notes', crm)).toBe(true);
    expect(await can('analyst', 'SELECT', 'app.orders', crm)).toBe(false);
    // hr is not managed: nothing there.
    expect(await can('analyst', 'SELECT', 'public.notes', hr)).toBe(false);
    const settings = await server.query<{ datname: string | null; setconfig: string[] }>(
      `SELECT d.datname, s.setconfig FROM pg_db_role_setting s
         LEFT JOIN pg_database d ON d.oid = s.setdatabase
        WHERE s.setrole = 'analyst'::regrole ORDER BY 1 NULLS FIRST`,
    );
    expect(settings).toEqual([
      { datname: null, setconfig: ['search_path=app, public'] },
      { datname: shop, setconfig: ['statement_timeout=5s'] },
    ]);

    // The inventory covers every managed database, each with the config as it sees it.
    const inventory = await cli('inventory', '--format', 'json');
    expect(inventory.code, inventory.stderr).toBe(0);
    const byDatabase = (
      JSON.parse(inventory.stdout) as {
        databases: {
          database: string;
          configured_roles: {
            name: string;
            schema_permissions: { schema: string; satisfied: boolean }[];
          }[];
        }[];
      }
    ).databases.map((entry) => [
      entry.database,
      entry.configured_roles.map((role) => [
        role.name,
        role.schema_permissions.map((p) => `${p.schema}:${p.satisfied}`),
      ]),
    ]);
    expect(byDatabase).toEqual([
      [shop, [['analyst', []]]],
      [crm, [['analyst', ['public:true']]]],
    ]);

    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
    expect((await cli('drift')).code).toBe(0);

    // Drift sees a per-database setting and a privilege changed by hand in the second database.
    await server.query(`ALTER ROLE analyst IN DATABASE "${crm}" SET work_mem = '64MB'`);
    await server.query('GRANT INSERT ON public.notes TO analyst', [], crm);
    const drift = await cli('drift', '--format', 'json');
    expect(drift.code).toBe(2);
    expect(changesIn(drift.stdout)).toEqual([
      [crm, `ALTER ROLE "analyst" IN DATABASE "${crm}" RESET "work_mem"`],
      [crm, 'REVOKE INSERT ON TABLE "public"."notes" FROM "analyst"'],
    ]);
    expect((await cli('apply', '--yes')).code).toBe(0);
    expect((await cli('drift')).code).toBe(0);
  });

  it('exports both databases as one config that applies back as a no-op', async () => {
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
    expect(exported.stdout).toContain(`settings:\n  databases: [${shop}, ${crm}]\n`);
    expect(exported.stdout).toContain(
      `    database_config:\n      ${shop}:\n        statement_timeout: "5s"\n`,
    );
    // analyst's grant on app.orders is only in shop, and says so.
    expect(exported.stdout).toContain(
      `        objects:\n          - app.orders\n        databases: [${shop}]\n`,
    );
    const file = await configFile('exported.yaml', exported.stdout);
    const plan = await pgward(['plan', '--detailed-exitcode', '--db', server.url(crm), '-c', file]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('refuses a database named in databases: that "*" does not cover, naming it', async () => {
    const file = await configFile(
      'missing.yaml',
      `version: 1
settings:
  databases: "*"
roles:
  ghost_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [app.orders], databases: [no_such_db] }
`,
    );
    const result = await pgward(['plan', '--db', server.url(shop), '-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toContain(
      'missing.yaml:7:87: database "no_such_db" named in "databases" of role "ghost_reader" is not managed',
    );
  });

  it('without settings.databases, refuses databases: naming another than the connected one', async () => {
    const file = await configFile(
      'single-db.yaml',
      `version: 1
roles:
  clerk:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [app.orders], databases: [${crm}] }
`,
    );
    const result = await pgward(['plan', '--db', server.url(shop), '-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toContain(
      `single-db.yaml:5:87: database "${crm}" named in "databases" of role "clerk" is not managed (managed: "${shop}")`,
    );
  });

  it('names the database where a granted object is missing', async () => {
    await server.query('CREATE TABLE app.only_in_shop (id integer)', [], shop);
    const file = await configFile(
      'object.yaml',
      `version: 1
settings:
  databases: [${shop}, ${crm}]
roles:
  clerk:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [app.only_in_shop] }
`,
    );
    const result = await pgward(['plan', '--db', server.url(shop), '-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(
      new RegExp(`object.yaml:7:\\d+: in database "${crm}": .*app\\.only_in_shop`),
    );
  });
});

describe('dropping a role across databases', () => {
  it('cleans it in every managed database before DROP ROLE, and refuses it for an unmanaged one', async () => {
    await server.query('CREATE ROLE leaver; CREATE ROLE heir');
    for (const database of [shop, crm])
      await server.query(
        'CREATE TABLE app.leaver_t (id integer); ALTER TABLE app.leaver_t OWNER TO leaver; GRANT SELECT ON app.orders TO leaver',
        [],
        database,
      );
    const config = (databases: string) => `version: 1
settings:
  databases: [${databases}]
  unmanaged_roles: drop
  ignore_roles: ["analyst", "clerk", "ghost_reader"]
  reassign_owned_to: heir
roles:
  heir: {}
`;
    // hr unmanaged and holding something: refused at plan time, naming it.
    await server.query('GRANT SELECT ON app.orders TO leaver', [], hr);
    const refused = await configFile('refused.yaml', config(`${shop}, ${crm}`));
    const plan = await pgward(['plan', '--db', server.url(shop), '-c', refused]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`role "leaver" holds privileges on 1 object in database "${hr}"`);

    await server.query('REVOKE SELECT ON app.orders FROM leaver', [], hr);
    const file = await configFile('drop.yaml', config(`${shop}, ${crm}`));
    // Connected to hr, which is not managed: the cluster-wide steps run there.
    const cli = (...args: string[]) => pgward([...args, '--db', server.url(hr), '-c', file]);
    const json = await cli('plan', '--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    expect(changesIn(json.stdout)).toEqual([
      [shop, 'REASSIGN OWNED BY "leaver" TO "heir"'],
      [shop, 'DROP OWNED BY "leaver"'],
      [crm, 'REASSIGN OWNED BY "leaver" TO "heir"'],
      [crm, 'DROP OWNED BY "leaver"'],
      [null, 'DROP ROLE "leaver"'],
    ]);
    const applied = await cli('apply', '--yes');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'leaver'")).toEqual([]);
    for (const database of [shop, crm]) {
      const [owner] = await server.query<{ owner: string }>(
        "SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'app.leaver_t'::regclass",
        [],
        database,
      );
      expect(owner?.owner).toBe('heir');
    }
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });
});

/** PUM's roles, as in its tww example: a viewer and a user who is also a viewer. */
const PUM_ROLES = `roles:
  tww_viewer:
    permissions:
      - { type: read, schemas: [tww_od] }
  tww_user:
    member_of: [tww_viewer]
    permissions:
      - { type: write, schemas: [tww_od] }
`;

describe("PUM's DB-specific roles, lausanne and zurich, in one config", () => {
  it('creates R_S in each database, R a member of each, in one apply', async () => {
    const lausanne = await server.createDatabase('tww_lausanne');
    const zurich = await server.createDatabase('tww_zurich');
    for (const database of [lausanne, zurich])
      await server.query(
        'CREATE SCHEMA tww_od; CREATE TABLE tww_od.pipe (id integer)',
        [],
        database,
      );
    const file = await configFile(
      'pum.yaml',
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["analyst", "clerk", "ghost_reader", "heir"]
  databases:
    ${lausanne}: { suffix: lausanne }
    ${zurich}: { suffix: zurich }
${PUM_ROLES}`,
    );
    const cli = (...args: string[]) => pgward([...args, '--db', server.url(lausanne), '-c', file]);
    const applied = await cli('apply', '--yes');
    expect(applied.code, applied.stderr).toBe(0);

    for (const [database, suffix, other] of [
      [lausanne, 'lausanne', 'zurich'],
      [zurich, 'zurich', 'lausanne'],
    ] as const) {
      expect(await can(`tww_viewer_${suffix}`, 'SELECT', 'tww_od.pipe', database)).toBe(true);
      expect(await can(`tww_user_${suffix}`, 'INSERT', 'tww_od.pipe', database)).toBe(true);
      expect(await can(`tww_viewer_${other}`, 'SELECT', 'tww_od.pipe', database)).toBe(false);
      // The generic role reaches each database's instance.
      expect(await can('tww_viewer', 'SELECT', 'tww_od.pipe', database)).toBe(true);
    }
    const members = await server.query<{ m: string }>(
      `SELECT r.rolname || ' <- ' || m.rolname AS m FROM pg_auth_members a
         JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
        WHERE r.rolname LIKE 'tww%' ORDER BY 1`,
    );
    expect(members.map((row) => row.m)).toEqual([
      'tww_user_lausanne <- tww_user',
      'tww_user_zurich <- tww_user',
      'tww_viewer_lausanne <- tww_user_lausanne',
      'tww_viewer_lausanne <- tww_viewer',
      'tww_viewer_zurich <- tww_user_zurich',
      'tww_viewer_zurich <- tww_viewer',
    ]);
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
    // --suffix keeps working for one database, and leaves the other suffix alone.
    const single = await configFile(
      'single.yaml',
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["analyst", "clerk", "ghost_reader", "heir"]
${PUM_ROLES}`,
    );
    const one = await pgward([
      'plan',
      '--detailed-exitcode',
      '--suffix',
      'zurich',
      '--db',
      server.url(zurich),
      '-c',
      single,
    ]);
    expect(one.code, one.stdout).toBe(0);
  });
});
