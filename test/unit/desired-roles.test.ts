import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { resolveDesired } from '../../src/resolve/desired.js';
import { DEFAULT_ROLE_ATTRIBUTES } from '../../src/model/state.js';
import {
  at,
  baseRoles,
  config,
  configRole,
  envPassword,
  FILE,
  membership,
  planProblems,
  role,
  state,
} from './diff-builders.js';

describe('resolveDesired: roles', () => {
  it('completes attributes with CREATE ROLE defaults and keeps password, config, rename', () => {
    const password = envPassword('s3cret', 'ALICE_PASSWORD');
    const { desired, warnings } = resolveDesired(
      config([
        configRole('alice', {
          attributes: { login: true, connectionLimit: 5 },
          password,
          config: { search_path: 'app, public' },
          renamedFrom: 'al',
        }),
        configRole('reader', { description: 'Read-only' }),
      ]),
      state(),
    );
    expect(warnings).toEqual([]);
    expect(desired.roles).toEqual([
      {
        name: 'alice',
        attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true, connectionLimit: 5 },
        password,
        description: null,
        config: { search_path: 'app, public' },
        renamedFrom: 'al',
      },
      { name: 'reader', attributes: DEFAULT_ROLE_ATTRIBUTES, description: 'Read-only', config: {} },
    ]);
    expect([...desired.managedRoles]).toEqual(['alice', 'reader']);
    expect(desired.unmanagedRoles).toBe('ignore');
    expect(desired.reassignOwnedTo).toBeNull();
  });

  it('maps declared roles and references to them through --suffix, leaving other roles alone', () => {
    const { desired } = resolveDesired(
      config(
        [
          configRole('reader', { memberOf: [{ role: 'pg_read_all_data', admin: false }] }),
          configRole('editor', {
            memberOf: [{ role: 'reader', admin: true }],
            defaultPrivileges: [
              {
                forRole: 'migrator',
                schema: 'public',
                objectType: 'table',
                privileges: ['SELECT'],
                withGrantOption: false,
              },
            ],
          }),
          configRole('migrator', { renamedFrom: 'old_migrator' }),
        ],
        { settings: { reassignOwnedTo: 'migrator' } },
      ),
      state(),
      { suffix: 'prod' },
    );
    // The generic roles (R, member of R_S) that suffix mode adds are suffix.ts's: only the
    // mapping of declared roles and of references to them is checked here.
    const suffixed = (name: string) => name.endsWith('_prod');
    expect(
      desired.roles.filter((r) => suffixed(r.name)).map((r) => [r.name, r.renamedFrom]),
    ).toEqual([
      ['reader_prod', undefined],
      ['editor_prod', undefined],
      ['migrator_prod', 'old_migrator_prod'],
    ]);
    expect(desired.memberships.filter((m) => suffixed(m.member))).toEqual([
      { role: 'pg_read_all_data', member: 'reader_prod', admin: false },
      { role: 'reader_prod', member: 'editor_prod', admin: true },
    ]);
    expect(desired.defaultPrivileges).toEqual([
      {
        forRole: 'migrator_prod',
        schema: 'public',
        objectType: 'table',
        grantee: 'editor_prod',
        privilege: 'SELECT',
        grantable: false,
      },
    ]);
    expect(desired.reassignOwnedTo).toBe('migrator_prod');
    expect([...desired.managedRoles].filter(suffixed).sort()).toEqual([
      'editor_prod',
      'migrator_prod',
      'reader_prod',
    ]);
  });

  it('maps reassign_owned_to and keeps the unmanaged roles policy', () => {
    const { desired } = resolveDesired(
      config([configRole('app')], {
        settings: { unmanagedRoles: 'drop', reassignOwnedTo: 'owner' },
      }),
      state(),
    );
    expect(desired.unmanagedRoles).toBe('drop');
    expect(desired.reassignOwnedTo).toBe('owner');
  });

  it('refuses a reassign_owned_to or object_creators role that is neither declared nor existing', () => {
    expect(
      planProblems(() =>
        resolveDesired(
          config([configRole('app')], {
            settings: { reassignOwnedTo: 'nobody', objectCreators: ['ghost'] },
          }),
          state(),
        ),
      ),
    ).toEqual([
      { message: 'role "ghost" in settings.object_creators is not declared and does not exist' },
      { message: 'role "nobody" in settings.reassign_owned_to is not declared and does not exist' },
    ]);
  });

  it('says where the config names an unknown reassign_owned_to or object_creators role', () => {
    const loaded = parseConfig(
      [
        'version: 1',
        'settings:',
        '  reassign_owned_to: nobody',
        '  object_creators: [app, ghost, app, ghost]',
        'roles:',
        '  app: {}',
      ].join('\n'),
      FILE,
    );
    expect(planProblems(() => resolveDesired(loaded, state()))).toEqual([
      {
        message: 'role "ghost" in settings.object_creators is not declared and does not exist',
        position: at(4, 26),
      },
      {
        message: 'role "nobody" in settings.reassign_owned_to is not declared and does not exist',
        position: at(3, 22),
      },
    ]);
  });
});

describe('resolveDesired: protected roles', () => {
  const current = state({
    roles: [...baseRoles(), role('rds_superuser'), role('master'), role('app_legacy'), role('app')],
    memberships: [membership('rds_superuser', 'master')],
  });

  it('lists pg_*, the bootstrap superuser, the connecting role, ignore_roles, cloud admins and their members', () => {
    const { desired } = resolveDesired(
      config([configRole('app')], { settings: { ignoreRoles: ['app_*'] } }),
      current,
    );
    expect([...desired.protectedRoles].sort()).toEqual([
      'admin',
      'app_legacy',
      'master',
      'pg_read_all_data',
      'postgres',
      'rds_superuser',
    ]);
  });

  it('refuses to manage a protected role, saying why, at the role', () => {
    const declared = [
      configRole('postgres', { position: at(3, 3) }),
      configRole('admin', { position: at(4, 3) }),
      configRole('pg_monitor', { position: at(5, 3) }),
      configRole('app_legacy', { position: at(6, 3) }),
      configRole('rds_superuser', { position: at(7, 3) }),
      configRole('master', { position: at(8, 3) }),
      configRole('app_n?w', { position: at(9, 3) }),
    ];
    expect(
      planProblems(() =>
        resolveDesired(config(declared, { settings: { ignoreRoles: ['app_*'] } }), current),
      ),
    ).toEqual([
      {
        message: 'role "postgres" is protected (bootstrap superuser) and cannot be managed',
        position: at(3, 3),
      },
      {
        message: 'role "admin" is protected (connecting role) and cannot be managed',
        position: at(4, 3),
      },
      {
        message:
          'role "pg_monitor" is protected (pg_ roles belong to PostgreSQL) and cannot be managed',
        position: at(5, 3),
      },
      {
        message:
          'role "app_legacy" is protected (matches ignore_roles "app_*") and cannot be managed',
        position: at(6, 3),
      },
      {
        message:
          'role "rds_superuser" is protected (managed-cloud admin role) and cannot be managed',
        position: at(7, 3),
      },
      {
        message:
          'role "master" is protected (member of managed-cloud admin role "rds_superuser") and cannot be managed',
        position: at(8, 3),
      },
      {
        message: 'role "app_n?w" is protected (matches ignore_roles "app_*") and cannot be managed',
        position: at(9, 3),
      },
    ]);
  });

  it('matches ? as one character and nothing else as a wildcard', () => {
    const { desired } = resolveDesired(
      config([configRole('app')], { settings: { ignoreRoles: ['ma?ter', 'a.p'] } }),
      state({ roles: [...baseRoles(), role('master'), role('maaster'), role('app')] }),
    );
    expect(desired.protectedRoles.has('master')).toBe(true);
    expect(desired.protectedRoles.has('maaster')).toBe(false);
    expect(desired.protectedRoles.has('app')).toBe(false);
  });

  it('lets the config merely reference protected roles', () => {
    const { desired } = resolveDesired(
      config([
        configRole('reader', {
          memberOf: [{ role: 'pg_read_all_data', admin: false }],
          defaultPrivileges: [
            {
              forRole: 'postgres',
              schema: null,
              objectType: 'table',
              privileges: ['SELECT'],
              withGrantOption: false,
            },
          ],
        }),
      ]),
      state(),
    );
    expect(desired.memberships).toEqual([
      { role: 'pg_read_all_data', member: 'reader', admin: false },
    ]);
    expect(desired.defaultPrivileges).toHaveLength(1);
  });

  it('refuses to rename a protected role', () => {
    expect(
      planProblems(() =>
        resolveDesired(
          config([configRole('boss', { renamedFrom: 'postgres', position: at(2) })]),
          state(),
        ),
      ),
    ).toEqual([
      {
        message: 'role "postgres" is protected (bootstrap superuser) and cannot be renamed',
        position: at(2),
      },
    ]);
  });
});

describe('resolveDesired: member_of', () => {
  it('refuses a role that is neither declared nor existing, at the entry', () => {
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('app', { memberOf: [{ role: 'ghost', admin: false, position: at(14, 9) }] }),
          ]),
          state(),
        ),
      ),
    ).toEqual([
      {
        message: 'role "ghost" in member_of is not declared and does not exist',
        position: at(14, 9),
      },
    ]);
  });

  it('accepts an existing undeclared role and a declared role that does not exist yet', () => {
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          memberOf: [
            { role: 'owner', admin: false },
            { role: 'team', admin: true },
          ],
        }),
        configRole('team'),
      ]),
      state(),
    );
    expect(desired.memberships).toEqual([
      { role: 'owner', member: 'app', admin: false },
      { role: 'team', member: 'app', admin: true },
    ]);
  });

  it('keeps written inherit/set options on PostgreSQL 16', () => {
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          memberOf: [{ role: 'owner', admin: false, inherit: false, set: true }],
        }),
      ]),
      state(),
    );
    expect(desired.memberships).toEqual([
      { role: 'owner', member: 'app', admin: false, inherit: false, set: true },
    ]);
  });

  it('before 16 accepts inherit/set true (the only behaviour) and refuses false', () => {
    const current = state({ server: { versionNum: 150008 } });
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          memberOf: [{ role: 'owner', admin: false, inherit: true, set: true }],
        }),
      ]),
      current,
    );
    expect(desired.memberships).toEqual([{ role: 'owner', member: 'app', admin: false }]);
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('app', {
              memberOf: [
                { role: 'owner', admin: false, inherit: false, set: false, position: at(8, 7) },
              ],
            }),
          ]),
          current,
        ),
      ),
    ).toEqual([
      {
        message:
          'membership of "app" in "owner": inherit: false needs PostgreSQL 16 (the server runs 15)',
        position: at(8, 7),
      },
      {
        message:
          'membership of "app" in "owner": set: false needs PostgreSQL 16 (the server runs 15)',
        position: at(8, 7),
      },
    ]);
  });
});
