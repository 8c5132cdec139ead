import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { BUILTIN_PROFILES } from '../../src/config/types.js';
import type { SourcePosition } from '../../src/errors.js';

const goodConfigs = fileURLToPath(new URL('../fixtures/good-configs/', import.meta.url));
const FILE = 'full.yaml';
const at = (line: number, column: number): SourcePosition => ({ file: FILE, line, column });

const CAROL_VERIFIER =
  'SCRAM-SHA-256$4096:cGd3YXJkLWZpeHR1cmUtc2FsdA==$I65JW1DxkRtwVqbVFygl6jknb5hrhmQKQqJcXuSi7Q4=:OmOknPS06HckElEmxwFAayFk/tCz+MuWbDLtxuSDN2s=';

const none = {
  description: null,
  config: {},
  memberOf: [],
  permissions: [],
  grants: [],
  defaultPrivileges: [],
};

const expectedFull: Config = {
  file: FILE,
  version: 1,
  settings: {
    unmanagedRoles: 'report',
    ignoreRoles: ['app_*', 'temp_?'],
    reassignOwnedTo: 'admin',
    reassignOwnedToPosition: at(7, 22),
    objectCreators: ['migrator', 'deployer'],
    objectCreatorPositions: [at(8, 21), at(8, 31)],
  },
  profiles: {
    // The config's `read` replaces the built-in one; `write` stays built in.
    read: { schema: ['USAGE'], table: ['SELECT', 'REFERENCES'], sequence: ['SELECT'] },
    write: {
      schema: ['USAGE'],
      table: ['INSERT', 'UPDATE', 'DELETE'],
      sequence: ['USAGE', 'SELECT', 'UPDATE'],
    },
    maintainer: {
      schema: ['USAGE', 'CREATE'],
      table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'MAINTAIN'],
      sequence: ['USAGE', 'SELECT', 'UPDATE'],
      function: ['EXECUTE'],
      type: ['USAGE'],
    },
  },
  roles: [
    {
      ...none,
      name: 'reader',
      position: at(21, 3),
      attributes: {},
      description: 'Read-only',
      permissions: [{ type: 'read', schemas: ['public', 'sales'], position: at(24, 9) }],
    },
    {
      ...none,
      name: 'editor',
      position: at(25, 3),
      attributes: {},
      memberOf: [{ role: 'reader', admin: false, position: at(26, 17) }],
      permissions: [
        { type: 'write', schemas: ['data'], position: at(28, 9) },
        { type: 'maintainer', schemas: ['data'], position: at(30, 9) },
      ],
    },
    { ...none, name: 'auditor', position: at(32, 3), attributes: {} },
    {
      name: 'alice',
      position: at(33, 3),
      attributes: {
        login: true,
        superuser: false,
        createdb: true,
        createrole: false,
        inherit: false,
        replication: false,
        bypassrls: true,
        connectionLimit: 5,
        validUntil: '2026-12-31T00:00:00.000Z',
      },
      password: { source: { from: 'env', name: 'ALICE_PASSWORD' }, secret: 'alice env secret' },
      description: 'Alice, data engineer',
      config: {
        search_path: 'app, public',
        statement_timeout: '30s',
        work_mem: '65536',
        jit: 'false',
        'myapp.tenant_id': '42',
      },
      renamedFrom: 'al',
      memberOf: [
        { role: 'editor', admin: false, position: at(53, 9) },
        { role: 'auditor', admin: true, position: at(54, 9) },
        {
          role: 'pg_read_all_stats',
          admin: false,
          inherit: false,
          set: true,
          position: at(55, 9),
        },
      ],
      permissions: [],
      grants: [
        {
          privileges: ['SELECT', 'INSERT'],
          objectType: 'table',
          objects: [
            { schema: 'public', name: 'orders', text: 'public.orders', position: at(59, 19) },
            {
              schema: 'public',
              name: 'Mixed.Case',
              text: 'public."Mixed.Case"',
              position: at(59, 34),
            },
          ],
          withGrantOption: true,
          position: at(57, 9),
        },
        {
          privileges: 'ALL',
          objectType: 'sequence',
          allInSchemas: ['public'],
          withGrantOption: false,
          position: at(61, 9),
        },
        {
          privileges: ['SELECT', 'UPDATE'],
          objectType: 'table',
          objects: [
            { schema: 'sales', name: 'customers', text: 'sales.customers', position: at(66, 19) },
          ],
          columns: ['email', 'name'],
          withGrantOption: false,
          position: at(64, 9),
        },
        {
          privileges: ['EXECUTE'],
          objectType: 'function',
          objects: [
            {
              schema: 'public',
              name: 'calc',
              args: 'integer, text',
              text: 'public.calc(integer, text)',
              position: at(70, 19),
            },
            { schema: 'public', name: 'refresh', text: 'public.refresh', position: at(70, 49) },
          ],
          withGrantOption: false,
          position: at(68, 9),
        },
        {
          privileges: ['CONNECT', 'TEMPORARY'],
          objectType: 'database',
          objects: [{ schema: null, name: 'appdb', text: 'appdb', position: at(73, 19) }],
          withGrantOption: false,
          position: at(71, 9),
        },
        {
          privileges: ['USAGE'],
          objectType: 'schema',
          objects: [{ schema: null, name: 'app', text: 'app', position: at(76, 19) }],
          withGrantOption: false,
          position: at(74, 9),
        },
        {
          privileges: ['SET', 'ALTER SYSTEM'],
          objectType: 'parameter',
          objects: [
            { schema: null, name: 'work_mem', text: 'work_mem', position: at(79, 19) },
            {
              schema: null,
              name: 'plpgsql.extra_warnings',
              text: 'plpgsql.extra_warnings',
              position: at(79, 29),
            },
          ],
          withGrantOption: false,
          position: at(77, 9),
        },
        {
          privileges: ['SELECT'],
          objectType: 'large_object',
          objects: [{ schema: null, name: '16402', text: '16402', position: at(82, 19) }],
          withGrantOption: false,
          position: at(80, 9),
        },
      ],
      defaultPrivileges: [
        {
          forRole: 'migrator',
          schema: 'public',
          objectType: 'table',
          privileges: ['SELECT'],
          withGrantOption: false,
          position: at(84, 9),
        },
        {
          forRole: 'migrator',
          schema: null,
          objectType: 'function',
          privileges: 'ALL',
          withGrantOption: true,
          position: at(85, 9),
        },
        {
          forRole: 'deployer',
          schema: null,
          objectType: 'schema',
          privileges: ['USAGE'],
          withGrantOption: false,
          position: at(89, 9),
        },
      ],
    },
    {
      ...none,
      name: 'bob',
      position: at(90, 3),
      attributes: { login: true, validUntil: '2027-06-30T16:30:00.000Z' },
      password: {
        source: { from: 'file', path: 'secrets/bob.password' },
        secret: 'bob file secret',
      },
    },
    {
      ...none,
      name: 'carol',
      position: at(94, 3),
      attributes: { login: true, validUntil: null, connectionLimit: -1 },
      password: { source: { from: 'hashed' }, secret: CAROL_VERIFIER },
    },
    { ...none, name: 'dave', position: at(100, 3), attributes: { validUntil: null } },
  ],
};

const scratch = mkdtempSync(join(tmpdir(), 'pgward-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('turns a config using every key into the exact Config', () => {
    const config = loadConfig(FILE, {
      cwd: goodConfigs,
      env: { ALICE_PASSWORD: 'alice env secret' },
    });
    expect(config).toEqual(expectedFull);
  });

  it('fills in defaults for a config that only has a version', () => {
    expect(parseConfig('version: 1\n', 'min.yaml')).toEqual({
      file: 'min.yaml',
      version: 1,
      settings: {
        unmanagedRoles: 'ignore',
        ignoreRoles: [],
        reassignOwnedTo: null,
        objectCreators: null,
      },
      profiles: BUILTIN_PROFILES,
      roles: [],
    });
  });

  it('leaves unwritten attributes out, so they take CREATE ROLE defaults', () => {
    const [role] = parseConfig('version: 1\nroles:\n  app:\n    login: false\n', 'x.yaml').roles;
    expect(role?.attributes).toEqual({ login: false });
    expect(role && 'password' in role).toBe(false);
    expect(role && 'renamedFrom' in role).toBe(false);
  });

  it('keeps roles in file order, integer-like names included', () => {
    const config = parseConfig(
      'version: 1\nroles:\n  zeta: {}\n  "10": {}\n  alpha: {}\n  "2": {}\n',
      'x.yaml',
    );
    expect(config.roles.map((r) => r.name)).toEqual(['zeta', '10', 'alpha', '2']);
  });

  it('follows YAML anchors and merge keys, with shared parts under x- keys', () => {
    const roles = parseConfig(
      [
        'version: 1',
        'x-defaults:',
        '  app: &app { login: true, connection_limit: 3 }',
        'roles:',
        '  a: { <<: *app, createdb: true }',
        '  b:',
        '    <<: *app',
        '    connection_limit: 10',
        '  c: *app',
      ].join('\n'),
      'x.yaml',
    ).roles;
    expect(roles.map((r) => [r.name, r.attributes])).toEqual([
      ['a', { login: true, connectionLimit: 3, createdb: true }],
      ['b', { login: true, connectionLimit: 10 }],
      ['c', { login: true, connectionLimit: 3 }],
    ]);
  });

  it.each([
    ['"2026-12-31"', '2026-12-31T00:00:00.000Z'],
    ['2026-12-31', '2026-12-31T00:00:00.000Z'],
    // No zone: UTC, whatever the machine's time zone.
    ['"2026-12-31 23:59:59"', '2026-12-31T23:59:59.000Z'],
    ['"2026-12-31T23:59"', '2026-12-31T23:59:00.000Z'],
    ['"2026-12-31 12:00:00+02"', '2026-12-31T10:00:00.000Z'],
    ['"2026-12-31T12:00:00-05:30"', '2026-12-31T17:30:00.000Z'],
    ['"2026-12-31 12:00:00.25Z"', '2026-12-31T12:00:00.250Z'],
    ['"2028-02-29 00:00:00 UTC"', '2028-02-29T00:00:00.000Z'],
    ['infinity', null],
    ['Infinity', null],
    ['null', null],
  ])('reads valid_until %s as %s', (written, expected) => {
    const [role] = parseConfig(
      `version: 1\nroles:\n  r:\n    valid_until: ${written}\n`,
      'x.yaml',
    ).roles;
    expect(role?.attributes.validUntil).toBe(expected);
  });

  it('reads privileges in any case, and ALL / ALL PRIVILEGES as ALL', () => {
    const [role] = parseConfig(
      [
        'version: 1',
        'roles:',
        '  r:',
        '    grants:',
        '      - { privileges: [alter system, Set, set], object_type: parameter, objects: [work_mem] }',
        '      - { privileges: all privileges, object_type: table, all_in_schemas: [app] }',
        '      - { privileges: [All], object_type: schema, objects: [app] }',
      ].join('\n'),
      'x.yaml',
    ).roles;
    expect(role?.grants.map((g) => g.privileges)).toEqual([['ALTER SYSTEM', 'SET'], 'ALL', 'ALL']);
  });

  it('writes config values as the strings ALTER ROLE SET receives', () => {
    const [role] = parseConfig(
      'version: 1\nroles:\n  r:\n    config: { a: on, b: true, c: 0.5, d: -3, e: "", f: "x, y" }\n',
      'x.yaml',
    ).roles;
    expect(role?.config).toEqual({ a: 'on', b: 'true', c: '0.5', d: '-3', e: '', f: 'x, y' });
  });

  it('reads password files relative to the config file, without the trailing newline', () => {
    mkdirSync(join(scratch, 'conf/secrets'), { recursive: true });
    writeFileSync(join(scratch, 'conf/secrets/a.txt'), 'pass word\r\n');
    writeFileSync(
      join(scratch, 'conf/pgward.yaml'),
      'version: 1\nroles:\n  a:\n    password: { file: secrets/a.txt }\n',
    );
    const [role] = loadConfig('conf/pgward.yaml', { cwd: scratch }).roles;
    expect(role?.password).toEqual({
      source: { from: 'file', path: 'secrets/a.txt' },
      secret: 'pass word',
    });
  });

  it('reads env passwords from process.env by default', () => {
    process.env.PGWARD_CONFIG_TEST_PASSWORD = 'from process env';
    try {
      const [role] = parseConfig(
        'version: 1\nroles:\n  a:\n    password: { env: PGWARD_CONFIG_TEST_PASSWORD }\n',
        'x.yaml',
      ).roles;
      expect(role?.password?.secret).toBe('from process env');
    } finally {
      delete process.env.PGWARD_CONFIG_TEST_PASSWORD;
    }
  });

  it('accepts roles that are not declared in member_of, for_role and reassign_owned_to', () => {
    const config = parseConfig(
      [
        'version: 1',
        'settings: { reassign_owned_to: postgres, object_creators: [migrator] }',
        'roles:',
        '  a:',
        '    member_of: [pg_read_all_data, existing_group]',
        '    default_privileges:',
        '      - { for_role: pg_database_owner, object_type: table, privileges: [SELECT] }',
      ].join('\n'),
      'x.yaml',
    );
    expect(config.roles[0]?.memberOf.map((m) => m.role)).toEqual([
      'pg_read_all_data',
      'existing_group',
    ]);
    expect(config.settings.reassignOwnedTo).toBe('postgres');
  });

  it('loads a config of 550 roles', () => {
    const lines = ['version: 1', 'roles:'];
    for (let t = 0; t < 50; t++)
      lines.push(
        `  team_${t}:`,
        `    description: Team ${t}`,
        '    permissions:',
        `      - { type: read, schemas: [app_${t}] }`,
        `      - { type: write, schemas: [data_${t}] }`,
      );
    for (let i = 0; i < 500; i++)
      lines.push(`  user_${i}:`, '    login: true', `    member_of: [team_${i % 50}]`);
    const text = lines.join('\n');
    // Speed is measured in bench/, not asserted here: this checks that a config of that size
    // loads completely.
    expect(parseConfig(text, 'big.yaml').roles).toHaveLength(550);
  });

  it('reads YAML 1.2 types even under a %YAML 1.1 directive', () => {
    const [role] = parseConfig(
      '%YAML 1.1\n---\nversion: 1\nroles:\n  a: { valid_until: 2026-12-31, config: { x: yes } }\n',
      'x.yaml',
    ).roles;
    expect(role?.attributes.validUntil).toBe('2026-12-31T00:00:00.000Z');
    expect(role?.config).toEqual({ x: 'yes' });
  });
});
