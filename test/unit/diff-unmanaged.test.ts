import { describe, expect, it } from 'vitest';
import { diff } from '../../src/diff/diff.js';
import { resolveDesired } from '../../src/resolve/desired.js';
import {
  baseRoles,
  config,
  configRole,
  dependency,
  membership,
  planOf,
  planProblems,
  role,
  state,
} from './diff-builders.js';

// Without the builders' "owner" role, which would otherwise be one more unmanaged role.
const roles = [
  ...baseRoles().filter((r) => r.name !== 'owner'),
  role('app'),
  role('stale'),
  role('rds_superuser'),
  role('master'),
  role('app_legacy'),
];
const memberships = [membership('rds_superuser', 'master')];

describe('diff: unmanaged roles', () => {
  it('ignores them by default', () => {
    expect(planOf(config([configRole('app')]), state({ roles, memberships }))).toEqual({
      operations: [],
      warnings: [],
    });
  });

  it('reports each one as a finding, never a protected role', () => {
    const current = state({ roles, memberships });
    const desired = resolveDesired(
      config([configRole('app')], {
        settings: { unmanagedRoles: 'report', ignoreRoles: ['app_*'] },
      }),
      current,
    ).desired;
    const { operations, findings, warnings } = diff(current, desired);
    expect(operations).toEqual([]);
    expect(warnings).toEqual([]);
    expect(findings).toEqual([
      {
        kind: 'unmanaged_role',
        role: 'stale',
        summary: 'role "stale" exists but is not in the config',
        reason:
          'unmanaged_roles: report: apply leaves it and its access as they are; declare it, match it with ignore_roles, or drop it',
      },
    ]);
  });

  it('reports a powerful unmanaged role with any setting, even one the config names', () => {
    const powerful = [
      ...roles,
      role('boss', { attributes: { superuser: true, login: true } }),
      role('replicator', { attributes: { replication: true } }),
      role('rls_free', { attributes: { bypassrls: true } }),
      role('hr', { attributes: { createrole: true } }),
      role('app_admin', { attributes: { superuser: true } }),
    ];
    const current = state({ roles: powerful, memberships });
    for (const unmanagedRoles of ['ignore', 'report'] as const) {
      // `member_of: [hr]` names hr without declaring it: still reported for its CREATEROLE.
      const desired = resolveDesired(
        config([configRole('app', { memberOf: [{ role: 'hr', admin: false }] })], {
          settings: { unmanagedRoles, ignoreRoles: ['app_*'] },
        }),
        current,
      ).desired;
      const { findings } = diff(current, desired);
      expect(findings.map((finding) => [finding.kind, finding.role, finding.summary])).toEqual([
        ['privileged_unmanaged_role', 'boss', 'role "boss" has SUPERUSER but is not in the config'],
        ['privileged_unmanaged_role', 'hr', 'role "hr" has CREATEROLE but is not in the config'],
        [
          'privileged_unmanaged_role',
          'replicator',
          'role "replicator" has REPLICATION but is not in the config',
        ],
        [
          'privileged_unmanaged_role',
          'rls_free',
          'role "rls_free" has BYPASSRLS but is not in the config',
        ],
        ...(unmanagedRoles === 'report'
          ? [['unmanaged_role', 'stale', 'role "stale" exists but is not in the config']]
          : []),
      ]);
    }
  });

  it('drops a role that owns and holds nothing with DROP ROLE alone', () => {
    const { operations } = planOf(
      config([configRole('app')], { settings: { unmanagedRoles: 'drop', ignoreRoles: ['app_*'] } }),
      state({ roles, memberships }),
    );
    expect(operations).toEqual([{ type: 'drop_role', role: 'stale' }]);
  });

  it('reassigns and drops what it owns or holds in this database (and shared objects) first', () => {
    const { operations } = planOf(
      config([configRole('app'), configRole('keeper')], {
        settings: { unmanagedRoles: 'drop', ignoreRoles: ['app_*'], reassignOwnedTo: 'keeper' },
      }),
      state({
        roles: [...roles, role('holder')],
        memberships,
        dependencies: [
          dependency('stale', 'app', 'owner', 3),
          dependency('stale', null, 'owner', 1),
          dependency('holder', 'app', 'acl', 2),
        ],
      }),
    );
    expect(operations).toEqual([
      { type: 'create_role', role: 'keeper', attributes: expect.any(Object) },
      { type: 'drop_owned', role: 'holder' },
      { type: 'drop_role', role: 'holder' },
      { type: 'reassign_owned', role: 'stale', to: 'keeper' },
      { type: 'drop_owned', role: 'stale' },
      { type: 'drop_role', role: 'stale' },
    ]);
  });

  it('refuses to drop a role that owns objects when no reassign_owned_to is set', () => {
    expect(
      planProblems(() =>
        planOf(
          config([configRole('app')], {
            settings: { unmanagedRoles: 'drop', ignoreRoles: ['app_*'] },
          }),
          state({ roles, memberships, dependencies: [dependency('stale', 'app', 'owner', 3)] }),
        ),
      ),
    ).toEqual([
      {
        message:
          'role "stale" owns 3 objects in database "app"; set settings.reassign_owned_to so that pgward can drop it',
      },
    ]);
  });

  it('refuses to drop a role that owns or holds anything in another database', () => {
    expect(
      planProblems(() =>
        planOf(
          config([configRole('app')], {
            settings: {
              unmanagedRoles: 'drop',
              ignoreRoles: ['app_*'],
              reassignOwnedTo: 'postgres',
            },
          }),
          state({
            roles,
            memberships,
            dependencies: [
              dependency('stale', 'other', 'owner', 3),
              dependency('stale', 'reports', 'acl', 1),
              dependency('stale', 'app', 'owner', 2),
            ],
          }),
        ),
      ),
    ).toEqual([
      {
        message:
          'role "stale" owns 3 objects in database "other"; pgward cannot drop it from "app"',
      },
      {
        message:
          'role "stale" holds privileges on 1 object in database "reports"; pgward cannot drop it from "app"',
      },
    ]);
  });

  it('never drops protected roles nor roles the config relies on', () => {
    const current = state({
      roles: [...roles, role('legacy'), role('migrator')],
      memberships,
    });
    const { operations } = planOf(
      config(
        [
          configRole('app', {
            memberOf: [{ role: 'legacy', admin: false }],
            defaultPrivileges: [
              {
                forRole: 'migrator',
                schema: null,
                objectType: 'table',
                privileges: ['SELECT'],
                withGrantOption: false,
              },
            ],
          }),
        ],
        {
          settings: { unmanagedRoles: 'drop', ignoreRoles: ['app_*'], reassignOwnedTo: 'postgres' },
        },
      ),
      current,
    );
    expect(operations.filter((op) => op.type === 'drop_role')).toEqual([
      { type: 'drop_role', role: 'stale' },
    ]);
  });

  it('does not revoke memberships in a role it drops: DROP ROLE does', () => {
    const current = state({ roles, memberships: [...memberships, membership('stale', 'app')] });
    const { desired } = resolveDesired(
      config([configRole('app')], { settings: { unmanagedRoles: 'drop', ignoreRoles: ['app_*'] } }),
      current,
    );
    expect(diff(current, desired).operations).toEqual([{ type: 'drop_role', role: 'stale' }]);
  });
});
