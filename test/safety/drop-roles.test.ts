/**
 * Safety promise 4: dropping a role (`unmanaged_roles: drop`) never fails at DROP ROLE in the
 * middle of an apply. What the role owns or holds in the connected database goes to
 * `reassign_owned_to` (REASSIGN OWNED) or is dropped (DROP OWNED) first; what it owns or holds
 * in OTHER databases of the cluster (which those commands cannot reach from here), or owning
 * objects with no `reassign_owned_to`, is refused at plan time, saying what and where.
 *
 * Each test ignores the roles of the others (`ignore_roles`): drop looks at the whole cluster.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/calls.js';
import { catalogSnapshot } from '../support/catalog.js';
import { runCli, type CliResult } from '../support/cli.js';
import { connected, urlAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';
import { configFile, firstLine, pgwardWaiting, tempDir, withDefaultIsolation } from './support.js';

const server = useTestServer();

let dir: string;
beforeAll(async () => {
  dir = await tempDir('drop');
});

async function roleExists(name: string): Promise<boolean> {
  return (await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length === 1;
}

/** Every line of stderr (the headline without its `error: `). */
function problemLines(stderr: string): string[] {
  return stderr
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/^error: /, ''));
}

describe('a role with objects or privileges in another database', () => {
  it('is refused at plan time with what it owns and holds, per database, and nothing changes', async () => {
    const east = await server.createDatabase('east');
    const west = await server.createDatabase('west');
    await server.query(`
      CREATE ROLE far_owner NOLOGIN;
      CREATE ROLE far_grantee NOLOGIN;
      CREATE ROLE far_heir NOLOGIN;
      CREATE ROLE far_idle NOLOGIN;
    `);
    await server.query(
      `CREATE SCHEMA sales AUTHORIZATION far_owner;
       CREATE TABLE sales.a (id int); CREATE TABLE sales.b (id int);
       ALTER TABLE sales.a OWNER TO far_owner; ALTER TABLE sales.b OWNER TO far_owner;
       GRANT SELECT ON sales.a TO far_grantee;`,
      [],
      east,
    );
    await server.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE far_owner GRANT SELECT ON TABLES TO far_grantee;
       CREATE TABLE t (id int); GRANT SELECT, INSERT ON t TO far_grantee;
       CREATE TABLE u (id int); GRANT SELECT ON u TO far_grantee;`,
      [],
      west,
    );
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  reassign_owned_to: far_heir
  ignore_roles: ["near_*", "bare_*", "gr_*", "race_*"]
roles:
  far_heir: {}
`,
    );
    const databases = [server.database, east, west];
    const before = await catalogSnapshot(server, databases);
    for (const command of [['plan'], ['apply', '--yes']]) {
      const result = await runCli([...command, '-c', file, '--db', server.url()]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      // far_idle owns nothing anywhere: dropping it alone would be fine, but the plan is refused whole.
      expect(problemLines(result.stderr)).toEqual([
        `role "far_grantee" holds privileges on 1 object in database "${east}"; pgward cannot drop it from "${server.database}"`,
        `role "far_grantee" holds privileges on 3 objects in database "${west}"; pgward cannot drop it from "${server.database}"`,
        `role "far_owner" owns 3 objects in database "${east}"; pgward cannot drop it from "${server.database}"`,
        `role "far_owner" owns 1 object in database "${west}"; pgward cannot drop it from "${server.database}"`,
      ]);
    }
    expect(await catalogSnapshot(server, databases)).toBe(before);
    expect(await roleExists('far_idle')).toBe(true);
    // Cleaned up where they live, they are dropped like any other.
    // (One role per DROP OWNED: naming both makes PostgreSQL visit their shared default ACL twice.)
    for (const database of [east, west])
      await server.query('DROP OWNED BY far_owner; DROP OWNED BY far_grantee', [], database);
    const applied = await runCli(['apply', '--yes', '-c', file, '--db', server.url()]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    for (const role of ['far_owner', 'far_grantee', 'far_idle'])
      expect(await roleExists(role)).toBe(false);
  });
});

describe('a role with objects and privileges in the connected database', () => {
  it('has them reassigned to reassign_owned_to and dropped, then is dropped', async () => {
    const owned = await server.createDatabase('owned');
    await server.query(`
      CREATE ROLE near_heir NOLOGIN;
      CREATE ROLE near_leaver NOLOGIN;
      CREATE ROLE near_reader NOLOGIN;
      CREATE SCHEMA near AUTHORIZATION near_leaver;
      CREATE TABLE near.jobs (id int);
      ALTER TABLE near.jobs OWNER TO near_leaver;
      CREATE TABLE public.near_shared (id int);
      GRANT SELECT, UPDATE ON public.near_shared TO near_leaver;
      GRANT CONNECT, TEMPORARY ON DATABASE ${server.database} TO near_leaver;
      ALTER DEFAULT PRIVILEGES FOR ROLE near_leaver GRANT SELECT ON TABLES TO near_reader;
      ALTER DATABASE ${owned} OWNER TO near_leaver;
    `);
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  reassign_owned_to: near_heir
  ignore_roles: ["far_*", "bare_*", "gr_*", "race_*"]
roles:
  near_heir: {}
  near_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.near_shared] }
`,
    );
    const args = ['-c', file, '--db', server.url()];
    const plan = await runCli(['plan', '--format', 'json', ...args]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const statements = (
      JSON.parse(plan.stdout) as { changes: { sql: string[] }[] }
    ).changes.flatMap((change) => change.sql);
    expect(statements.slice(-3)).toEqual([
      'REASSIGN OWNED BY "near_leaver" TO "near_heir"',
      'DROP OWNED BY "near_leaver"',
      'DROP ROLE "near_leaver"',
    ]);

    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(await roleExists('near_leaver')).toBe(false);
    const [owners] = await server.query<Record<string, string>>(`
      SELECT (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'near') AS schema,
             (SELECT relowner::regrole::text FROM pg_class WHERE oid = 'near.jobs'::regclass) AS "table",
             (SELECT datdba::regrole::text FROM pg_database WHERE datname = '${owned}') AS database,
             (SELECT count(*)::text FROM pg_default_acl) AS default_acls`);
    expect(owners).toEqual({
      schema: 'near_heir',
      table: 'near_heir',
      database: 'near_heir',
      default_acls: '0',
    });
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });

  it('without reassign_owned_to, is refused at plan time when it owns objects', async () => {
    await server.query(`
      CREATE ROLE bare_owner NOLOGIN;
      CREATE TABLE public.bare_table (id int);
      ALTER TABLE public.bare_table OWNER TO bare_owner;
    `);
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["far_*", "near_*", "gr_*", "race_*"]
roles: {}
`,
    );
    const before = await catalogSnapshot(server, [server.database]);
    for (const command of [['plan'], ['apply', '--yes']]) {
      const result = await runCli([...command, '-c', file, '--db', server.url()]);
      expect(result.exitCode).toBe(1);
      expect(problemLines(result.stderr)).toEqual([
        `role "bare_owner" owns 1 object in database "${server.database}"; set settings.reassign_owned_to so that pgward can drop it`,
      ]);
    }
    expect(await catalogSnapshot(server, [server.database])).toBe(before);
  });
});

describe('a role that granted what the config keeps', () => {
  it('is dropped, and the memberships it granted stay (16+ records it as their grantor)', async () => {
    await server.query(`
      CREATE ROLE gr_admin NOLOGIN CREATEROLE;
      CREATE ROLE gr_team NOLOGIN;
      CREATE ROLE gr_alice NOLOGIN;
      GRANT gr_team TO gr_admin WITH ADMIN OPTION;
      SET ROLE gr_admin;
      GRANT gr_team TO gr_alice;
      RESET ROLE;
    `);
    const [row] = await server.query<{ grantor: string }>(
      `SELECT grantor::regrole::text AS grantor FROM pg_auth_members
        WHERE roleid = 'gr_team'::regrole AND member = 'gr_alice'::regrole`,
    );
    expect(row?.grantor).toBe('gr_admin');
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["far_*", "near_*", "bare_*", "race_*"]
roles:
  gr_team: {}
  gr_alice:
    member_of: [gr_team]
`,
    );
    const args = ['-c', file, '--db', server.url()];
    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(await roleExists('gr_admin')).toBe(false);
    const [member] = await server.query<{ ok: boolean }>(
      `SELECT pg_has_role('gr_alice', 'gr_team', 'MEMBER') AS ok`,
    );
    expect(member?.ok).toBe(true);
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });

  it('is dropped, and the privileges it granted through its grant option stay', async () => {
    await server.query(`
      CREATE ROLE gr_lead NOLOGIN;
      CREATE ROLE gr_bob NOLOGIN;
      CREATE TABLE public.gr_reports (id int);
      GRANT SELECT, UPDATE ON public.gr_reports TO gr_lead WITH GRANT OPTION;
      SET ROLE gr_lead;
      GRANT SELECT ON public.gr_reports TO gr_bob;
      RESET ROLE;
    `);
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["far_*", "near_*", "bare_*", "race_*"]
roles:
  gr_team: {}
  gr_alice:
    member_of: [gr_team]
  gr_bob:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.gr_reports] }
`,
    );
    const args = ['-c', file, '--db', server.url()];
    // DROP OWNED revokes gr_lead's grant option, and with it (CASCADE) what gr_lead granted:
    // the plan grants gr_bob's SELECT again, in the owner's name, before the drop.
    const plan = await runCli(['plan', '--format', 'sql', ...args]);
    expect(plan.stdout).toContain('GRANT SELECT ON TABLE "public"."gr_reports" TO "gr_bob";');
    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(await roleExists('gr_lead')).toBe(false);
    const [acl] = await server.query<{ acl: string }>(
      `SELECT relacl::text AS acl FROM pg_class WHERE oid = 'public.gr_reports'::regclass`,
    );
    expect(acl?.acl).toMatch(/gr_bob=r\//);
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });
});

/**
 * `${prefix}_victim` (LOGIN, password victim-pw, may create in public) owning the table
 * public.`${prefix}_old`, and `${prefix}_heir` to reassign to.
 */
async function raceRoles(prefix: string): Promise<void> {
  await server.query(`
    CREATE ROLE ${prefix}_heir NOLOGIN;
    CREATE ROLE ${prefix}_victim LOGIN PASSWORD 'victim-pw';
    GRANT CREATE ON SCHEMA public TO ${prefix}_victim;
    CREATE TABLE public.${prefix}_old (id int);
    ALTER TABLE public.${prefix}_old OWNER TO ${prefix}_victim;
  `);
}

/**
 * The race: a reader holds `table` (owned by `victim`, who logs in with `victim-pw`), so the
 * REASSIGN OWNED of `run` waits for it; meanwhile the victim, still logged in, runs `create`.
 * Then the reader lets go, and `run`'s result is returned.
 */
async function createWhileReassigning(
  victim: string,
  table: string,
  create: readonly string[],
  run: () => Promise<CliResult>,
): Promise<CliResult> {
  const victimClient = await connected(urlAs(server, victim, 'victim-pw'));
  const reader = await connected(server.url());
  try {
    await reader.query('BEGIN');
    // ALTER TABLE OWNER needs the table whole: any lock on it makes REASSIGN OWNED wait.
    await reader.query(`LOCK TABLE ${table} IN ACCESS SHARE MODE`);
    const running = run();
    await waitFor(`pgward to wait on ${table}`, async () => {
      return (await pgwardWaiting(server, 'other')).length > 0;
    });
    for (const statement of create) await victimClient.query(statement);
    await reader.query('COMMIT');
    return await running;
  } finally {
    await reader.end();
    await victimClient.end();
  }
}

/**
 * The race through `apply` (`unmanaged_roles: drop`, `reassign_owned_to`): refused at DROP OWNED,
 * the new table keeps its rows, and the next apply reassigns it too. `ignore` lists the roles
 * of the other tests.
 */
async function raceApply(prefix: string, ignore: string): Promise<void> {
  await raceRoles(prefix);
  const file = await configFile(
    dir,
    `version: 1
settings:
  unmanaged_roles: drop
  reassign_owned_to: ${prefix}_heir
  ignore_roles: ${ignore}
roles:
  ${prefix}_heir: {}
`,
    `${prefix}.yaml`,
  );
  const args = ['-c', file, '--db', server.url()];
  const plan = await runCli(['plan', '--format', 'sql', ...args]);
  expect(plan.stdout).toContain(`REASSIGN OWNED BY "${prefix}_victim" TO "${prefix}_heir";`);
  expect(plan.stdout).toContain(`DROP OWNED BY "${prefix}_victim";`);

  // Meanwhile the role, still logged in, makes a table and fills it.
  const result = await createWhileReassigning(
    `${prefix}_victim`,
    `public.${prefix}_old`,
    [
      `CREATE TABLE public.${prefix}_new (note text)`,
      `INSERT INTO public.${prefix}_new SELECT 'row ' || i FROM generate_series(1, 3) AS i`,
    ],
    () => runCli(['apply', '--yes', '--lock-timeout', '60s', ...args]),
  );
  expect(result.exitCode).toBe(1);
  expect(firstLine(result.stderr)).toBe(
    `error: apply failed at step 2 of 3 (DROP OWNED BY "${prefix}_victim"): role "${prefix}_victim" owns 1 object that REASSIGN OWNED did not take (table public.${prefix}_new), created while pgward was dropping it; DROP OWNED would drop it and its data, so pgward stopped; rolled back, nothing was changed`,
  );
  const owners = async (): Promise<unknown> =>
    server.query(
      `SELECT c.relname, c.relowner::regrole::text AS owner
         FROM pg_class AS c WHERE c.relname IN ($1, $2) ORDER BY 1`,
      [`${prefix}_new`, `${prefix}_old`],
    );
  expect(await roleExists(`${prefix}_victim`)).toBe(true);
  expect(await owners()).toEqual([
    { relname: `${prefix}_new`, owner: `${prefix}_victim` },
    { relname: `${prefix}_old`, owner: `${prefix}_victim` },
  ]);
  const rows = async (): Promise<unknown> =>
    server.query(`SELECT note FROM public.${prefix}_new ORDER BY note`);
  expect(await rows()).toEqual([{ note: 'row 1' }, { note: 'row 2' }, { note: 'row 3' }]);

  // The next apply sees the new table and gives it, rows and all, to reassign_owned_to.
  const again = await runCli(['apply', '--yes', ...args]);
  expect(again.exitCode, again.stderr).toBe(0);
  expect(await roleExists(`${prefix}_victim`)).toBe(false);
  expect(await owners()).toEqual([
    { relname: `${prefix}_new`, owner: `${prefix}_heir` },
    { relname: `${prefix}_old`, owner: `${prefix}_heir` },
  ]);
  expect(await rows()).toEqual([{ note: 'row 1' }, { note: 'row 2' }, { note: 'row 3' }]);
  expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
}

/** The same race through `pgward login drop --reassign-to`. */
async function raceLoginDrop(prefix: string): Promise<void> {
  await raceRoles(prefix);
  const args = ['login', 'drop', `${prefix}_victim`, '--reassign-to', `${prefix}_heir`];
  const result = await createWhileReassigning(
    `${prefix}_victim`,
    `public.${prefix}_old`,
    [`CREATE TABLE public.${prefix}_new AS SELECT 42 AS answer`],
    () => runCli([...args, '--db', server.url()]),
  );
  expect(result.exitCode).toBe(1);
  expect(firstLine(result.stderr)).toBe(
    `error: role "${prefix}_victim" owns 1 object that REASSIGN OWNED did not take (table public.${prefix}_new), created while pgward was dropping it; DROP OWNED would drop it and its data, so pgward stopped`,
  );
  expect(await roleExists(`${prefix}_victim`)).toBe(true);
  expect(await server.query(`SELECT answer FROM public.${prefix}_new`)).toEqual([{ answer: 42 }]);
}

describe('a role that creates a table while it is being dropped', () => {
  it('keeps the table and its rows: DROP OWNED never drops an object', async () => {
    await raceApply('race', '["far_*", "near_*", "bare_*", "gr_*", "rr_*"]');
  });

  it('the same holds for pgward login drop --reassign-to', async () => {
    await raceLoginDrop('race_login');
  });

  // Under REPEATABLE READ the guard before DROP OWNED would read a snapshot from before
  // REASSIGN OWNED waited, miss the new table, and DROP OWNED would drop it with its rows.
  it('the same holds under a database default of repeatable read, for apply', async () => {
    await withDefaultIsolation(server, 'repeatable read', () =>
      raceApply('rr_race', '["far_*", "near_*", "bare_*", "gr_*", "race_*", "rr_login_*"]'),
    );
  });

  it('and for pgward login drop --reassign-to', async () => {
    await withDefaultIsolation(server, 'repeatable read', () => raceLoginDrop('rr_login'));
  });
});
