import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { resolveDesired } from '../../src/resolve/desired.js';
import { diff } from '../../src/diff/diff.js';
import type {
  CatalogObject,
  CurrentMembership,
  CurrentRole,
  CurrentState,
  PrivilegeFact,
} from '../../src/model/state.js';
import { planProblems, role } from './diff-builders.js';

const data: CatalogObject = { kind: 'schema', schema: null, name: 'data', owner: 'postgres' };
const orders: CatalogObject = {
  kind: 'table',
  schema: 'data',
  name: 'orders',
  owner: 'postgres',
  relkind: 'r',
  columns: ['id'],
};

function state(parts: {
  roles?: CurrentRole[];
  memberships?: CurrentMembership[];
  privileges?: PrivilegeFact[];
}): CurrentState {
  return {
    server: {
      versionNum: 160000,
      currentUser: 'postgres',
      sessionUser: 'postgres',
      currentDatabase: 'db1',
      bootstrapSuperuser: 'postgres',
      currentUserIsSuperuser: true,
      canReadPasswords: true,
    },
    roles: [
      role('postgres', { attributes: { superuser: true, login: true } }),
      ...(parts.roles ?? []),
    ],
    memberships: parts.memberships ?? [],
    objects: [data, orders],
    privileges: parts.privileges ?? [],
    defaultPrivileges: [],
    dependencies: [],
  };
}

const membership = (roleName: string, member: string): CurrentMembership => ({
  role: roleName,
  member,
  grantor: 'postgres',
  admin: false,
  inherit: true,
  set: true,
});

const config = (unmanaged = 'ignore') =>
  parseConfig(
    `version: 1
settings:
  unmanaged_roles: ${unmanaged}
roles:
  reader:
    description: Reads data
    permissions:
      - { type: read, schemas: [data] }
  editor:
    login: true
    member_of: [reader]
`,
    'pgward.yaml',
  );

describe('--suffix: generic roles', () => {
  it('wants R_S with the privileges and a NOLOGIN generic R, member of R_S', () => {
    const { desired } = resolveDesired(config(), state({}), { suffix: 'lausanne' });
    expect(desired.roles.map((r) => [r.name, r.attributes.login, r.description])).toEqual([
      ['reader_lausanne', false, 'Reads data'],
      ['editor_lausanne', true, null],
      ['reader', false, 'Reads data'],
      ['editor', false, null],
    ]);
    expect(desired.memberships).toEqual([
      { role: 'editor_lausanne', member: 'editor', admin: false },
      { role: 'reader_lausanne', member: 'editor_lausanne', admin: false },
      { role: 'reader_lausanne', member: 'reader', admin: false },
    ]);
    expect(new Set(desired.privileges.map((fact) => fact.grantee))).toEqual(
      new Set(['reader_lausanne']),
    );
    expect([...desired.managedRoles].sort()).toEqual([
      'editor',
      'editor_lausanne',
      'reader',
      'reader_lausanne',
    ]);
    expect([...(desired.addOnlyMembershipsOf ?? [])].sort()).toEqual(['editor', 'reader']);
  });

  it('leaves no trace without a suffix', () => {
    const { desired } = resolveDesired(config(), state({}));
    expect(desired.roles.map((r) => r.name)).toEqual(['reader', 'editor']);
    expect(desired.addOnlyMembershipsOf).toBeUndefined();
  });

  it('never revokes, alters or drops what another suffix made', () => {
    // The state after an apply with suffix zurich (in another database): R, R_zurich, R ∈ R_zurich.
    const current = state({
      roles: [
        role('reader'),
        role('editor'),
        role('reader_zurich'),
        role('editor_zurich', { attributes: { login: true } }),
        role('stranger'),
      ],
      memberships: [
        membership('reader_zurich', 'reader'),
        membership('editor_zurich', 'editor'),
        membership('reader_zurich', 'editor_zurich'),
      ],
    });
    const { desired } = resolveDesired(config('drop'), current, { suffix: 'lausanne' });
    const { operations } = diff(current, desired);
    // Only additions for lausanne, and the unmanaged role that is no one's suffix is dropped.
    expect(operations.map((op) => op.type)).not.toContain('revoke_membership');
    expect(operations.filter((op) => op.type === 'drop_role')).toEqual([
      { type: 'drop_role', role: 'stranger' },
    ]);
    expect(operations.filter((op) => op.type === 'create_role').map((op) => op.role)).toEqual([
      'editor_lausanne',
      'reader_lausanne',
    ]);
    expect(
      operations
        .filter((op) => op.type === 'grant_membership')
        .map((op) => `${op.member} ∈ ${op.role}`)
        .sort(),
    ).toEqual([
      'editor ∈ editor_lausanne',
      'editor_lausanne ∈ reader_lausanne',
      'reader ∈ reader_lausanne',
    ]);
    const touched = operations.flatMap((op) =>
      'role' in op ? [op.role] : 'grantees' in op ? [...op.grantees] : [],
    );
    expect(touched).not.toContain('reader_zurich');
    expect(touched).not.toContain('editor_zurich');
  });

  it('revokes what was granted to the generic role itself: its access is through R_S only', () => {
    const current = state({
      roles: [
        role('reader'),
        role('editor'),
        role('reader_lausanne'),
        role('editor_lausanne', { attributes: { login: true } }),
      ],
      memberships: [
        membership('reader_lausanne', 'reader'),
        membership('editor_lausanne', 'editor'),
        membership('reader_lausanne', 'editor_lausanne'),
      ],
      privileges: [
        { object: orders, grantee: 'reader', privilege: 'SELECT', grantable: false },
        { object: data, grantee: 'reader_lausanne', privilege: 'USAGE', grantable: false },
        { object: orders, grantee: 'reader_lausanne', privilege: 'SELECT', grantable: false },
      ],
    });
    const resolved = resolveDesired(config(), current, { suffix: 'lausanne' });
    // The comments are part of the desired state; set them as the state would have them.
    const commented: CurrentState = {
      ...current,
      roles: current.roles.map((r) =>
        r.name.startsWith('reader') ? { ...r, description: 'Reads data' } : r,
      ),
    };
    const forGeneric = diff(commented, resolved.desired).operations.filter(
      (op) =>
        ('role' in op && op.role === 'reader') ||
        ('grantees' in op && op.grantees.includes('reader')),
    );
    expect(forGeneric).toMatchObject([
      {
        type: 'revoke_privileges',
        target: { scope: 'objects', kind: 'table', objects: [{ schema: 'data', name: 'orders' }] },
        privileges: ['SELECT'],
        grantees: ['reader'],
      },
    ]);
  });

  it('reports names that PostgreSQL would truncate, collisions and protected generic roles', () => {
    const long = 'r'.repeat(60);
    const text = `version: 1
roles:
  ${long}: {}
  app: {}
  app_lausanne: {}
`;
    const messages = planProblems(() =>
      resolveDesired(parseConfig(text, 'pgward.yaml'), state({}), { suffix: 'lausanne' }),
    ).map((problem) => problem.message);
    expect(messages).toContain(
      `role "${long}_lausanne" (role "${long}" with --suffix lausanne) is longer than 63 bytes`,
    );
    expect(messages).toContain(
      'role "app_lausanne" is both a generic role and a DB-specific role with --suffix lausanne',
    );
  });

  it('refuses an empty suffix', () => {
    expect(() => resolveDesired(config(), state({}), { suffix: '' })).toThrow(
      '--suffix must not be empty',
    );
  });
});
