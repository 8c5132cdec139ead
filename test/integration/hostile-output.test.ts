/**
 * Names and comments with characters a reader cannot see (ESC, zero-width, bidi overrides,
 * NBSP, U+2028) reach no human format raw: plan text, markdown and sql, drift, roles. The sql
 * format stays valid SQL that creates exactly the roles the config declares.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../safety/support.js';

const server = useTestServer();

const NAMES = [
  'ho_adm\u200bin',
  'ho_\u202eevil',
  'ho_iso\u2066late\u2069',
  'ho_nb\u00a0sp',
  'ho_line\u2028sep',
  'ho_zw\u200dj',
];
// What no human format may contain: the same class report/terminal.ts escapes.
const RAW =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u00a0\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;

let config: string;
beforeAll(async () => {
  const dir = await tempDir('hostile-output');
  config = join(dir, 'pgward.yaml');
  const roles = NAMES.map(
    (name) => `  ${JSON.stringify(name)}:\n    description: ${JSON.stringify(`about ${name}`)}\n`,
  ).join('');
  await writeFile(config, `version: 1\nsettings:\n  unmanaged_roles: report\nroles:\n${roles}`);
});

describe('plan, drift and listings with invisible characters in names', () => {
  it('never print them raw, in any format', async () => {
    const db = ['--db', server.url()];
    for (const format of ['text', 'markdown', 'sql', 'json']) {
      const result = await runCli(['plan', '-c', config, '--format', format, ...db]);
      expect({ format, exitCode: result.exitCode }).toEqual({ format, exitCode: 0 });
      if (format !== 'json') {
        expect({ format, raw: RAW.exec(result.stdout + result.stderr)?.[0] }).toEqual({
          format,
          raw: undefined,
        });
      }
    }
    expect((await runCli(['apply', '--yes', '-c', config, ...db])).exitCode).toBe(0);
    // Roles made by hand may hold what a config may not (a control character).
    await server.query(
      `CREATE ROLE "ho_un\u202emanaged" LOGIN; CREATE ROLE "ho_esc\u001b[2J" LOGIN`,
    );
    for (const args of [
      ['drift', '-c', config, ...db],
      ['drift', '-c', config, '--format', 'markdown', ...db],
      ['roles', ...db],
      ['login', 'list', ...db],
    ]) {
      const result = await runCli(args);
      expect({ args, raw: RAW.exec(result.stdout + result.stderr)?.[0] }).toEqual({
        args,
        raw: undefined,
      });
    }
    expect((await runCli(['plan', '--detailed-exitcode', '-c', config, ...db])).exitCode).toBe(0);
  });

  it('writes --format sql that runs and creates exactly those roles and comments', async () => {
    const database = await server.createDatabase('hostile_sql');
    await server.query(
      `DROP ROLE ${NAMES.map((name) => `"${name.replaceAll('"', '""')}"`).join(', ')}`,
    );
    const plan = await runCli(['plan', '-c', config, '--format', 'sql', '--db', server.url()]);
    expect(plan.stdout).toContain('U&"ho_adm\\200bin"');
    await server.query(plan.stdout, [], database);
    const rows = await server.query<{ rolname: string; description: string }>(
      `SELECT r.rolname, pg_catalog.shobj_description(r.oid, 'pg_authid') AS description
         FROM pg_catalog.pg_roles AS r WHERE r.rolname LIKE 'ho\\_%' AND r.rolcanlogin = false
        ORDER BY 1`,
    );
    expect(rows).toEqual(
      [...NAMES]
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((name) => ({ rolname: name, description: `about ${name}` })),
    );
  });
});
