/**
 * No secrets needed to read (spec §10): validate, plan, drift and inventory work when an
 * `{env}` or `{file}` password cannot be read, with a note per role and the exit code they
 * would have anyway; apply and plan --out still require every secret.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-nosecrets-'));
  file = join(dir, 'pgward.yaml');
  await writeFile(
    file,
    [
      'version: 1',
      'roles:',
      '  ns_alice:',
      '    login: true',
      '    password: { env: NS_ALICE_PASSWORD }',
      '  ns_bob:',
      '    login: true',
      '    password: { file: bob.secret }',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ALICE_NOTE = 'password of role "ns_alice" not checked: NS_ALICE_PASSWORD is not set';
const BOB_NOTE =
  'password of role "ns_bob" not checked: password file "bob.secret" cannot be read (no such file)';

async function roleCount(): Promise<number> {
  const rows = await server.query("SELECT 1 FROM pg_roles WHERE rolname LIKE 'ns\\_%'");
  return rows.length;
}

describe('without the secrets', () => {
  it('validate, plan, drift and inventory read, with a note per password', async () => {
    const db = ['-c', file, '--db', server.url()];
    const validate = await runCli(['validate', '-c', file]);
    expect(validate.exitCode).toBe(0);
    expect(validate.stderr).toBe(`${ALICE_NOTE}\n${BOB_NOTE}\n`);

    const plan = await runCli(['plan', '--detailed-exitcode', ...db]);
    expect(plan.exitCode, plan.stderr).toBe(2);
    expect(plan.stderr.split('\n').slice(0, 2)).toEqual([ALICE_NOTE, BOB_NOTE]);
    expect(plan.stdout).toContain('CREATE ROLE "ns_alice" WITH LOGIN PASSWORD (sensitive)');

    const drift = await runCli(['drift', ...db]);
    expect(drift.exitCode).toBe(2);
    expect(drift.stderr).toContain(ALICE_NOTE);

    const inventory = await runCli(['inventory', ...db]);
    expect(inventory.exitCode, inventory.stderr).toBe(0);
    expect(inventory.stderr).toContain(BOB_NOTE);
  });

  it('apply and plan --out refuse, naming the password, and change nothing', async () => {
    const db = ['-c', file, '--db', server.url()];
    const apply = await runCli(['apply', '--yes', ...db]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr.split('\n')[0]).toMatch(
      /^error: .*pgward\.yaml:5:\d+: environment variable "NS_ALICE_PASSWORD" is not set \(password of role "ns_alice"\)$/,
    );
    expect(apply.stderr).toContain('cannot read password file "bob.secret"');
    expect(await roleCount()).toBe(0);

    const out = join(dir, 'plan.json');
    const saved = await runCli(['plan', '--out', out, ...db]);
    expect(saved.exitCode).toBe(1);
    expect(saved.stderr).toContain('environment variable "NS_ALICE_PASSWORD" is not set');
    expect(existsSync(out)).toBe(false);
  });
});

describe('with the secrets', () => {
  it('applies; then drift needs no secret, and sees password drift only with it', async () => {
    await writeFile(join(dir, 'bob.secret'), 'bob-secret\n');
    const env = { NS_ALICE_PASSWORD: 'alice-secret' };
    const db = ['-c', file, '--db', server.url()];
    const apply = await runCli(['apply', '--yes', ...db], { env });
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(await roleCount()).toBe(2);
    expect((await runCli(['drift', ...db], { env })).exitCode).toBe(0);

    const blind = await runCli(['drift', ...db]);
    expect(blind.exitCode).toBe(0);
    expect(blind.stderr).toBe(`${ALICE_NOTE}\n`);

    await server.query("ALTER ROLE ns_alice PASSWORD 'changed-by-hand'");
    // Without the secret the password cannot be checked: the note says so, nothing else differs.
    expect((await runCli(['drift', ...db])).exitCode).toBe(0);
    const seen = await runCli(['drift', ...db], { env });
    expect(seen.exitCode).toBe(2);
    expect(seen.stdout).toContain('~ set password of "ns_alice" (sensitive)');
    expect((await runCli(['apply', '--yes', ...db], { env })).exitCode).toBe(0);
    expect((await runCli(['drift', ...db], { env })).exitCode).toBe(0);
  });
});
