/**
 * The CLI as users and scripts see it (spec §3): outputs, exit codes, confirmation, errors on
 * one line. Runs `run()` in-process against a real server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let configs = 0;
/** Writes a config file and returns its path. */
async function config(yaml: string): Promise<string> {
  const file = join(dir, `pgward-${++configs}.yaml`);
  await writeFile(file, yaml);
  return file;
}

/** A config declaring roles with no attributes. */
function rolesConfig(...names: string[]): Promise<string> {
  return config(`version: 1\nroles:\n${names.map((name) => `  ${name}: {}\n`).join('')}`);
}

async function roleExists(name: string): Promise<boolean> {
  const rows = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  return rows.length === 1;
}

describe('pgward validate', () => {
  it('says the file is valid with its number of roles, without any database', async () => {
    const file = await rolesConfig('val_a', 'val_b');
    const result = await runCli(['validate', '-c', file]);
    expect(result).toEqual({ exitCode: 0, stdout: `${file}: valid (2 roles)\n`, stderr: '' });
  });

  it('exits 1 with every problem on a line of its own, with file:line:col', async () => {
    const file = await config(
      ['version: 1', 'roles:', '  val_bad:', '    logn: true', '    superuser: maybe', ''].join(
        '\n',
      ),
    );
    const result = await runCli(['validate', '-c', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    // The first problem is the headline: the first line of stderr says where and what.
    const [headline = '', ...rest] = result.stderr.trimEnd().split('\n');
    expect(headline).toMatch(new RegExp(`^error: ${file}:\\d+:\\d+: `));
    const problems = [headline.slice('error: '.length), ...rest];
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const line of problems) expect(line).toMatch(new RegExp(`^${file}:\\d+:\\d+: `));
    expect(problems.join('\n')).toContain('logn');
    expect(problems.join('\n')).toContain('superuser');
  });

  it('exits 1 when the file does not exist', async () => {
    const result = await runCli(['validate', '-c', join(dir, 'missing.yaml')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).toContain('missing.yaml');
  });
});

describe('pgward plan', () => {
  it('prints the plan and writes nothing; --detailed-exitcode exits 2 with changes', async () => {
    const file = await rolesConfig('plan_new');
    const plain = await runCli(['plan', '-c', file, '--db', server.url()]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('CREATE ROLE "plan_new"');
    expect(plain.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(plain.stdout).not.toContain('\u001b[');
    const detailed = await runCli([
      'plan',
      '-c',
      file,
      '--db',
      server.url(),
      '--detailed-exitcode',
    ]);
    expect(detailed.exitCode).toBe(2);
    expect(await roleExists('plan_new')).toBe(false);
  });

  it('prints the JSON plan of spec §3 with --format json', async () => {
    const file = await rolesConfig('plan_json');
    const result = await runCli(['plan', '-c', file, '--db', server.url(), '--format', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(plan.format_version).toBe(1);
    expect(plan.summary).toEqual({ add: 1, change: 0, destroy: 0 });
    expect(plan.changes).toEqual([
      expect.objectContaining({
        action: 'create',
        kind: 'create_role',
        summary: expect.stringContaining('plan_json') as unknown,
        sql: ['CREATE ROLE "plan_json"'],
      }),
    ]);
  });

  it('prints SQL and markdown views of the same plan', async () => {
    const file = await rolesConfig('plan_views');
    const sql = await runCli(['plan', '-c', file, '--db', server.url(), '--format', 'sql']);
    expect(sql.exitCode, sql.stderr).toBe(0);
    expect(sql.stdout).toContain('CREATE ROLE "plan_views";');
    const markdown = await runCli([
      'plan',
      '-c',
      file,
      '--db',
      server.url(),
      '--format',
      'markdown',
    ]);
    expect(markdown.exitCode, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain('CREATE ROLE "plan_views"');
    expect(markdown.stdout).toMatch(/^#/);
  });

  it('colours only a terminal, and never with --no-color or NO_COLOR', async () => {
    const file = await rolesConfig('plan_colour');
    const args = ['plan', '-c', file, '--db', server.url()];
    expect((await runCli(args, { stdoutTTY: true })).stdout).toContain('\u001b[');
    expect((await runCli([...args, '--no-color'], { stdoutTTY: true })).stdout).not.toContain(
      '\u001b[',
    );
    const noColor = await runCli(args, { stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b[');
  });

  it('colours the inventory marks as it colours the plan: on a terminal, not with NO_COLOR', async () => {
    await server.query('CREATE SCHEMA inv_colour');
    const file = await config(
      'version: 1\nroles:\n  inv_colour_reader:\n    permissions: [{ type: read, schemas: [inv_colour] }]\n',
    );
    await runCli(['apply', '-c', file, '--db', server.url(), '--yes']);
    const args = ['inventory', '-c', file, '--db', server.url()];
    const coloured = await runCli(args, { stdoutTTY: true });
    expect(coloured.exitCode, coloured.stderr).toBe(0);
    // Green ✓ (SGR 32, reset 39), the codes the plan's green `+` lines use.
    expect(coloured.stdout).toContain('  \u001b[32m✓\u001b[39m  inv_colour_reader');
    const noColor = await runCli(args, { stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).toContain('  ✓  inv_colour_reader');
    expect(noColor.stdout).not.toContain('\u001b[');
    expect((await runCli(args)).stdout).not.toContain('\u001b[');
  });

  it('rejects an invalid config before connecting', async () => {
    const file = await config('version: 1\nroles:\n  plan_bad: { superuser: maybe }\n');
    const result = await runCli(['plan', '-c', file, '--db', 'postgresql://nobody@127.0.0.1:1/x']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: ${file}:3:\\d+: .*superuser`));
    expect(result.stderr).not.toContain('connect');
  });
});

describe('pgward apply', () => {
  it('refuses without --yes when stdin is not a terminal, and changes nothing', async () => {
    const file = await rolesConfig('apply_refused');
    const result = await runCli(['apply', '-c', file, '--db', server.url()]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(/^error: .*pass --yes/);
    expect(await roleExists('apply_refused')).toBe(false);
  });

  it("asks on a terminal and applies only on 'yes'", async () => {
    const file = await rolesConfig('apply_asked');
    const args = ['apply', '-c', file, '--db', server.url()];
    const declined = await runCli(args, { tty: true, input: 'y\n' });
    expect(declined.stdout).toContain('CREATE ROLE "apply_asked"');
    expect(declined.stdout).toContain("Apply these changes? Only 'yes' will be accepted:");
    expect(declined.exitCode).toBe(1);
    expect(declined.stderr).toBe('error: apply cancelled; nothing was changed\n');
    expect(await roleExists('apply_asked')).toBe(false);

    const accepted = await runCli(args, { tty: true, input: 'yes\n' });
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain('Apply complete: 1 added, 0 changed, 0 destroyed.');
    expect(await roleExists('apply_asked')).toBe(true);
  });

  it('applies with --yes; then plan shows no changes and drift exits 0', async () => {
    const file = await rolesConfig('apply_yes_a', 'apply_yes_b');
    const db = ['-c', file, '--db', server.url()];
    const applied = await runCli(['apply', '--yes', ...db]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 2 added, 0 changed, 0 destroyed.');
    expect(await roleExists('apply_yes_a')).toBe(true);
    expect(await roleExists('apply_yes_b')).toBe(true);

    const plan = await runCli(['plan', '--detailed-exitcode', ...db]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes');
    const again = await runCli(['apply', '--yes', ...db]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('No changes');
    expect((await runCli(['drift', ...db])).exitCode).toBe(0);
  });

  it('refuses a lock timeout that is not a duration', async () => {
    const file = await rolesConfig('apply_timeout');
    const result = await runCli([
      'apply',
      '--yes',
      '--lock-timeout',
      "1s'; DROP ROLE x; --",
      '-c',
      file,
      '--db',
      server.url(),
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('invalid --lock-timeout');
    expect(await roleExists('apply_timeout')).toBe(false);
  });
});

describe('pgward drift', () => {
  it('exits 2 and shows what changed by hand, 0 once repaired', async () => {
    const file = await config(
      'version: 1\nroles:\n  drift_role:\n    login: true\n    connection_limit: 3\n',
    );
    const db = ['-c', file, '--db', server.url()];
    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    await server.query('ALTER ROLE drift_role NOLOGIN');

    const drift = await runCli(['drift', ...db]);
    expect(drift.exitCode).toBe(2);
    expect(drift.stdout).toContain('ALTER ROLE "drift_role" WITH LOGIN');
    const json = await runCli(['drift', '--format', 'json', ...db]);
    expect(json.exitCode).toBe(2);
    expect((JSON.parse(json.stdout) as { summary: unknown }).summary).toEqual({
      add: 0,
      change: 1,
      destroy: 0,
    });

    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    const repaired = await runCli(['drift', ...db]);
    expect(repaired.exitCode).toBe(0);
    expect(repaired.stdout).toContain('No drift');
  });
});

describe('errors and help', () => {
  it('reports a failed connection on one line, without the password', async () => {
    const file = await rolesConfig('conn_role');
    const closed = await runCli([
      'plan',
      '-c',
      file,
      '--db',
      'postgresql://someone:hunter2secret@127.0.0.1:1/nowhere',
    ]);
    expect(closed.exitCode).toBe(1);
    expect(closed.stderr).toMatch(
      /^error: could not connect to database "nowhere" at 127\.0\.0\.1:1 as "someone": .+\n$/,
    );
    expect(closed.stderr).not.toContain('hunter2secret');

    const url = new URL(server.url());
    url.password = 'wrong-password-xyz';
    const refused = await runCli(['plan', '-c', file, '--db', url.toString()]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^error: could not connect .*password authentication failed/);
    expect(refused.stderr).not.toContain('wrong-password-xyz');
    expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('shows a stack trace only with PGWARD_DEBUG=1', async () => {
    const args = [
      'plan',
      '-c',
      await rolesConfig('debug_role'),
      '--db',
      'postgresql://x@127.0.0.1:1/x',
    ];
    expect((await runCli(args)).stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(args, { env: { PGWARD_DEBUG: '1' } });
    expect(debug.exitCode).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('exits 1 on a command line it does not understand', async () => {
    const unknown = await runCli(['plan', '--bogus']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toBe('error: Unknown argument: bogus\nRun "pgward --help" for usage.\n');
    const none = await runCli([]);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/^error: name a command/);
  });

  it('has --help with a description and examples for every command', async () => {
    for (const command of ['validate', 'plan', 'apply', 'drift']) {
      const help = await runCli([command, '--help']);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toContain(`pgward ${command}`);
      expect(help.stdout).toContain('Examples:');
    }
    const top = await runCli(['--help']);
    expect(top.exitCode).toBe(0);
    for (const command of ['validate', 'plan', 'apply', 'drift']) {
      expect(top.stdout).toContain(`pgward ${command}`);
    }
  });

  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
