import { describe, expect, it } from 'vitest';
import { diff } from '../../src/diff/diff.js';
import { DEFAULT_ROLE_ATTRIBUTES, type DesiredState } from '../../src/model/state.js';
import { baseRoles, config, configRole, membership, planOf, role, state } from './diff-builders.js';

const pg15 = { versionNum: 150008 };
const roles = [...baseRoles(), role('app'), role('team'), role('ops'), role('legacy')];

describe('diff: memberships before PostgreSQL 16', () => {
  it('grants a missing membership with its ADMIN option, never INHERIT/SET', () => {
    const { operations } = planOf(
      config([
        configRole('app', { memberOf: [{ role: 'team', admin: true, inherit: true, set: true }] }),
      ]),
      state({ roles, server: pg15 }),
    );
    expect(operations).toEqual([
      { type: 'grant_membership', role: 'team', member: 'app', admin: true },
    ]);
  });

  it('changes ADMIN without a grantor, and leaves inherit/set alone', () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          memberOf: [
            { role: 'team', admin: false },
            { role: 'ops', admin: true },
          ],
        }),
      ]),
      state({
        roles,
        server: pg15,
        memberships: [
          membership('team', 'app', { admin: true, inherit: null, set: null }),
          membership('ops', 'app', { admin: false, inherit: null, set: null }),
        ],
      }),
    );
    expect(operations).toEqual([
      { type: 'alter_membership', role: 'ops', member: 'app', admin: true },
      { type: 'alter_membership', role: 'team', member: 'app', admin: false },
    ]);
  });

  it('revokes a membership the config lacks, once, without GRANTED BY', () => {
    const { operations } = planOf(
      config([configRole('app')]),
      state({
        roles,
        server: pg15,
        memberships: [membership('team', 'app', { inherit: null, set: null })],
      }),
    );
    expect(operations).toEqual([{ type: 'revoke_membership', role: 'team', member: 'app' }]);
  });
});

describe('diff: memberships on PostgreSQL 16+', () => {
  it('grants with INHERIT/SET only when the config writes them', () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          memberOf: [
            { role: 'team', admin: false, inherit: false, set: true },
            { role: 'ops', admin: false },
          ],
        }),
      ]),
      state({ roles }),
    );
    expect(operations).toEqual([
      { type: 'grant_membership', role: 'ops', member: 'app', admin: false },
      {
        type: 'grant_membership',
        role: 'team',
        member: 'app',
        admin: false,
        inherit: false,
        set: true,
      },
    ]);
  });

  it('says nothing when the row matches, unwritten options taking their defaults', () => {
    const { operations } = planOf(
      config([configRole('app', { memberOf: [{ role: 'team', admin: false }] })]),
      state({ roles, memberships: [membership('team', 'app', { grantor: 'postgres' })] }),
    );
    expect(operations).toEqual([]);
  });

  it('alters options that differ on the existing row, naming its grantor', () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          memberOf: [{ role: 'team', admin: true, inherit: false, set: false }],
        }),
      ]),
      state({ roles, memberships: [membership('team', 'app', { grantor: 'postgres' })] }),
    );
    expect(operations).toEqual([
      {
        type: 'alter_membership',
        role: 'team',
        member: 'app',
        grantor: 'postgres',
        admin: true,
        inherit: false,
        set: false,
      },
    ]);
  });

  it("takes an unwritten INHERIT from the member's INHERIT attribute, as GRANT does", () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          attributes: { inherit: false },
          memberOf: [{ role: 'team', admin: false }],
        }),
      ]),
      state({
        roles: [...baseRoles(), role('app', { attributes: { inherit: false } }), role('team')],
        memberships: [membership('team', 'app', { inherit: true })],
      }),
    );
    expect(operations).toEqual([
      { type: 'alter_membership', role: 'team', member: 'app', grantor: 'admin', inherit: false },
    ]);
  });

  it('takes an unwanted option from every row that has it, and adds a missing one to the first row only', () => {
    const { operations } = planOf(
      config([configRole('app', { memberOf: [{ role: 'team', admin: true, set: false }] })]),
      state({
        roles,
        memberships: [
          membership('team', 'app', { grantor: 'postgres', set: true }),
          membership('team', 'app', { grantor: 'admin', set: true }),
        ],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'alter_membership',
        role: 'team',
        member: 'app',
        grantor: 'admin',
        admin: true,
        set: false,
      },
      { type: 'alter_membership', role: 'team', member: 'app', grantor: 'postgres', set: false },
    ]);
  });

  it('revokes every grantor row of a membership the config lacks', () => {
    const { operations } = planOf(
      config([configRole('app')]),
      state({
        roles,
        memberships: [
          membership('team', 'app', { grantor: 'postgres' }),
          membership('team', 'app', { grantor: 'admin' }),
        ],
      }),
    );
    expect(operations).toEqual([
      { type: 'revoke_membership', role: 'team', member: 'app', grantor: 'admin' },
      { type: 'revoke_membership', role: 'team', member: 'app', grantor: 'postgres' },
    ]);
  });
});

describe('diff: memberships outside the managed scope', () => {
  it('leaves memberships of unmanaged, protected and connecting roles alone', () => {
    const { operations } = planOf(
      config([configRole('team')]),
      state({
        roles,
        memberships: [
          membership('team', 'legacy'),
          membership('team', 'admin'),
          membership('pg_read_all_data', 'postgres'),
        ],
      }),
    );
    expect(operations).toEqual([]);
  });

  it('revokes a membership in a protected role from a managed member', () => {
    const { operations } = planOf(
      config([configRole('app')]),
      state({ roles, memberships: [membership('pg_read_all_data', 'app')] }),
    );
    expect(operations).toEqual([
      { type: 'revoke_membership', role: 'pg_read_all_data', member: 'app', grantor: 'admin' },
    ]);
  });

  it('only adds memberships of roles marked add-only (generic roles under --suffix)', () => {
    const desired: DesiredState = {
      roles: [
        { name: 'app', attributes: DEFAULT_ROLE_ATTRIBUTES, description: null, config: {} },
        { name: 'app_prod', attributes: DEFAULT_ROLE_ATTRIBUTES, description: null, config: {} },
      ],
      memberships: [{ role: 'app_prod', member: 'app', admin: false }],
      privileges: [],
      defaultPrivileges: [],
      managedRoles: new Set(['app', 'app_prod']),
      protectedRoles: new Set(['admin', 'postgres']),
      unmanagedRoles: 'ignore',
      reassignOwnedTo: null,
      addOnlyMembershipsOf: new Set(['app']),
    };
    const current = state({
      roles: [...roles, role('app_test')],
      memberships: [membership('app_test', 'app')],
    });
    expect(diff(current, desired).operations).toEqual([
      { type: 'create_role', role: 'app_prod', attributes: DEFAULT_ROLE_ATTRIBUTES },
      { type: 'grant_membership', role: 'app_prod', member: 'app', admin: false },
    ]);
  });
});
