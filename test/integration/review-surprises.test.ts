/**
 * What a careful user runs into beyond the happy path: a missing or odd config file, a plan
 * file that cannot be written or belongs to another database, bad option values, roles that
 * do not exist, names that differ only in case, and names that are not ASCII or carry terminal
 * escapes. Each case asserts the message a user reads, the exit code and the catalog.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-review-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ DATABASE_URL: server.url() });

async function roleNames(pattern: string): Promise<string[]> {
  const rows = await server.query<{ rolname: string }>(
    'SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY rolname COLLATE "C"',
    [pattern],
  );
  return rows.map((row) => row.rolname);
}

let configs = 0;
async function config(yaml: string): Promise<string> {
  const file = join(dir, `review-${++configs}.yaml`);
  await writeFile(file, yaml);
  return file;
}

const NO_CONFIG_HINT =
  'hint: name the config with -c FILE, or start one from the database with `pgward export > pgward.yaml`';

describe('config files', () => {
  it('plan with no pgward.yaml says where it looked and how to go on', async () => {
    const empty = join(dir, 'no-config-here');
    await mkdir(empty);
    const result = await runCli(['plan'], { cwd: empty, env: env() });
    expect(result).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `error: cannot read config file "pgward.yaml": no such file (looked for ${join(empty, 'pgward.yaml')})\n${NO_CONFIG_HINT}\n`,
    });
  });

  it('-c naming a directory says so', async () => {
    const result = await runCli(['validate', '-c', dir]);
    expect(result).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `error: cannot read config file "${dir}": it is a directory\n`,
    });
  });

  it('an empty file is invalid and says what the least config is', async () => {
    const file = await config('');
    const result = await runCli(['validate', '-c', file]);
    expect(result).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `error: ${file}:1:1: the config is empty; it needs at least "version: 1"\n`,
    });
  });
});

describe('plan files', () => {
  it('plan --out into a missing directory is a one-line error, not an internal one', async () => {
    const file = await config('version: 1\nroles:\n  rv_out: {}\n');
    const result = await runCli(['plan', '-c', file, '--out', 'missing/plan.json'], {
      cwd: dir,
      env: env(),
    });
    expect(result).toEqual({
      exitCode: 1,
      stdout: '',
      stderr:
        'error: cannot write plan file missing/plan.json: directory "missing" does not exist\n',
    });
  });

  it('apply PLANFILE refuses a plan made for another database and changes nothing', async () => {
    const other = await server.createDatabase('review_other');
    const file = await config('version: 1\nroles:\n  rv_elsewhere: {}\n');
    const planned = await runCli(['plan', '-c', file, '--out', 'other.json'], {
      cwd: dir,
      env: { DATABASE_URL: server.url(other) },
    });
    expect(planned.exitCode).toBe(0);

    const result = await runCli(['apply', '-c', file, 'other.json'], { cwd: dir, env: env() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^error: plan is stale: it was planned for database "${other}", not "${server.database}"; nothing was changed, connect to "${other}" to apply it, or run pgward plan here$`,
      ),
    );
    expect(await roleNames('rv_elsewhere')).toEqual([]);
  });
});

describe('option values and names on the command line', () => {
  it('--lock-timeout abc is refused before anything runs', async () => {
    const file = await config('version: 1\nroles:\n  rv_lock: {}\n');
    const result = await runCli(['apply', '-c', file, '--yes', '--lock-timeout', 'abc'], {
      env: env(),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      'error: invalid --lock-timeout "abc": expected a number with an optional unit ms, s, min or h (e.g. 10s)',
    );
    expect(await roleNames('rv_lock')).toEqual([]);
  });

  it('an invalid --format names the option and the choices on the first line', async () => {
    const plan = await runCli(['plan', '--format', 'yaml'], { env: env() });
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr.split('\n')[0]).toBe(
      'error: invalid --format "yaml": choose one of text, json, markdown, sql',
    );
    const drift = await runCli(['drift', '--format', 'sql'], { env: env() });
    expect(drift.exitCode).toBe(1);
    expect(drift.stderr.split('\n')[0]).toBe(
      'error: invalid --format "sql": choose one of text, json, markdown',
    );
  });

  it('members of a missing role and login drop of a missing role exit 1 and say so', async () => {
    expect(await runCli(['members', 'rv_ghost'], { env: env() })).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'error: role "rv_ghost" does not exist\n',
    });
    expect(await runCli(['login', 'drop', 'rv_ghost'], { env: env() })).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'error: role "rv_ghost" does not exist\n',
    });
  });
});

describe('role names', () => {
  it('Reader and reader are two roles; a second apply and drift find nothing to do', async () => {
    const file = await config(
      [
        'version: 1',
        'roles:',
        '  RV_Reader:',
        '    description: upper case',
        '  rv_reader:',
        '    member_of: [RV_Reader]',
        '',
      ].join('\n'),
    );
    const first = await runCli(['apply', '-c', file, '--yes'], { env: env() });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('Apply complete: 3 added, 1 changed, 0 destroyed.');
    expect([...(await roleNames('RV_%')), ...(await roleNames('rv_reader'))]).toEqual([
      'RV_Reader',
      'rv_reader',
    ]);
    const members = await runCli(['members', 'RV_Reader'], { env: env() });
    expect(members).toEqual({ exitCode: 0, stdout: 'rv_reader\n', stderr: '' });

    const again = await runCli(['apply', '-c', file, '--yes'], { env: env() });
    expect(again).toEqual({
      exitCode: 0,
      stdout: 'No changes. The database matches the configuration.\n',
      stderr: '',
    });
    const drift = await runCli(['drift', '-c', file], { env: env() });
    expect(drift.exitCode).toBe(0);
  });

  it('drift --format json is the plan JSON: format_version, changes with action/kind/summary/sql, summary counts', async () => {
    const file = await config('version: 1\nroles:\n  rv_drifting:\n    connection_limit: 2\n');
    expect((await runCli(['apply', '-c', file, '--yes'], { env: env() })).exitCode).toBe(0);
    await server.query('ALTER ROLE rv_drifting CONNECTION LIMIT 7');

    const result = await runCli(['drift', '-c', file, '--format', 'json'], { env: env() });
    expect(result.exitCode).toBe(2);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      format_version: 1,
      summary: { add: 0, change: 1, destroy: 0 },
      changes: [
        {
          action: 'update',
          kind: 'alter_role',
          summary: 'alter role "rv_drifting" (connection limit 2)',
          sql: ['ALTER ROLE "rv_drifting" WITH CONNECTION LIMIT 2'],
        },
      ],
    });
  });

  // Columns a terminal gives each name, counted by hand: CJK characters take two, a letter
  // with a combining accent one.
  const WIDE = 'rv_日本語ロール'; // 3 + 6 × 2
  const ACCENTED = 'rv_u\u0308nicode'; // 3 + 7
  const widthByHand = new Map([
    [WIDE, 15],
    [ACCENTED, 10],
    ['rv_plain', 8],
  ]);

  it('roles and login list line up names that are not ASCII', async () => {
    for (const name of widthByHand.keys())
      await server.query(`CREATE ROLE "${name}" LOGIN CONNECTION LIMIT 4`);

    const roles = await runCli(['roles'], { env: env() });
    expect(roles.exitCode).toBe(0);
    const lines = roles.stdout.split('\n');
    const column = lines[0]!.indexOf('ATTRIBUTES');
    for (const [name, width] of widthByHand)
      expect(lines).toContain(`${name}${' '.repeat(column - width)}login, connection limit 4`);

    const logins = await runCli(['login', 'list'], { env: env() });
    const loginLines = logins.stdout.split('\n');
    const memberOf = loginLines[0]!.indexOf('MEMBER OF');
    for (const [name, width] of widthByHand)
      expect(loginLines).toContainEqual(
        expect.stringMatching(new RegExp(`^${name}${' '.repeat(memberOf - width)}- `)),
      );
  });

  it('inventory lines up such names and shows control characters escaped', async () => {
    await server.query('CREATE SCHEMA rv_app');
    const evil = 'rv_evil\u001b[2J';
    await server.query(`CREATE ROLE "${evil}" LOGIN`);
    for (const name of [...widthByHand.keys(), evil])
      await server.query(`GRANT USAGE ON SCHEMA rv_app TO "${name}"`);
    const file = await config(
      'version: 1\nroles:\n  rv_inv_reader:\n    permissions: [{ type: read, schemas: [rv_app] }]\n',
    );
    const result = await runCli(['inventory', '-c', file], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    const unknown = result.stdout.split('\n').filter((line) => line.startsWith('  ?  rv_'));
    // The widest name is WIDE, 15 columns; the escaped `rv_evil\x1b[2J` takes 14.
    const padded = (name: string, width: number) => name + ' '.repeat(15 - width);
    expect(unknown).toEqual([
      `  ?  ${padded('rv_evil\\x1b[2J', 14)}  rv_app  login`,
      `  ?  ${padded('rv_plain', 8)}  rv_app  login`,
      `  ?  ${padded(ACCENTED, 10)}  rv_app  login`,
      `  ?  ${padded(WIDE, 15)}  rv_app  login`,
    ]);
  });

  it('warnings and errors show control characters in names escaped', async () => {
    const evil = 'rv_warn\u001b[2J';
    await server.query(`CREATE ROLE "${evil}" LOGIN`);
    await server.query(`CREATE TABLE rv_warn_owned (id int)`);
    await server.query(`ALTER TABLE rv_warn_owned OWNER TO "${evil}"`);
    const file = await config(
      'version: 1\nsettings: { unmanaged_roles: report }\nroles:\n  rv_warn_declared: {}\n',
    );
    const plan = await runCli(['plan', '-c', file], { env: env() });
    expect(plan.exitCode).toBe(0);
    expect(plan.stderr).toContain(
      // The name is JSON-escaped, as in every summary (model/summary.ts quoted).
      'warning: role "rv_warn\\u001b[2J" exists but is not in the config: unmanaged_roles: report',
    );
    expect(plan.stderr).not.toContain('\u001b');

    const drop = await runCli(['login', 'drop', evil], { env: env() });
    expect(drop.exitCode).toBe(1);
    expect(drop.stderr.split('\n')[0]).toMatch(/^error: role "rv_warn\\x1b\[2J" owns 1 object/);
    expect(drop.stderr).not.toContain('\u001b');
  });
});
