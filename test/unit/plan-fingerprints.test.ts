/**
 * A saved plan's fingerprints cover what the plan depends on and nothing else, and say what
 * changed in terraform's way (`role "alice": memberships changed`).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ROLE_ATTRIBUTES,
  type CurrentState,
  type DesiredState,
} from '../../src/model/state.js';
import { ABSENT, changedResources, fingerprintsOf, planScope } from '../../src/plan/fingerprint.js';
import type { Operation } from '../../src/model/operations.js';
import { current as fixture } from './plan-fixture.js';

const orders = { kind: 'table', schema: 'app', name: 'orders' } as const;

const current: CurrentState = {
  server: fixture.server,
  roles: ['postgres', 'alice', 'other'].map((name, oid) => ({
    name,
    oid,
    attributes: DEFAULT_ROLE_ATTRIBUTES,
    description: null,
    config: {},
  })),
  memberships: [],
  objects: [
    { kind: 'schema', schema: null, name: 'app', owner: 'postgres' },
    { ...orders, owner: 'postgres', relkind: 'r', columns: ['id'] },
    { kind: 'table', schema: 'app', name: 'lines', owner: 'postgres', relkind: 'r', columns: [] },
  ],
  privileges: [{ object: orders, grantee: 'postgres', privilege: 'SELECT', grantable: false }],
  publicPrivileges: [],
  defaultPrivileges: [],
  dependencies: [],
};

const desired: DesiredState = {
  roles: [],
  memberships: [],
  privileges: [{ object: orders, grantee: 'alice', privilege: 'SELECT', grantable: false }],
  defaultPrivileges: [],
  managedRoles: new Set(['alice', 'carol']),
  protectedRoles: new Set(),
  unmanagedRoles: 'ignore',
  reassignOwnedTo: null,
};

const operations: Operation[] = [
  {
    type: 'grant_privileges',
    target: { scope: 'objects', kind: 'table', objects: [orders] },
    privileges: ['SELECT'],
    grantees: ['alice'],
    withGrantOption: false,
  },
];

const scope = planScope(current, desired, operations);
const saved = fingerprintsOf(current, scope);

function changesAfter(edit: (state: CurrentState) => CurrentState): string[] {
  return changedResources(saved, fingerprintsOf(edit(current), new Set(Object.keys(saved))));
}

describe('planScope', () => {
  it('holds the managed roles, the objects granted on, and no other role or object', () => {
    expect([...scope].sort()).toEqual([
      'role "alice": attributes',
      'role "alice": comment',
      'role "alice": default privileges',
      'role "alice": memberships',
      'role "alice": privileges',
      'role "alice": settings',
      'role "carol": attributes',
      'role "carol": comment',
      'role "carol": default privileges',
      'role "carol": memberships',
      'role "carol": privileges',
      'role "carol": settings',
      'table "app.orders": columns',
      'table "app.orders": owner',
      'table "app.orders": privileges',
    ]);
    // carol does not exist yet: the plan records that, so a carol created meanwhile is seen.
    expect(saved['role "carol": attributes']).toBe(ABSENT);
    expect(saved['table "app.orders": privileges']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('covers every object of a schema for an ALL ... IN SCHEMA operation, and their list', () => {
    const all = planScope(current, { ...desired, privileges: [] }, [
      {
        type: 'grant_privileges',
        target: { scope: 'all_in_schema', kind: 'table', schema: 'app' },
        privileges: ['SELECT'],
        grantees: ['alice'],
        withGrantOption: false,
      },
    ]);
    expect([...all].filter((key) => !key.startsWith('role ')).sort()).toEqual([
      'schema "app": owner',
      'schema "app": privileges',
      'schema "app": tables',
      'table "app.lines": columns',
      'table "app.lines": owner',
      'table "app.lines": privileges',
      'table "app.orders": columns',
      'table "app.orders": owner',
      'table "app.orders": privileges',
    ]);
    const added = fingerprintsOf(
      {
        ...current,
        objects: [...current.objects, { kind: 'table', schema: 'app', name: 'new', owner: 'x' }],
      },
      all,
    );
    expect(changedResources(fingerprintsOf(current, all), added)).toEqual([
      'schema "app": tables changed',
    ]);
  });
});

describe('changedResources', () => {
  it('is empty when nothing the plan depends on changed', () => {
    expect(
      changesAfter((state) => ({
        ...state,
        // An unrelated schema, a comment on an unmanaged role, a grant on another table.
        objects: [...state.objects, { kind: 'schema', schema: null, name: 'x', owner: 'other' }],
        roles: state.roles.map((role) =>
          role.name === 'other' ? { ...role, description: 'hand-made' } : role,
        ),
        privileges: [
          ...state.privileges,
          {
            object: { kind: 'table', schema: 'app', name: 'lines' },
            grantee: 'other',
            privilege: 'SELECT',
            grantable: false,
          },
        ],
      })),
    ).toEqual([]);
  });

  it("names a grant to PUBLIC or to an unmanaged role on a covered object as the object's", () => {
    expect(
      changesAfter((state) => ({
        ...state,
        publicPrivileges: [{ object: orders, privilege: 'DELETE', grantable: false, grantor: 'x' }],
      })),
    ).toEqual(['table "app.orders": privileges changed']);
    expect(
      changesAfter((state) => ({
        ...state,
        privileges: [
          ...state.privileges,
          { object: orders, grantee: 'other', privilege: 'UPDATE', grantable: false },
        ],
      })),
    ).toEqual(['table "app.orders": privileges changed']);
  });

  it("names a managed role's memberships, attributes, privileges; created and dropped once", () => {
    expect(
      changesAfter((state) => ({
        ...state,
        memberships: [
          {
            role: 'other',
            member: 'alice',
            grantor: 'postgres',
            admin: false,
            inherit: true,
            set: true,
          },
        ],
      })),
    ).toEqual(['role "alice": memberships changed']);
    expect(
      changesAfter((state) => ({
        ...state,
        roles: [
          ...state.roles.filter((role) => role.name !== 'alice'),
          {
            name: 'carol',
            oid: 9,
            attributes: DEFAULT_ROLE_ATTRIBUTES,
            description: null,
            config: {},
          },
        ],
      })),
    ).toEqual(['role "alice": dropped', 'role "carol": created']);
    expect(
      changesAfter((state) => ({
        ...state,
        roles: state.roles.map((role) =>
          role.name === 'alice'
            ? { ...role, attributes: { ...role.attributes, superuser: true }, config: { a: 'b' } }
            : role,
        ),
      })),
    ).toEqual(['role "alice": attributes changed, settings changed']);
    expect(
      changesAfter((state) => ({
        ...state,
        privileges: [
          ...state.privileges,
          {
            object: { kind: 'table', schema: 'app', name: 'lines' },
            grantee: 'alice',
            privilege: 'SELECT',
            grantable: false,
          },
        ],
      })),
    ).toEqual(['role "alice": privileges changed']);
  });

  it('does not count what a managed role holds as an owner: it creates tables elsewhere', () => {
    const owned = { kind: 'table', schema: 'app', name: 'mine' } as const;
    expect(
      changesAfter((state) => ({
        ...state,
        objects: [...state.objects, { ...owned, owner: 'alice', relkind: 'r', columns: [] }],
        privileges: [
          ...state.privileges,
          { object: owned, grantee: 'alice', privilege: 'SELECT', grantable: false },
        ],
      })),
    ).toEqual([]);
  });

  it('reads keys from a file as data: a key that names nothing is absent', () => {
    const forged = fingerprintsOf(current, new Set(['__proto__', 'role "x": attributes']));
    expect(Object.keys(forged)).toEqual(['__proto__', 'role "x": attributes']);
    expect(Object.values(forged)).toEqual([ABSENT, ABSENT]);
  });
});
