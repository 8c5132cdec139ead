/**
 * The listings as a PUM user expects them (issue 15): `login list` leaves superusers out like
 * PUM's login-roles (`--all` adds them); `members ROLE --recursive` names the login roles that
 * get ROLE through nested groups, with the path; `inventory` without `--suffix` finds the
 * DB-specific variants `R_S` of configured roles that `--suffix` made, instead of listing
 * them as unknown.
 *
 * Roles are cluster-wide: every role here starts with `pum_`, and listings are compared on
 * those rows only.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loginPaths } from '../../src/cli/commands/members.js';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const server = useTestServer();

function db(database?: string): string[] {
  return ['--db', server.url(database)];
}

/** The header and the pum_ rows of a text table, as cells (columns are 2+ spaces apart). */
function pumRows(text: string): string[][] {
  const [header = '', ...rows] = text.trimEnd().split('\n');
  return [header, ...rows.filter((line) => line.startsWith('pum_'))].map((line) =>
    line.split(/ {2,}/),
  );
}

beforeAll(async () => {
  await server.query(`
    CREATE ROLE pum_reader;
    CREATE ROLE pum_editor IN ROLE pum_reader;
    CREATE ROLE pum_lead IN ROLE pum_editor;
    CREATE ROLE pum_alice LOGIN IN ROLE pum_editor;
    CREATE ROLE pum_bob LOGIN IN ROLE pum_reader, pum_lead;
    CREATE ROLE pum_root LOGIN SUPERUSER;
    CREATE ROLE pum_nologin IN ROLE pum_reader;
  `);
});

describe('pgward login list', () => {
  it('lists non-superuser login roles by default, as PUM login-roles; --all adds superusers', async () => {
    const result = await runCli(['login', 'list', ...db()]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(pumRows(result.stdout)).toEqual([
      ['ROLE', 'MEMBER OF', 'ATTRIBUTES'],
      ['pum_alice', 'pum_editor', '-'],
      ['pum_bob', 'pum_lead, pum_reader', '-'],
    ]);
    // The bootstrap superuser is a login role too, left out like every superuser.
    const [{ bootstrap } = { bootstrap: '' }] = await server.query<{ bootstrap: string }>(
      'SELECT rolname AS bootstrap FROM pg_roles WHERE oid = 10',
    );
    expect(result.stdout.split('\n').map((line) => line.split(' ')[0])).not.toContain(bootstrap);
    const all = await runCli(['login', 'list', '--all', ...db()]);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(pumRows(all.stdout)).toEqual([
      ['ROLE', 'MEMBER OF', 'ATTRIBUTES'],
      ['pum_alice', 'pum_editor', '-'],
      ['pum_bob', 'pum_lead, pum_reader', '-'],
      ['pum_root', '-', 'superuser'],
    ]);
    const json = await runCli(['login', 'list', '--format', 'json', ...db()]);
    const names = (JSON.parse(json.stdout) as { name: string }[]).map((role) => role.name);
    expect(names).toContain('pum_bob');
    expect(names).not.toContain('pum_root');
  });
});

describe('pgward members --recursive', () => {
  it('lists the login roles that get the role through nested groups, with each path', async () => {
    const result = await runCli(['members', 'pum_reader', '--recursive', ...db()]);
    expect(result).toEqual({
      exitCode: 0,
      stdout: [
        'LOGIN ROLE  GETS IT',
        'pum_alice   via pum_editor → pum_reader',
        'pum_bob     directly',
        'pum_bob     via pum_lead → pum_editor → pum_reader',
        '',
      ].join('\n'),
      stderr: '',
    });
    // Without --recursive: the direct members only, login or not, one per line.
    const direct = await runCli(['members', 'pum_reader', ...db()]);
    expect(direct.stdout).toBe('pum_bob\npum_editor\npum_nologin\n');
  });

  it('says so on stderr when no login role gets the role', async () => {
    await server.query('CREATE ROLE pum_lonely_group; GRANT pum_lonely_group TO pum_nologin');
    const result = await runCli(['members', 'pum_lonely_group', '-r', ...db()]);
    expect(result).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: 'no login role gets role "pum_lonely_group"\n',
    });
  });

  it('walks every chain and lists a login role that is also a group', () => {
    const memberships = [
      { role: 'g', member: 'a' },
      { role: 'g', member: 'b' },
      { role: 'b', member: 'a' },
      { role: 'a', member: 'c' },
    ];
    expect(loginPaths('g', memberships, new Set(['a', 'c']))).toEqual([
      { login: 'a', via: [] },
      { login: 'a', via: ['b'] },
      { login: 'c', via: ['a'] },
      { login: 'c', via: ['a', 'b'] },
    ]);
  });
});

describe('pgward inventory without --suffix', () => {
  const CONFIG = `version: 1
roles:
  pum_inv_reader:
    permissions:
      - { type: read, schemas: [data] }
`;
  let dir: string;
  let lausanne: string;
  let zurich: string;

  beforeAll(async () => {
    dir = await tempDir('pum');
    await writeFile(join(dir, 'pgward.yaml'), CONFIG);
    lausanne = await server.createDatabase('lausanne');
    zurich = await server.createDatabase('zurich');
    for (const database of [lausanne, zurich])
      await server.query('CREATE SCHEMA data; CREATE TABLE data.orders (id int)', [], database);
    for (const [suffix, database] of [
      ['lausanne', lausanne],
      ['zurich', zurich],
    ] as const) {
      const applied = await runCli(
        ['apply', '--yes', '--suffix', suffix, '-c', join(dir, 'pgward.yaml'), ...db(database)],
        {},
      );
      expect(applied.exitCode, applied.stderr).toBe(0);
    }
    // Named like a variant, but the generic role is not its member: not a variant.
    await server.query(
      'CREATE ROLE pum_inv_reader_fake LOGIN; GRANT SELECT ON data.orders TO pum_inv_reader_fake',
      [],
      lausanne,
    );
  });

  it("reports this database's R_S as a configured role, never another database's, and not a look-alike", async () => {
    const result = await runCli(
      ['inventory', '--format', 'json', '-c', join(dir, 'pgward.yaml'), ...db(lausanne)],
      {},
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const inventory = JSON.parse(result.stdout) as {
      configured_roles: { name: string; schema_permissions: { satisfied: boolean }[] }[];
      unknown_roles: { name: string }[];
      other_login_roles: string[];
    };
    expect(
      inventory.configured_roles.map((role) => [
        role.name,
        role.schema_permissions.map((p) => p.satisfied),
      ]),
    ).toEqual([
      ['pum_inv_reader', [true]],
      ['pum_inv_reader_lausanne', [true]],
    ]);
    const unknown = inventory.unknown_roles.map((role) => role.name);
    expect(unknown).toContain('pum_inv_reader_fake');
    expect(unknown).not.toContain('pum_inv_reader_lausanne');
    expect(unknown).not.toContain('pum_inv_reader_zurich');
    expect(inventory.other_login_roles).not.toContain('pum_inv_reader_zurich');

    const text = await runCli(['inventory', '-c', join(dir, 'pgward.yaml'), ...db(lausanne)], {});
    expect(text.stdout).toContain(
      '✓  pum_inv_reader_lausanne  nologin  data  expects read  has read',
    );
    expect(text.stdout).not.toContain('?  pum_inv_reader_lausanne');
  });

  it('--suffix still reports exactly R and R_suffix', async () => {
    const result = await runCli(
      [
        'inventory',
        '--format',
        'json',
        '--suffix',
        'zurich',
        '-c',
        join(dir, 'pgward.yaml'),
      ].concat(db(zurich)),
      {},
    );
    const inventory = JSON.parse(result.stdout) as { configured_roles: { name: string }[] };
    expect(inventory.configured_roles.map((role) => role.name)).toEqual([
      'pum_inv_reader',
      'pum_inv_reader_zurich',
    ]);
  });
});
