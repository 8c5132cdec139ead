/**
 * Role settings converge: after apply, plan is empty. PostgreSQL stores a list setting with
 * its elements quoted as identifiers where needed (`"MyApp", public`), an empty quoted list
 * as `""`, and a setting under its own spelling (`work_mem` for `Work_Mem`); pgward compares
 * in that form, so none of these is planned again forever (each used to make apply fail its
 * convergence check).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../safety/support.js';

const server = useTestServer();

let dir: string;
beforeAll(async () => {
  dir = await tempDir('settings');
});

async function storedSettings(role: string): Promise<string[]> {
  const [row] = await server.query<{ setconfig: string[] | null }>(
    `SELECT s.setconfig FROM pg_db_role_setting AS s JOIN pg_roles AS r ON r.oid = s.setrole
      WHERE r.rolname = $1 AND s.setdatabase = 0`,
    [role],
  );
  return row?.setconfig ?? [];
}

const CASES: [string, string, string[]][] = [
  ['upper case element', `search_path: 'MyApp, public'`, ['search_path="MyApp", public']],
  [
    'elements with spaces, a quote, non-ASCII, a dot',
    `search_path: 'my app, "x""y", café, a.b, "$user"'`,
    ['search_path="my app", "x""y", "café", "a.b", "$user"'],
  ],
  ['an empty quoted list', `temp_tablespaces: ''`, ['temp_tablespaces=""']],
  ['an empty preload list', `session_preload_libraries: ''`, ['session_preload_libraries=""']],
  ['a mixed-case setting name', `Work_Mem: '8MB'`, ['work_mem=8MB']],
  ['DateStyle, a list stored unquoted', `DateStyle: 'iso,mdy'`, ['DateStyle=iso, mdy']],
];

describe('role settings PostgreSQL stores in another form', () => {
  it.each(CASES)('%s: apply, then plan is empty', async (label, setting, stored) => {
    const role = `set_${label.replace(/\W+/g, '_')}`.slice(0, 40);
    const file = join(dir, `${role}.yaml`);
    await writeFile(
      file,
      `version: 1\nroles:\n  ${role}:\n    config:\n      ${setting}\n      statement_timeout: 30s\n`,
    );
    const apply = await runCli(['apply', '--yes', '-c', file, '--db', server.url()]);
    expect(apply.stderr).toBe('');
    expect(apply.exitCode).toBe(0);
    expect((await storedSettings(role)).sort()).toEqual(
      [...stored, 'statement_timeout=30s'].sort(),
    );
    const plan = await runCli(['plan', '--detailed-exitcode', '-c', file, '--db', server.url()]);
    expect(plan.stdout).toContain('No changes');
    expect(plan.exitCode).toBe(0);
  });

  it('resets a setting stored under another spelling when the config drops it', async () => {
    await server.query(`CREATE ROLE set_reset; ALTER ROLE set_reset SET "MyApp.Flag" = 'on'`);
    expect(await storedSettings('set_reset')).toEqual(['MyApp.Flag=on']);
    const file = join(dir, 'reset.yaml');
    await writeFile(file, `version: 1\nroles:\n  set_reset:\n    config: {}\n`);
    const apply = await runCli(['apply', '--yes', '-c', file, '--db', server.url()]);
    expect(apply.stderr).toBe('');
    expect(await storedSettings('set_reset')).toEqual([]);
    const same = join(dir, 'same.yaml');
    await server.query(`ALTER ROLE set_reset SET "MyApp.Flag" = 'on'`);
    await writeFile(same, `version: 1\nroles:\n  set_reset:\n    config: { myapp.flag: 'on' }\n`);
    const plan = await runCli(['plan', '--detailed-exitcode', '-c', same, '--db', server.url()]);
    expect(plan.exitCode).toBe(0);
  });
});
