import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError, formatProblem } from '../../src/errors.js';

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'pgward.yaml', { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('cluster scope in the config (spec §8)', () => {
  it('reads the three forms of settings.databases', () => {
    const list = parseConfig('version: 1\nsettings:\n  databases: [shop, crm]\n', 'p.yaml');
    expect(list.settings.databases).toMatchObject([{ name: 'shop' }, { name: 'crm' }]);
    const all = parseConfig('version: 1\nsettings:\n  databases: "*"\n', 'p.yaml');
    expect(all.settings.databases).toBe('*');
    const suffixes = parseConfig(
      'version: 1\nsettings:\n  databases: { tww_lausanne: { suffix: lausanne }, tww_zurich: { suffix: zurich } }\n',
      'p.yaml',
    );
    expect(suffixes.settings.databases).toMatchObject([
      { name: 'tww_lausanne', suffix: 'lausanne' },
      { name: 'tww_zurich', suffix: 'zurich' },
    ]);
    const none = parseConfig('version: 1\n', 'p.yaml');
    expect(none.settings.databases).toBeUndefined();
  });

  it('keeps databases: on entries and database_config per role', () => {
    const config = parseConfig(
      [
        'version: 1',
        'settings:',
        '  databases: [shop, crm]',
        'roles:',
        '  analyst:',
        '    database_config:',
        '      shop: { statement_timeout: 5s, work_mem: 64 }',
        '    grants:',
        '      - { privileges: [SELECT], object_type: table, all_in_schemas: [public], databases: [shop] }',
        '    permissions:',
        '      - { type: read, schemas: [public], databases: [crm] }',
        '    default_privileges:',
        '      - { for_role: app_owner, schema: public, object_type: table, privileges: [SELECT], databases: [shop, crm] }',
      ].join('\n'),
      'p.yaml',
    );
    const [analyst] = config.roles;
    expect(analyst?.databaseConfig).toEqual({ shop: { statement_timeout: '5s', work_mem: '64' } });
    expect(analyst?.grants[0]?.databases).toEqual(['shop']);
    expect(analyst?.permissions[0]?.databases).toEqual(['crm']);
    expect(analyst?.defaultPrivileges[0]?.databases).toEqual(['shop', 'crm']);
  });

  it('reports a database that is not managed at its FILE:LINE:COL', () => {
    expect(
      problemsOf(
        [
          'version: 1',
          'settings:',
          '  databases: [shop]',
          'roles:',
          '  analyst:',
          '    database_config:',
          '      crm: { work_mem: 64 }',
          '    grants:',
          '      - { privileges: [SELECT], object_type: table, objects: [public.t], databases: [shop, hr] }',
        ].join('\n'),
      ),
    ).toEqual([
      'pgward.yaml:7:7: database "crm" is not managed: settings.databases lists "shop"',
      'pgward.yaml:9:92: database "hr" is not managed: settings.databases lists "shop"',
    ]);
  });

  it('keeps databases: on owns and tables entries, and reports an unmanaged one at its FILE:LINE:COL', () => {
    const lines = [
      'version: 1',
      'settings:',
      '  databases: [shop, crm]',
      'roles:',
      '  app_owner:',
      '    owns:',
      '      - { object_type: table, objects: [app.orders], databases: [shop] }',
      'tables:',
      '  app.orders:',
      '    row_security: enabled',
      '    databases: [crm]',
    ];
    const config = parseConfig(lines.join('\n'), 'p.yaml');
    expect(config.roles[0]?.owns?.[0]?.databases).toEqual(['shop']);
    expect(config.tables?.[0]?.databases).toEqual(['crm']);
    lines[6] = '      - { object_type: table, objects: [app.orders], databases: [shop, hr] }';
    lines[10] = '    databases: [crm, hr]';
    expect(problemsOf(lines.join('\n'))).toEqual([
      'pgward.yaml:7:72: database "hr" is not managed: settings.databases lists "shop", "crm"',
      'pgward.yaml:11:22: database "hr" is not managed: settings.databases lists "shop", "crm"',
    ]);
    expect(
      problemsOf(
        [
          'version: 1',
          'settings:',
          '  databases: [shop, crm]',
          'roles:',
          '  app_owner:',
          '    owns:',
          '      - { object_type: database, objects: [shop], databases: [shop] }',
        ].join('\n'),
      ),
    ).toEqual([
      'pgward.yaml:7:51: "databases" cannot limit the owner of a database: databases belong to the whole cluster, not to one database',
    ]);
  });

  it('refuses two databases with one suffix, a database listed twice and databases: on cluster objects', () => {
    expect(
      problemsOf(
        [
          'version: 1',
          'settings:',
          '  databases: { a: { suffix: x }, b: { suffix: x } }',
          'roles:',
          '  r:',
          '    grants:',
          '      - { privileges: [CONNECT], object_type: database, objects: [a], databases: [a] }',
        ].join('\n'),
      ),
    ).toEqual([
      'pgward.yaml:3:47: databases "a" and "b" have the same suffix "x"; each database needs its own',
      'pgward.yaml:7:71: "databases" cannot limit a grant on a database: databases belong to the whole cluster, not to one database',
    ]);
    expect(problemsOf('version: 1\nsettings:\n  databases: [a, a]\n')).toEqual([
      'pgward.yaml:3:18: database "a" is listed twice in "databases" in "settings"',
    ]);
    expect(problemsOf('version: 1\nsettings:\n  databases: all\n')).toHaveLength(1);
  });
});
