/**
 * Export writes names and values that YAML readers would take for something else — a merge
 * key `<<`, YAML 1.1 booleans, numbers, timestamps, null — quoted, so that the file reads back
 * (with pgward's YAML 1.2 reader and with YAML 1.1 tools) as exactly the roles exported:
 * export → validate → plan is empty. `<<` used to be written plain and lose its role.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../safety/support.js';

const server = useTestServer();

const HOSTILE = [
  '<<',
  '=',
  'yes',
  'No',
  'ON',
  'off',
  'y',
  'N',
  '~',
  'null',
  'Null',
  'true',
  'False',
  '1.10',
  '0x1F',
  '1e3',
  '.inf',
  '-.inf',
  '.NaN',
  '2026-01-01',
  '12:30:00',
  '1_000',
  '0o17',
  '+1',
  '-',
  '?',
  ':',
  '#x',
  '&a',
  '*a',
  '!t',
  '%x',
  '@x',
  '`x',
  '"q"',
  "'q'",
  'a: b',
  'a #b',
  ' lead',
  'trail ',
  '|',
  '>',
  '[x]',
  '{x}',
  ',x',
  '- x',
  '? x',
];

let dir: string;
beforeAll(async () => {
  dir = await tempDir('export-hostile');
  for (const name of HOSTILE) {
    const ident = `"${name.replaceAll('"', '""')}"`;
    await server.query(`CREATE ROLE ${ident} VALID UNTIL '2030-06-30 12:00:00+00'`);
    await server.query(`ALTER ROLE ${ident} SET work_mem = '8MB'`);
    await server.query(`ALTER ROLE ${ident} SET application_name = 'yes'`);
  }
});

describe('export of names YAML would misread', () => {
  it('reads back as the same roles in YAML 1.2 and 1.1, validates, and plans nothing', async () => {
    // Every role (this file's server holds only these): some names cannot pass through a
    // command line intact (yargs strips the quotes of `"q"`, reads `-.inf` as an option).
    const exported = await runCli(['export', '--db', server.url()]);
    expect(exported.stderr).toBe('');
    expect(exported.exitCode).toBe(0);

    for (const version of ['1.2', '1.1'] as const) {
      const data = parse(exported.stdout, { version, merge: true }) as {
        roles: Record<string, { valid_until: unknown; config: Record<string, unknown> }>;
      };
      for (const name of HOSTILE) {
        const role = data.roles[name];
        expect({ version, name, valid_until: role?.valid_until, config: role?.config }).toEqual({
          version,
          name,
          valid_until: '2030-06-30T12:00:00.000Z',
          config: { application_name: 'yes', work_mem: '8MB' },
        });
      }
    }

    const file = join(dir, 'exported.yaml');
    await writeFile(file, exported.stdout);
    const validate = await runCli(['validate', '-c', file]);
    expect(validate.stderr).toBe('');
    expect(validate.exitCode).toBe(0);
    const plan = await runCli(['plan', '--detailed-exitcode', '-c', file, '--db', server.url()]);
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(0);
  });
});
