/**
 * Messages a newcomer (often from PUM) meets on day one (issue 15): an unknown command is
 * called unknown before the suggestion; a `valid_until` already past is a warning in
 * `validate` and `plan`; `--help` lists only the options a command uses; PUM's
 * `inherit: ROLE` and its list of roles get a hint showing the pgward way.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useConfigFiles } from '../support/config-files.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
const config = useConfigFiles('pgward-messages-');

describe('an unknown command', () => {
  it('is named as unknown first, then the suggestion', async () => {
    expect(await runCli(['plna'])).toEqual({
      exitCode: 1,
      stdout: '',
      stderr:
        'error: unknown command "plna"; did you mean "plan"?\nRun "pgward --help" for usage.\n',
    });
    const login = await runCli(['-c', 'x.yaml', 'login', 'crate', 'bob']);
    expect(login.exitCode).toBe(1);
    expect(login.stderr.split('\n')[0]).toBe(
      'error: unknown command "crate"; did you mean "create"?',
    );
  });
});

describe('valid_until in the past', () => {
  const PAST = `version: 1
roles:
  msg_expired:
    login: true
    valid_until: "2020-01-01"
  msg_current:
    login: true
    valid_until: "2999-12-31"
`;
  const warning =
    'role "msg_expired": valid_until 2020-01-01T00:00:00.000Z is already in the past, so its password no longer lets it log in; set a later date, or null for no expiry';

  it('is a warning (with its place) in validate, which still exits 0', async () => {
    const file = await config(PAST);
    expect(await runCli(['validate', '-c', file])).toEqual({
      exitCode: 0,
      stdout: `${file}: valid (2 roles)\n`,
      stderr: `warning: ${file}:3:3: ${warning}\n`,
    });
  });

  it('is a warning of the plan, in text and JSON', async () => {
    const file = await config(PAST);
    const text = await runCli(['plan', '-c', file, '--db', server.url()]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stderr).toBe(`warning: ${warning}\n`);
    const json = await runCli(['plan', '--format', 'json', '-c', file, '--db', server.url()]);
    expect((JSON.parse(json.stdout) as { warnings: string[] }).warnings).toEqual([warning]);
  });
});

describe('--help', () => {
  /** The long option names a command's help lists. */
  async function options(command: readonly string[]): Promise<string[]> {
    const result = await runCli([...command, '--help']);
    expect(result.exitCode, command.join(' ')).toBe(0);
    return [...result.stdout.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1] ?? '');
  }

  it('lists only the global options a command uses', async () => {
    const cases: [string[], { has: string[]; lacks: string[] }][] = [
      [['login', 'create'], { has: ['--db', '--password-env'], lacks: ['--config', '--sandbox'] }],
      [['login', 'drop'], { has: ['--db', '--reassign-to'], lacks: ['--config', '--sandbox'] }],
      [['login', 'list'], { has: ['--db', '--sandbox', '--all'], lacks: ['--config'] }],
      [['members'], { has: ['--db', '--sandbox', '--recursive'], lacks: ['--config'] }],
      [['roles'], { has: ['--db', '--sandbox'], lacks: ['--config'] }],
      [['grants'], { has: ['--db', '--sandbox'], lacks: ['--config'] }],
      [['export'], { has: ['--db', '--sandbox'], lacks: ['--config'] }],
      [['validate'], { has: ['--config'], lacks: ['--db', '--sandbox'] }],
      [['plan'], { has: ['--config', '--db', '--sandbox'], lacks: [] }],
      [['inventory'], { has: ['--config', '--db', '--sandbox'], lacks: [] }],
    ];
    for (const [command, { has, lacks }] of cases) {
      const listed = await options(command);
      for (const option of has) expect(listed, command.join(' ')).toContain(option);
      for (const option of lacks) expect(listed, command.join(' ')).not.toContain(option);
    }
  });

  it('login create says that unmanaged_roles: drop would drop the role, and refuses --sandbox', async () => {
    const help = await runCli(['login', 'create', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      'A config with settings.unmanaged_roles: drop drops every role it does not declare, this one included, at its next apply: list it (or a glob such as "app_*") in settings.ignore_roles to keep it.',
    );
    const sandbox = await runCli(['login', 'create', 'msg_nobody', '--sandbox']);
    expect(sandbox.exitCode).toBe(1);
    expect(sandbox.stderr.split('\n')[0]).toBe(
      "error: login create does not take --sandbox: it changes the roles of the server it connects to, and a throwaway server's roles are removed with it",
    );
  });
});

describe('PUM-style config', () => {
  it('inherit: ROLE gets a hint to write member_of', async () => {
    const file = await config('version: 1\nroles:\n  reader: {}\n  editor:\n    inherit: reader\n');
    expect(await runCli(['validate', '-c', file])).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: [
        `error: ${file}:5:14: "inherit" in role "editor" must be true or false, got "reader"`,
        `  hint: pgward's inherit is the INHERIT attribute (true or false); to make this role a member of "reader" as PUM's inherit does, write member_of: [reader]`,
        '',
      ].join('\n'),
    });
  });

  it('a list of roles with name: gets a hint to write a mapping', async () => {
    const file = await config(`version: 1
roles:
  - name: reader
    permissions:
      - { type: read, schemas: [public] }
  - name: editor
    inherit: reader
`);
    const result = await runCli(['validate', '-c', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      `error: ${file}:3:3: "roles" must be a mapping, got a list`,
      `  hint: pgward's roles are a mapping from each role's name to its settings, not PUM's list of entries with "name:": write roles: { reader: { ... }, editor: { member_of: [reader] } }, and PUM's "inherit: ROLE" is pgward's "member_of: [ROLE]"`,
    ]);
  });
});
