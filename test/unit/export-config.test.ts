/**
 * Export as a pure function: CurrentState literals in, exact YAML out, and the round trip a
 * user relies on: the exported text loads as a valid config, and planning it against the same
 * state gives no operations at all.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { exportConfig } from '../../src/export/index.js';
import type { CatalogObject, CurrentState } from '../../src/model/state.js';
import {
  baseRoles,
  database,
  defaultFact,
  fact,
  facts,
  membership,
  planOf,
  role,
  routine,
  schema,
  sequence,
  state,
  table,
  typeObject,
} from './diff-builders.js';

const HEADER = [
  '# Exported by `pgward export`: roles, memberships and privileges as they are in the database.',
  '# Applying this file back changes nothing. Passwords are not exported: add',
  '# `password: { env: VAR }` (or file / hashed) to the login roles that need one.',
  '',
].join('\n');

/** Exports `current`, checks the text loads and plans to nothing, and returns the export. */
function roundTrip(current: CurrentState, include?: string[]) {
  const result = exportConfig(current, include === undefined ? {} : { include });
  const config = parseConfig(result.yaml, 'export.yaml');
  const plan = planOf(config, current);
  expect(plan.operations).toEqual([]);
  return result;
}

describe('exportConfig: roles', () => {
  it('writes non-default attributes, comment, settings and memberships, nothing else', () => {
    const current = state({
      roles: [
        ...baseRoles(),
        role('reader', { description: 'Read-only access' }),
        role('alice', {
          attributes: {
            login: true,
            createdb: true,
            inherit: false,
            connectionLimit: 5,
            validUntil: '2026-12-31T00:00:00.000Z',
          },
          password: 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy',
          config: { statement_timeout: '30s', search_path: '"$user", public' },
        }),
        role('bob', { attributes: { login: true } }),
      ],
      memberships: [
        membership('reader', 'alice', { inherit: false, set: true }),
        membership('reader', 'bob', { admin: true, set: false }),
        membership('pg_read_all_data', 'bob'),
      ],
    });
    const { yaml, warnings } = roundTrip(current);
    expect(warnings).toEqual([]);
    expect(yaml).toBe(
      `${HEADER}
version: 1
roles:
  alice:
    login: true
    createdb: true
    inherit: false
    connection_limit: 5
    valid_until: "2026-12-31T00:00:00.000Z"
    config:
      search_path: '"$user", public'
      statement_timeout: "30s"
    member_of:
      - reader
  bob:
    login: true
    member_of:
      - pg_read_all_data
      - role: reader
        admin: true
        set: false
  owner:
    owns:
      - object_type: schema
        objects:
          - public
  reader:
    description: Read-only access
`,
    );
    expect(yaml).not.toContain('SCRAM');
  });

  it('writes inherit when a 16+ membership differs from the member attribute', () => {
    const current = state({
      roles: [...baseRoles(), role('group'), role('solo', { attributes: { inherit: false } })],
      memberships: [membership('group', 'solo', { inherit: true })],
    });
    const { config } = roundTrip(current);
    expect(config.roles.get('solo')?.member_of).toEqual([{ role: 'group', inherit: true }]);
  });

  it('before 16 writes memberships without inherit and set (they do not exist)', () => {
    const current = state({
      server: { versionNum: 150007 },
      roles: [...baseRoles(), role('group'), role('member')],
      memberships: [membership('group', 'member', { admin: true, inherit: null, set: null })],
    });
    const { config } = roundTrip(current);
    expect(config.roles.get('member')?.member_of).toEqual([{ role: 'group', admin: true }]);
  });

  it('merges the rows of several grantors: an option holds if any row gives it', () => {
    const current = state({
      roles: [...baseRoles(), role('group'), role('member')],
      memberships: [
        membership('group', 'member', { grantor: 'admin', admin: false, set: false }),
        membership('group', 'member', { grantor: 'postgres', admin: true, set: false }),
      ],
    });
    const { config } = roundTrip(current);
    expect(config.roles.get('member')?.member_of).toEqual([
      { role: 'group', admin: true, set: false },
    ]);
  });

  it('leaves out pg_* roles, the bootstrap superuser, the connecting role and cloud admins', () => {
    const current = state({
      roles: [
        ...baseRoles(),
        role('rds_superuser'),
        role('master'),
        role('app'),
        role('none_of_these'),
      ],
      memberships: [membership('rds_superuser', 'master'), membership('pg_read_all_data', 'app')],
    });
    const { config } = roundTrip(current);
    expect([...config.roles.keys()]).toEqual(['app', 'none_of_these', 'owner']);
  });

  it('--include globs select roles; memberships in roles left out are kept', () => {
    const current = state({
      roles: [...baseRoles(), role('app_reader'), role('app_writer'), role('legacy')],
      memberships: [membership('legacy', 'app_reader'), membership('app_reader', 'app_writer')],
    });
    const { config, warnings } = roundTrip(current, ['app_*', 'postgres']);
    expect([...config.roles.keys()]).toEqual(['app_reader', 'app_writer']);
    expect(config.roles.get('app_reader')?.member_of).toEqual(['legacy']);
    expect(warnings).toEqual([
      'role "postgres" is not exported: it is protected (bootstrap superuser)',
    ]);
  });

  it('is the same bytes whatever order the catalog listed things in', () => {
    const tables = ['app.b', 'app.a', 'app.c'].map((name) => table(name));
    const build = (reverse: boolean): CurrentState => {
      const order = <T>(list: T[]): T[] => (reverse ? [...list].reverse() : list);
      return state({
        roles: order([...baseRoles(), role('z'), role('y'), role('group')]),
        memberships: order([membership('group', 'z'), membership('group', 'y')]),
        objects: order([database('app'), schema('app'), ...tables]),
        privileges: order([
          ...facts([tables[0]!], 'y', ['UPDATE', 'SELECT']),
          ...facts([tables[1]!], 'y', ['SELECT', 'UPDATE']),
          fact(tables[2]!, 'z', 'INSERT'),
          fact(tables[0]!, 'z', 'INSERT'),
        ]),
      });
    };
    expect(exportConfig(build(true)).yaml).toBe(exportConfig(build(false)).yaml);
  });
});

describe('exportConfig: grants', () => {
  it('writes all_in_schemas when every table of a schema holds the privilege', () => {
    const tables = Array.from({ length: 200 }, (_, i) =>
      table(`data.t${String(i).padStart(3, '0')}`),
    );
    const current = state({
      roles: [...baseRoles(), role('reader')],
      objects: [database('app'), schema('data'), ...tables],
      privileges: [...facts(tables, 'reader', ['SELECT']), fact(schema('data'), 'reader', 'USAGE')],
    });
    const { config } = roundTrip(current);
    expect(config.roles.get('reader')?.grants).toEqual([
      { privileges: ['USAGE'], object_type: 'schema', objects: ['data'] },
      { privileges: ['SELECT'], object_type: 'table', all_in_schemas: ['data'] },
    ]);
  });

  it('lists objects when one table of the schema lacks the privilege', () => {
    const tables = ['data.a', 'data.b', 'data.c'].map((name) => table(name));
    const current = state({
      roles: [...baseRoles(), role('reader')],
      objects: [database('app'), schema('data'), ...tables],
      privileges: [
        ...facts(tables, 'reader', ['SELECT']),
        ...facts(tables.slice(0, 2), 'reader', ['INSERT']),
      ],
    });
    const { config } = roundTrip(current);
    expect(config.roles.get('reader')?.grants).toEqual([
      { privileges: ['SELECT'], object_type: 'table', all_in_schemas: ['data'] },
      { privileges: ['INSERT'], object_type: 'table', objects: ['data.a', 'data.b'] },
    ]);
  });

  it('ignores tables the grantee owns when checking a schema, and never exports owner privileges', () => {
    const tables = [table('data.a'), table('data.b'), table('data.mine', { owner: 'writer' })];
    const current = state({
      roles: [...baseRoles(), role('writer')],
      objects: [database('app'), schema('data'), ...tables],
      privileges: [
        ...facts(tables.slice(0, 2), 'writer', ['INSERT']),
        ...facts([tables[2]!], 'writer', ['SELECT', 'INSERT', 'UPDATE']),
      ],
    });
    const { config } = roundTrip(current);
    expect(config.roles.get('writer')?.grants).toEqual([
      { privileges: ['INSERT'], object_type: 'table', all_in_schemas: ['data'] },
    ]);
  });

  it('lists types and domains by name: all_in_schemas does not take them (no GRANT ON ALL TYPES)', () => {
    const types = [
      typeObject('type', 'data.mood'),
      typeObject('type', 'data.size'),
      typeObject('domain', 'data.email'),
      typeObject('domain', 'data.url'),
    ];
    const current = state({
      roles: [...baseRoles(), role('reader')],
      objects: [database('app'), schema('data'), ...types],
      privileges: facts(types, 'reader', ['USAGE']),
    });
    expect(roundTrip(current).config.roles.get('reader')?.grants).toEqual([
      { privileges: ['USAGE'], object_type: 'type', objects: ['data.mood', 'data.size'] },
      { privileges: ['USAGE'], object_type: 'domain', objects: ['data.email', 'data.url'] },
    ]);
  });

  it('keeps a single object by name rather than claiming its whole schema', () => {
    const only = table('solo.t');
    const current = state({
      roles: [...baseRoles(), role('reader')],
      objects: [database('app'), schema('solo'), only],
      privileges: [fact(only, 'reader', 'SELECT')],
    });
    expect(roundTrip(current).config.roles.get('reader')?.grants).toEqual([
      { privileges: ['SELECT'], object_type: 'table', objects: ['solo.t'] },
    ]);
  });

  it('groups schemas with the same privileges and splits by grant option', () => {
    const a = [table('a.x'), table('a.y')];
    const b = [table('b.x'), table('b.y')];
    const seqs = [sequence('a.s1'), sequence('a.s2')];
    const current = state({
      roles: [...baseRoles(), role('lead')],
      objects: [database('app'), schema('a'), schema('b'), ...a, ...b, ...seqs],
      privileges: [
        ...facts([...a, ...b], 'lead', ['SELECT']),
        fact(a[0]!, 'lead', 'UPDATE', { grantable: true }),
        fact(a[1]!, 'lead', 'UPDATE', { grantable: true }),
        fact(b[0]!, 'lead', 'DELETE', { grantable: true }),
        fact(b[1]!, 'lead', 'DELETE'),
        ...facts(seqs, 'lead', ['USAGE', 'SELECT']),
      ],
    });
    expect(roundTrip(current).config.roles.get('lead')?.grants).toEqual([
      { privileges: ['SELECT'], object_type: 'table', all_in_schemas: ['a', 'b'] },
      { privileges: ['DELETE'], object_type: 'table', all_in_schemas: ['b'] },
      {
        privileges: ['UPDATE'],
        object_type: 'table',
        all_in_schemas: ['a'],
        with_grant_option: true,
      },
      {
        privileges: ['DELETE'],
        object_type: 'table',
        objects: ['b.x'],
        with_grant_option: true,
      },
      { privileges: ['SELECT', 'USAGE'], object_type: 'sequence', all_in_schemas: ['a'] },
    ]);
  });

  it('writes functions with their argument types and column grants with columns', () => {
    const calc = routine('function', 'app.calc', 'integer, text');
    const calc2 = routine('function', 'app.calc', 'integer');
    const proc = routine('procedure', 'app.refresh', '');
    const users = table('app.users', { columns: ['id', 'email', 'name', 'secret'] });
    const accounts = table('app.accounts', { columns: ['id', 'email', 'name'] });
    const current = state({
      roles: [...baseRoles(), role('support')],
      objects: [database('app'), schema('app'), calc, calc2, proc, users, accounts],
      privileges: [
        fact(calc, 'support', 'EXECUTE'),
        fact(proc, 'support', 'EXECUTE'),
        ...['email', 'name'].flatMap((column) => [
          fact(users, 'support', 'SELECT', { column }),
          fact(accounts, 'support', 'SELECT', { column }),
        ]),
        fact(users, 'support', 'UPDATE', { column: 'email', grantable: true }),
        fact(database('app'), 'support', 'CONNECT'),
        fact(database('other'), 'support', 'CONNECT'),
      ],
    });
    expect(roundTrip(current).config.roles.get('support')?.grants).toEqual([
      { privileges: ['CONNECT'], object_type: 'database', objects: ['app'] },
      {
        privileges: ['SELECT'],
        object_type: 'table',
        objects: ['app.accounts', 'app.users'],
        columns: ['email', 'name'],
      },
      {
        privileges: ['UPDATE'],
        object_type: 'table',
        objects: ['app.users'],
        columns: ['email'],
        with_grant_option: true,
      },
      { privileges: ['EXECUTE'], object_type: 'function', objects: ['app.calc(integer, text)'] },
      { privileges: ['EXECUTE'], object_type: 'procedure', objects: ['app.refresh()'] },
    ]);
  });
});

describe('exportConfig: default privileges', () => {
  const owned = [table('app.a', { owner: 'migrator' }), table('app.b', { owner: 'migrator' })];
  const foreign = table('app.c', { owner: 'owner' });
  const objects: CatalogObject[] = [
    database('app'),
    schema('app'),
    ...owned,
    foreign,
    table('app.d', { owner: 'owner' }),
  ];

  it('writes entries with for_role, and does not repeat the privileges they imply', () => {
    const current = state({
      roles: [...baseRoles(), role('migrator'), role('reader')],
      objects,
      privileges: [...facts(owned, 'reader', ['SELECT']), fact(foreign, 'reader', 'SELECT')],
      defaultPrivileges: [
        defaultFact('migrator', 'app', 'table', 'reader', 'SELECT'),
        defaultFact('migrator', null, 'sequence', 'reader', 'USAGE'),
        defaultFact('migrator', null, 'sequence', 'reader', 'SELECT', true),
        defaultFact('migrator', 'app', 'table', 'migrator', 'INSERT'),
      ],
    });
    const { config, warnings } = roundTrip(current);
    expect(warnings).toEqual([]);
    expect(config.roles.get('reader')).toEqual({
      grants: [{ privileges: ['SELECT'], object_type: 'table', objects: ['app.c'] }],
      default_privileges: [
        { for_role: 'migrator', object_type: 'sequence', privileges: ['USAGE'] },
        {
          for_role: 'migrator',
          object_type: 'sequence',
          privileges: ['SELECT'],
          with_grant_option: true,
        },
        { for_role: 'migrator', schema: 'app', object_type: 'table', privileges: ['SELECT'] },
      ],
    });
    // The creator owns the tables (spec §9 owns); its defaults grant it nothing.
    expect(config.roles.get('migrator')).toEqual({
      owns: [{ object_type: 'table', objects: ['app.a', 'app.b'] }],
    });
  });

  it('states the grant option an implied privilege has beyond its entry', () => {
    const current = state({
      roles: [...baseRoles(), role('migrator'), role('reader')],
      objects,
      privileges: [
        fact(owned[0]!, 'reader', 'SELECT', { grantable: true }),
        fact(owned[1]!, 'reader', 'SELECT'),
      ],
      defaultPrivileges: [defaultFact('migrator', 'app', 'table', 'reader', 'SELECT')],
    });
    expect(roundTrip(current).config.roles.get('reader')?.grants).toEqual([
      { privileges: ['SELECT'], object_type: 'table', objects: ['app.a'], with_grant_option: true },
    ]);
  });

  it('warns about existing objects its default privileges cover but that lack them', () => {
    const current = state({
      roles: [...baseRoles(), role('migrator'), role('reader')],
      objects,
      privileges: [],
      defaultPrivileges: [defaultFact('migrator', 'app', 'table', 'reader', 'SELECT')],
    });
    const { yaml, warnings } = exportConfig(current);
    expect(warnings).toEqual([
      'default privileges of "migrator" in schema "app" give "reader" SELECT on its tables, but table "app.a" and 1 more lack it: applying this export would grant it',
    ]);
    const plan = planOf(parseConfig(yaml, 'export.yaml'), current);
    expect(plan.operations.map((op) => op.type)).toEqual(['grant_privileges']);
  });
  it('reads default privileges on schemas as covering the schemas for_role owns', () => {
    const current = state({
      roles: [...baseRoles(), role('migrator'), role('reader')],
      objects: [database('app'), schema('app', 'migrator'), schema('other')],
      privileges: [fact(schema('app', 'migrator'), 'reader', 'USAGE')],
      defaultPrivileges: [defaultFact('migrator', null, 'schema', 'reader', 'USAGE')],
    });
    expect(roundTrip(current).config.roles.get('reader')).toEqual({
      default_privileges: [{ for_role: 'migrator', object_type: 'schema', privileges: ['USAGE'] }],
    });
  });

  it('warns when an entry gives a grant option an existing object lacks', () => {
    const current = state({
      roles: [...baseRoles(), role('migrator'), role('reader')],
      objects,
      privileges: facts(owned, 'reader', ['SELECT']),
      defaultPrivileges: [defaultFact('migrator', 'app', 'table', 'reader', 'SELECT', true)],
    });
    const { warnings } = exportConfig(current);
    expect(warnings).toEqual([
      'default privileges of "migrator" in schema "app" give "reader" SELECT WITH GRANT OPTION on its tables, but table "app.a" and 1 more lack it: applying this export would grant it',
    ]);
  });
});

describe('exportConfig: names', () => {
  it('quotes names YAML or the config would read otherwise, and reads them back', () => {
    const odd = [
      table('Mixed.Case', { columns: ['id'] }),
      table('app.with"quote'),
      { ...table('app.x'), name: 'dotted.name' },
    ];
    const notGranted = table('app.other');
    const names = ['null', '123', 'yes', '#admin', 'a: b', 'Ünïcødé', 'sp ace', '- dash', 'x"y'];
    const current = state({
      roles: [...baseRoles(), ...names.map((name) => role(name, { description: `${name}\n` }))],
      objects: [
        database('app'),
        schema('app'),
        { kind: 'schema', schema: null, name: 'Mixed', owner: 'owner' },
        ...odd,
        notGranted,
      ],
      privileges: names.flatMap((name) => odd.map((object) => fact(object, name, 'SELECT'))),
      memberships: [membership('null', '123'), membership('#admin', 'yes')],
    });
    const { config } = roundTrip(current);
    expect([...config.roles.keys()]).toEqual([...names, 'owner'].sort());
    expect(config.roles.get('null')?.grants?.[0]?.objects).toEqual([
      'Mixed.Case',
      'app."dotted.name"',
      'app."with""quote"',
    ]);
  });

  it('leaves out a role whose name the config cannot hold, with a warning', () => {
    const current = state({ roles: [...baseRoles(), role('bad\nname'), role('None')] });
    const { config, warnings } = exportConfig(current);
    expect([...config.roles.keys()]).toEqual(['owner']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('control character');
    expect(warnings[1]).toContain('reserved');
  });
});
