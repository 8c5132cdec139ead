/**
 * Saved plans: `plan --out PLANFILE` then `apply PLANFILE` applies exactly the reviewed plan,
 * refuses it once something it depends on changed (stale, naming it) but not for unrelated
 * changes, refuses a hand-edited file whatever its shape, and takes passwords from the
 * config, never from the file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scramMatches } from '../../src/passwords/scram.js';
import { planStep, summarizeSteps } from '../../src/plan/build.js';
import { digestOf } from '../../src/plan/fingerprint.js';
import type { Operation, Plan, PlanStep } from '../../src/model/operations.js';
import { planFromJson, planToJson } from '../../src/plan/planfile.js';
import { catalogSnapshot } from '../support/catalog.js';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-planfile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('plan --out and apply PLANFILE', () => {
  it('saves the plan while printing it, and applies exactly that plan', async () => {
    await server.query('CREATE TABLE pf_orders (id int)');
    const config = await write(
      'apply.yaml',
      `version: 1
roles:
  pf_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.pf_orders] }
  pf_login:
    login: true
    member_of: [pf_reader]
`,
    );
    const planFile = join(dir, 'apply-plan.json');
    const planned = await runCli(['plan', '-c', config, '--db', server.url(), '--out', planFile]);
    expect(planned.exitCode, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('CREATE ROLE "pf_reader"');
    expect(planned.stderr).toContain(`Saved the plan to ${planFile}`);
    const saved = JSON.parse(await readFile(planFile, 'utf8')) as {
      format_version: number;
      changes: { sql: string[] }[];
    };
    expect(saved.format_version).toBe(1);
    const statements = saved.changes.flatMap((change) => change.sql);
    expect(statements).toEqual(
      expect.arrayContaining([
        'CREATE ROLE "pf_reader"',
        'CREATE ROLE "pf_login" WITH LOGIN',
        'GRANT SELECT ON TABLE "public"."pf_orders" TO "pf_reader"',
      ]),
    );

    // The config is planned again under the lock: without it, the file is not applied.
    const before = await catalogSnapshot(server, [server.database]);
    const noConfig = await runCli(['apply', planFile, '--db', server.url(), '-c', 'none.yaml']);
    expect(noConfig.exitCode).toBe(1);
    expect(noConfig.stderr).toMatch(/none\.yaml/);
    expect(await catalogSnapshot(server, [server.database])).toBe(before);

    const applied = await runCli(['apply', planFile, '--db', server.url(), '-c', config]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 4 added, 0 changed, 0 destroyed.');
    const [grant] = await server.query<{ ok: boolean }>(
      `SELECT has_table_privilege('pf_login', 'pf_orders', 'SELECT') AS ok`,
    );
    expect(grant?.ok).toBe(true);

    const after = await runCli(['plan', '-c', config, '--db', server.url(), '--detailed-exitcode']);
    expect(after.exitCode, after.stdout).toBe(0);
    expect(after.stdout).toContain('No changes');
  });

  it('refuses a stale plan and leaves the database as it was', async () => {
    await server.query('CREATE TABLE pf_stale (id int)');
    const config = await write(
      'stale.yaml',
      `version: 1
roles:
  pf_stale_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.pf_stale] }
`,
    );
    const planFile = join(dir, 'stale-plan.json');
    expect(
      (await runCli(['plan', '-c', config, '--db', server.url(), '--out', planFile])).exitCode,
    ).toBe(0);

    await server.query('GRANT DELETE ON pf_stale TO PUBLIC');
    const before = await catalogSnapshot(server, [server.database]);
    const result = await runCli(['apply', planFile, '-c', config, '--db', server.url()]);
    expect(result.exitCode).toBe(1);
    const [headline] = result.stderr.split('\n');
    expect(headline).toMatch(/^error: plan is stale: /);
    expect(headline).toContain('nothing was changed');
    expect(await catalogSnapshot(server, [server.database])).toBe(before);
  });

  it('takes passwords from the config when applying a plan file; the file has none', async () => {
    const config = await write(
      'password.yaml',
      `version: 1
roles:
  pf_app:
    login: true
    password: { env: PF_APP_PASSWORD }
`,
    );
    const env = { PF_APP_PASSWORD: 'tr0ub4dor&3-planfile' };
    const planFile = join(dir, 'password-plan.json');
    const planned = await runCli(['plan', '-c', config, '--db', server.url(), '--out', planFile], {
      env,
    });
    expect(planned.exitCode, planned.stderr).toBe(0);
    const text = await readFile(planFile, 'utf8');
    expect(text).toContain('PASSWORD (sensitive)');
    expect(text).not.toContain('tr0ub4dor');
    expect(text).not.toContain('SCRAM-SHA-256$');

    const withoutSecret = await runCli(['apply', planFile, '-c', config, '--db', server.url()]);
    expect(withoutSecret.exitCode).toBe(1);
    expect(withoutSecret.stderr).toContain('PF_APP_PASSWORD');
    expect(await server.query(`SELECT 1 FROM pg_roles WHERE rolname = 'pf_app'`)).toEqual([]);

    const applied = await runCli(['apply', planFile, '-c', config, '--db', server.url()], { env });
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(`${applied.stdout}${applied.stderr}`).not.toMatch(/tr0ub4dor|SCRAM-SHA-256\$/);
    const [stored] = await server.query<{ rolpassword: string }>(
      `SELECT rolpassword FROM pg_authid WHERE rolname = 'pf_app'`,
    );
    expect(scramMatches('tr0ub4dor&3-planfile', stored?.rolpassword ?? '')).toBe(true);
  });

  it('refuses a file that is not a plan, and --suffix with a plan file', async () => {
    const notPlan = await write('not-a-plan.json', '{"hello": "world"}');
    const result = await runCli(['apply', notPlan, '--db', server.url()]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: .*not-a-plan\.json is not a pgward plan file/);

    const broken = await write('broken.json', '{"format_version": 1,');
    expect((await runCli(['apply', broken, '--db', server.url()])).stderr).toMatch(
      /is not a pgward plan file/,
    );

    const suffixed = await runCli(['apply', notPlan, '--suffix', 'x', '--db', server.url()]);
    expect(suffixed.exitCode).toBe(1);
    expect(suffixed.stderr).toContain('--suffix cannot be used with a PLANFILE');
  });
});

/** Reads a saved plan file, for a test to edit it as an attacker would. */
async function readPlan(file: string): Promise<Plan> {
  return planFromJson(JSON.parse(await readFile(file, 'utf8')));
}

/**
 * The plan with other steps, written so that the file holds together: each step's SQL is what
 * its operation renders, the summary counts them, the fingerprints are the original ones.
 */
function withSteps(plan: Plan, steps: readonly PlanStep[]): Plan {
  return { ...plan, steps, summary: summarizeSteps(steps) };
}

function step(plan: Plan, operation: Operation): PlanStep {
  return planStep(operation, plan.serverVersionNum);
}

/** The plan with each step whose operation `edit` returns anew replaced, SQL to match. */
function editSteps(plan: Plan, edit: (operation: Operation) => Operation | undefined): Plan {
  return withSteps(
    plan,
    plan.steps.map((s) => {
      const edited = edit(s.operation);
      return edited === undefined ? s : step(plan, edited);
    }),
  );
}

describe('a hand-edited plan file', () => {
  const config = (): Promise<string> =>
    write(
      'forge.yaml',
      `version: 1
roles:
  pf_f_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.pf_forge] }
  pf_f_login:
    login: true
    member_of: [pf_f_reader]
`,
    );
  let file: string;
  let saved: Plan;

  beforeAll(async () => {
    await server.query('CREATE TABLE pf_forge (id int); CREATE TABLE pf_forge_secret (id int)');
    file = join(dir, 'forge-plan.json');
    const planned = await runCli([
      'plan',
      '-c',
      await config(),
      '--db',
      server.url(),
      '--out',
      file,
    ]);
    expect(planned.exitCode, planned.stderr).toBe(0);
    saved = await readPlan(file);
    expect(saved.steps.map((s) => s.sql.join('; '))).toEqual([
      'CREATE ROLE "pf_f_login" WITH LOGIN',
      'CREATE ROLE "pf_f_reader"',
      'GRANT "pf_f_reader" TO "pf_f_login"',
      'GRANT SELECT ON TABLE "public"."pf_forge" TO "pf_f_reader"',
    ]);
  });

  /** Applies `forged` as a plan file: exit 1, one line, the catalog as it was. */
  async function refused(name: string, forged: unknown): Promise<string> {
    const forgedFile = await write(`${name}.json`, JSON.stringify(forged));
    const before = await catalogSnapshot(server, [server.database]);
    const result = await runCli(['apply', forgedFile, '-c', await config(), '--db', server.url()]);
    expect(result.exitCode, result.stdout).toBe(1);
    expect(await catalogSnapshot(server, [server.database])).toBe(before);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0] ?? '';
  }

  const EDITED = /^error: plan is stale or was edited: .*nothing was changed/;

  it.each([
    [
      'a step appended: ALTER ROLE "postgres" WITH NOLOGIN',
      (plan: Plan): Plan =>
        withSteps(plan, [
          ...plan.steps,
          step(plan, { type: 'alter_role', role: 'postgres', changes: { login: false } }),
        ]),
      /its change 5 "alter role "postgres"/,
    ],
    [
      'superuser: true in a create_role step, with SQL to match',
      (plan: Plan): Plan =>
        editSteps(plan, (op) =>
          op.type === 'create_role' && op.role === 'pf_f_login'
            ? { ...op, attributes: { ...op.attributes, superuser: true } }
            : undefined,
        ),
      /its change 1 "create role "pf_f_login" \(login, superuser\)"/,
    ],
    [
      'a step removed',
      (plan: Plan): Plan =>
        withSteps(
          plan,
          plan.steps.filter((s) => s.operation.type !== 'grant_membership'),
        ),
      /its change 3 "grant SELECT/,
    ],
    [
      'two steps swapped',
      (plan: Plan): Plan => {
        const [login, reader, ...rest] = plan.steps;
        return withSteps(plan, [reader, login, ...rest] as PlanStep[]);
      },
      /its change 1 "create role "pf_f_reader""/,
    ],
    [
      'a grant moved to another table, with SQL to match',
      (plan: Plan): Plan =>
        editSteps(plan, (op) =>
          op.type === 'grant_privileges'
            ? {
                ...op,
                target: {
                  scope: 'objects',
                  kind: 'table',
                  objects: [{ kind: 'table', schema: 'public', name: 'pf_forge_secret' }],
                },
              }
            : undefined,
        ),
      /pf_forge_secret/,
    ],
    ['another suffix', (plan: Plan): Plan => ({ ...plan, suffix: 'x' }), /its change 1 /],
  ])('is refused with the catalog unchanged: %s', async (_shape, forge, detail) => {
    const headline = await refused('forged', planToJson(forge(saved)));
    expect(headline).toMatch(EDITED);
    expect(headline).toMatch(detail);
    const [postgres] = await server.query<{ rolcanlogin: boolean }>(
      `SELECT rolcanlogin FROM pg_roles WHERE rolname = 'postgres'`,
    );
    expect(postgres?.rolcanlogin).toBe(true);
  });

  it('is refused for another database, format_version or SQL unlike its operation', async () => {
    const json = planToJson(saved);
    expect(await refused('database', { ...json, database: 'pf_elsewhere' })).toMatch(
      /^error: plan is stale: it was planned for database "pf_elsewhere", not "/,
    );
    expect(await refused('version', { ...json, format_version: 2 })).toMatch(
      /format_version 2 is not supported/,
    );
    const sqlEdited = JSON.parse(JSON.stringify(json)) as { changes: { sql: string[] }[] };
    const last = sqlEdited.changes.at(-1);
    if (last) last.sql = ['GRANT ALL ON TABLE "public"."pf_forge_secret" TO "pf_f_reader"'];
    expect(await refused('sql', sqlEdited)).toMatch(/was the plan file edited\?/);
  });

  it('is applied as saved when nobody edited it, and the config then converges', async () => {
    const applied = await runCli(['apply', file, '-c', await config(), '--db', server.url()]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const [row] = await server.query<{ reads: boolean; secret: boolean }>(
      `SELECT has_table_privilege('pf_f_login', 'pf_forge', 'SELECT') AS reads,
              has_table_privilege('pf_f_login', 'pf_forge_secret', 'SELECT') AS secret`,
    );
    expect(row).toEqual({ reads: true, secret: false });
    const again = await runCli([
      'plan',
      '-c',
      await config(),
      '--db',
      server.url(),
      '--detailed-exitcode',
    ]);
    expect(again.exitCode, again.stdout).toBe(0);
  });
});

describe('staleness is scoped to what the plan depends on', () => {
  async function savePlan(name: string): Promise<{ config: string; file: string }> {
    await server.query(`CREATE TABLE public.${name}_t (id int); CREATE ROLE ${name}_grp`);
    const config = await write(
      `${name}.yaml`,
      `version: 1
roles:
  ${name}_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.${name}_t] }
`,
    );
    const file = join(dir, `${name}-plan.json`);
    const planned = await runCli(['plan', '-c', config, '--db', server.url(), '--out', file]);
    expect(planned.exitCode, planned.stderr).toBe(0);
    return { config, file };
  }

  it('applies a plan after unrelated changes: a schema, a comment on an unmanaged role, a table elsewhere', async () => {
    const { config, file } = await savePlan('pf_u');
    await server.query(`
      CREATE SCHEMA pf_unrelated;
      CREATE TABLE pf_unrelated.other (id int);
      GRANT SELECT ON pf_unrelated.other TO pf_u_grp;
      COMMENT ON ROLE pf_u_grp IS 'made by hand';
      CREATE ROLE pf_u_bystander;`);
    const applied = await runCli(['apply', file, '-c', config, '--db', server.url()]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 2 added');
    const [row] = await server.query<{ ok: boolean }>(
      `SELECT has_table_privilege('pf_u_reader', 'public.pf_u_t', 'SELECT') AS ok`,
    );
    expect(row?.ok).toBe(true);
    const again = await runCli(['plan', '-c', config, '--db', server.url(), '--detailed-exitcode']);
    expect(again.exitCode, again.stdout).toBe(0);
  });

  it.each([
    [
      'a grant to PUBLIC on the table',
      'GRANT UPDATE ON public.pf_s1_t TO PUBLIC',
      'pf_s1',
      'table "public.pf_s1_t": privileges changed',
      'REVOKE UPDATE ON public.pf_s1_t FROM PUBLIC',
    ],
    [
      'a grant to an unmanaged role on the table',
      'GRANT DELETE ON public.pf_s2_t TO pf_s2_grp',
      'pf_s2',
      'table "public.pf_s2_t": privileges changed',
      'REVOKE DELETE ON public.pf_s2_t FROM pf_s2_grp',
    ],
    [
      'the role the plan creates, created by hand',
      'CREATE ROLE pf_s3_reader',
      'pf_s3',
      'role "pf_s3_reader": created',
      'DROP ROLE pf_s3_reader',
    ],
    [
      'the table dropped',
      'DROP TABLE public.pf_s4_t',
      'pf_s4',
      'table "public.pf_s4_t": dropped',
      'CREATE TABLE public.pf_s4_t (id int)',
    ],
  ])(
    'refuses a plan as stale after %s, naming it; undone, the plan applies',
    async (_what, change, name, named, undo) => {
      const { config, file } = await savePlan(name);
      await server.query(change);
      const before = await catalogSnapshot(server, [server.database]);
      const result = await runCli(['apply', file, '-c', config, '--db', server.url()]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        `error: plan is stale: ${named} since it was planned; nothing was changed, run pgward plan again\n`,
      );
      expect(await catalogSnapshot(server, [server.database])).toBe(before);

      await server.query(undo);
      const applied = await runCli(['apply', file, '-c', config, '--db', server.url()]);
      expect(applied.exitCode, applied.stderr).toBe(0);
    },
  );

  it("names a managed role's memberships", async () => {
    const { config, file } = await savePlan('pf_m');
    const first = await runCli(['apply', file, '-c', config, '--db', server.url()]);
    expect(first.exitCode, first.stderr).toBe(0);
    // A new plan that has something to do, then a membership granted by hand.
    await server.query('CREATE TABLE public.pf_m_more (id int)');
    const more = await write(
      'pf_m_more.yaml',
      `version: 1
roles:
  pf_m_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.pf_m_t, public.pf_m_more] }
`,
    );
    const planned = await runCli(['plan', '-c', more, '--db', server.url(), '--out', file]);
    expect(planned.exitCode, planned.stderr).toBe(0);
    await server.query('GRANT pf_m_grp TO pf_m_reader');
    const result = await runCli(['apply', file, '-c', more, '--db', server.url()]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      'error: plan is stale: role "pf_m_reader": memberships changed since it was planned; nothing was changed, run pgward plan again',
    );
  });

  /** The saved plan's JSON, for a test to edit it as an attacker would. */
  async function savedJson(file: string): Promise<Record<string, unknown>> {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  }

  it.each([
    ['with no fingerprints at all', 'pf_n1', undefined, 'role "pf_n1_reader": attributes'],
    [
      "with the table's privileges left out",
      'pf_n2',
      'table "public.pf_n2_t": privileges',
      'table "public.pf_n2_t": privileges',
    ],
  ])(
    'refuses a file %s, its digest recomputed',
    async (_shape, name: string, leftOut: string | undefined, named: string) => {
      const { config, file } = await savePlan(name);
      const json = await savedJson(file);
      const all = json.fingerprints as Record<string, string>;
      const fingerprints =
        leftOut === undefined
          ? {}
          : Object.fromEntries(Object.entries(all).filter(([key]) => key !== leftOut));
      const forged = await write(
        `${name}-forged.json`,
        JSON.stringify({ ...json, fingerprints, fingerprint: digestOf(fingerprints) }),
      );
      // What the left-out fingerprint was there to catch: the table granted to PUBLIC.
      await server.query(`GRANT SELECT ON public.${name}_t TO PUBLIC`);
      const before = await catalogSnapshot(server, [server.database]);
      const result = await runCli(['apply', forged, '-c', config, '--db', server.url()]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        `error: plan is stale or was edited: it has no fingerprint for ${named}, which the plan depends on now; was the plan file edited, or the config or the database changed since it was saved? nothing was changed, run pgward plan again\n`,
      );
      expect(await catalogSnapshot(server, [server.database])).toBe(before);
      // The file as saved names what changed.
      const original = await runCli(['apply', file, '-c', config, '--db', server.url()]);
      expect(original.stderr).toBe(
        `error: plan is stale: table "public.${name}_t": privileges changed since it was planned; nothing was changed, run pgward plan again\n`,
      );
    },
  );

  it('checks an emptied plan file as any other: database, version, re-plan', async () => {
    const { config, file } = await savePlan('pf_e');
    const json = await savedJson(file);
    const emptied = { ...json, changes: [], summary: { add: 0, change: 0, destroy: 0 } };
    const before = await catalogSnapshot(server, [server.database]);
    const apply = async (name: string, forged: unknown): Promise<string> => {
      const forgedFile = await write(name, JSON.stringify(forged));
      const result = await runCli(['apply', forgedFile, '-c', config, '--db', server.url()]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).not.toContain('No changes');
      expect(await catalogSnapshot(server, [server.database])).toBe(before);
      return result.stderr;
    };
    expect(
      await apply('pf_e-elsewhere.json', {
        ...emptied,
        database: 'pf_elsewhere',
        server_version_num: 1,
      }),
    ).toMatch(/^error: plan is stale: it was planned for database "pf_elsewhere", not "/);
    expect(await apply('pf_e-version.json', { ...emptied, server_version_num: 1 })).toMatch(
      /^error: plan is stale: it was planned on server version 1, this server is \d+;/,
    );
    expect(await apply('pf_e-emptied.json', emptied)).toMatch(
      /^error: plan is stale or was edited: the config and the database call for "create role "pf_e_reader"" after its last change;/,
    );

    // A plan saved empty is "no changes" only while what it depends on is as it was.
    expect((await runCli(['apply', '--yes', '-c', config, '--db', server.url()])).exitCode).toBe(0);
    const planned = await runCli(['plan', '-c', config, '--db', server.url(), '--out', file]);
    expect(planned.exitCode, planned.stderr).toBe(0);
    expect((await savedJson(file)).changes).toEqual([]);
    const empty = await runCli(['apply', file, '-c', config, '--db', server.url()]);
    expect(empty.exitCode, empty.stderr).toBe(0);
    expect(empty.stdout).toBe('No changes. The database matches the configuration.\n');
    await server.query('GRANT UPDATE ON public.pf_e_t TO PUBLIC');
    const stale = await runCli(['apply', file, '-c', config, '--db', server.url()]);
    expect(stale.exitCode).toBe(1);
    expect(stale.stdout).toBe('');
    expect(stale.stderr).toBe(
      'error: plan is stale: table "public.pf_e_t": privileges changed since it was planned; nothing was changed, run pgward plan again\n',
    );
  });

  it('reads only a regular file of bounded size: /dev/zero and a FIFO are refused at once', async () => {
    const { config } = await savePlan('pf_d');
    const zero = await runCli(['apply', '/dev/zero', '-c', config, '--db', server.url()]);
    expect(zero.exitCode).toBe(1);
    expect(zero.stderr).toBe(
      'error: cannot read plan file /dev/zero: it is a character device, not a regular file\n',
    );
    const fifo = join(dir, 'plan.fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const piped = await runCli(['apply', fifo, '-c', config, '--db', server.url()]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(piped.exitCode).toBe(1);
    expect(piped.stderr).toBe(
      `error: cannot read plan file ${fifo}: it is a named pipe (FIFO), not a regular file\n`,
    );
  });
});

describe('a saved plan with owners, PUBLIC and policies (spec §9)', () => {
  const SETUP = `
    CREATE ROLE pf9_old; CREATE ROLE pf9_owner; CREATE ROLE pf9_app;
    CREATE SCHEMA app AUTHORIZATION pf9_old;
    SET ROLE pf9_old;
    CREATE TABLE app.notes (id int, owner_name text);
    GRANT SELECT ON app.notes TO PUBLIC;
    RESET ROLE;`;
  const CONFIG = `version: 1
public:
  manage: [table]
roles:
  pf9_owner:
    owns:
      - { object_type: table, objects: [app.notes] }
  pf9_app:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [app] }
      - { privileges: [SELECT], object_type: table, objects: [app.notes] }
tables:
  app.notes:
    row_security: enabled
    policies:
      mine:
        roles: [pf9_app]
        using: "owner_name = current_user"
`;

  it('round-trips plan --out → apply PLANFILE, and is refused once a policy changed by hand', async () => {
    const database = await server.createDatabase('pf9');
    await server.query(SETUP, [], database);
    const file = await write('pf9.yaml', CONFIG);
    const planFile = join(dir, 'pf9-plan.json');
    const planned = await runCli([
      'plan',
      '-c',
      file,
      '--db',
      server.url(database),
      '--out',
      planFile,
    ]);
    expect(planned.exitCode, planned.stderr).toBe(0);
    const saved = JSON.parse(await readFile(planFile, 'utf8')) as {
      changes: { kind: string }[];
      fingerprints: Record<string, string>;
    };
    expect(saved.changes.map((change) => change.kind)).toEqual(
      expect.arrayContaining(['alter_owner', 'revoke_public', 'create_policy', 'set_row_security']),
    );
    expect(Object.keys(saved.fingerprints)).toEqual(
      expect.arrayContaining(['table "app.notes": owner', 'table "app.notes": row security']),
    );

    const applied = await runCli(['apply', planFile, '--db', server.url(database), '-c', file]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const check = await server.query<{
      owner: string;
      rls: boolean;
      policies: string;
      pub: boolean;
    }>(
      `SELECT pg_catalog.pg_get_userbyid(c.relowner)::text AS owner, c.relrowsecurity AS rls,
              (SELECT pg_catalog.string_agg(polname, ',') FROM pg_catalog.pg_policy WHERE polrelid = c.oid) AS policies,
              pg_catalog.has_table_privilege('public', c.oid, 'SELECT') AS pub
         FROM pg_catalog.pg_class c WHERE c.oid = 'app.notes'::regclass`,
      [],
      database,
    );
    expect(check[0]).toEqual({ owner: 'pf9_owner', rls: true, policies: 'mine', pub: false });
    const again = await runCli(['plan', '-c', file, '--db', server.url(database)]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes');

    // A saved plan is refused, naming the table, once its policies changed by hand.
    await server.query('DROP POLICY mine ON app.notes', [], database);
    const second = join(dir, 'pf9-plan-2.json');
    const replanned = await runCli([
      'plan',
      '-c',
      file,
      '--db',
      server.url(database),
      '--out',
      second,
    ]);
    expect(replanned.exitCode, replanned.stderr).toBe(0);
    await server.query(
      'CREATE POLICY mine ON app.notes TO pf9_app USING (owner_name = current_user)',
      [],
      database,
    );
    const stale = await runCli(['apply', second, '--db', server.url(database), '-c', file]);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr.split('\n')[0]).toContain('table "app.notes": row security changed');
  });
});
