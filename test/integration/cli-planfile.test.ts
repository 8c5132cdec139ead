/**
 * Saved plans: `plan --out PLANFILE` then `apply PLANFILE` applies exactly the reviewed plan,
 * refuses it once the database changed (stale), and takes passwords from the config, never
 * from the file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scramMatches } from '../../src/passwords/scram.js';
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

    // No -c at all: a plan that sets no password needs nothing but itself.
    const applied = await runCli([
      'apply',
      planFile,
      '--db',
      server.url(),
      '-c',
      join(dir, 'none.yaml'),
    ]);
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

    await server.query('CREATE ROLE pf_meanwhile');
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
