import { describe, expect, it } from 'vitest';
import type { Config, ConfigRole } from '../../src/config/types.js';
import { BUILTIN_PROFILES } from '../../src/config/types.js';
import { computeInventory } from '../../src/inventory/compute.js';
import type { PublicPrivilege } from '../../src/inventory/effective.js';
import type {
  CatalogObject,
  CurrentMembership,
  CurrentRole,
  CurrentState,
  PrivilegeFact,
} from '../../src/model/state.js';
import { facts, role } from './diff-builders.js';

// --- model literals -----------------------------------------------------------------------

const schema = (name: string, owner = 'postgres'): CatalogObject => ({
  kind: 'schema',
  schema: null,
  name,
  owner,
});
const table = (s: string, name: string, relkind = 'r', owner = 'postgres'): CatalogObject => ({
  kind: 'table',
  schema: s,
  name,
  owner,
  relkind,
  columns: ['id'],
});
const sequence = (s: string, name: string, owner = 'postgres'): CatalogObject => ({
  kind: 'sequence',
  schema: s,
  name,
  owner,
});

function membership(
  roleName: string,
  member: string,
  options: { inherit?: boolean | null } = {},
): CurrentMembership {
  return {
    role: roleName,
    member,
    grantor: 'postgres',
    admin: false,
    inherit: options.inherit === undefined ? null : options.inherit,
    set: null,
  };
}

function state(parts: {
  roles: CurrentRole[];
  objects: CatalogObject[];
  privileges?: PrivilegeFact[];
  memberships?: CurrentMembership[];
  versionNum?: number;
}): CurrentState {
  return {
    server: {
      versionNum: parts.versionNum ?? 150000,
      currentUser: 'postgres',
      sessionUser: 'postgres',
      currentDatabase: 'app',
      bootstrapSuperuser: 'postgres',
      currentUserIsSuperuser: true,
      canReadPasswords: true,
    },
    roles: [
      role('postgres', {
        attributes: { superuser: true, login: true, createdb: true, createrole: true },
      }),
      role('pg_read_all_data'),
      role('pg_write_all_data'),
      role('pg_database_owner'),
      ...parts.roles,
    ],
    memberships: parts.memberships ?? [],
    objects: [{ kind: 'database', schema: null, name: 'app', owner: 'postgres' }, ...parts.objects],
    privileges: parts.privileges ?? [],
    defaultPrivileges: [],
    dependencies: [],
  };
}

function configRole(name: string, permissions: [string, string[]][] = []): ConfigRole {
  return {
    name,
    attributes: {},
    description: null,
    config: {},
    memberOf: [],
    permissions: permissions.map(([type, schemas]) => ({ type, schemas })),
    grants: [],
    defaultPrivileges: [],
  };
}

function config(roles: ConfigRole[], ignoreRoles: string[] = []): Config {
  return {
    file: 'pgward.yaml',
    version: 1,
    settings: {
      unmanagedRoles: 'ignore',
      ignoreRoles,
      reassignOwnedTo: null,
      objectCreators: null,
    },
    profiles: BUILTIN_PROFILES,
    roles,
  };
}

const data = schema('data');
const orders = table('data', 'orders');
const ordersId = sequence('data', 'orders_id_seq');
const readGrants = [
  ...facts([data], 'reader', ['USAGE']),
  ...facts([orders], 'reader', ['SELECT']),
  ...facts([ordersId], 'reader', ['USAGE', 'SELECT']),
];

// --- tests --------------------------------------------------------------------------------

describe('computeInventory', () => {
  it('reports a missing role, an unsatisfied permission, an intruder and a lonely login role', () => {
    const current = state({
      roles: [
        role('reader'),
        role('editor'),
        role('intruder', { attributes: { login: true } }),
        role('lonely', { attributes: { login: true } }),
      ],
      objects: [data, orders, ordersId],
      privileges: [
        ...readGrants,
        ...facts([data], 'editor', ['USAGE']),
        ...facts([orders], 'editor', ['INSERT', 'UPDATE']), // no DELETE
        ...facts([orders], 'intruder', ['SELECT']),
      ],
    });
    const inventory = computeInventory(
      config([
        configRole('reader', [['read', ['data']]]),
        configRole('editor', [['write', ['data']]]),
        configRole('ghost', [['read', ['data']]]),
      ]),
      current,
    );
    expect(inventory).toEqual({
      missing_roles: ['ghost'],
      configured_roles: [
        {
          name: 'reader',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [
            { schema: 'data', expected: 'read', has_read: true, has_write: false, satisfied: true },
          ],
        },
        {
          name: 'editor',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [
            {
              schema: 'data',
              expected: 'write',
              has_read: false,
              has_write: false,
              satisfied: false,
            },
          ],
        },
        {
          name: 'ghost',
          exists: false,
          login: null,
          superuser: null,
          schema_permissions: [
            {
              schema: 'data',
              expected: 'read',
              has_read: false,
              has_write: false,
              satisfied: false,
            },
          ],
        },
      ],
      unknown_roles: [{ name: 'intruder', schemas: ['data'], login: true }],
      other_login_roles: ['lonely'],
    });
  });

  it('counts the owner of a schema as a role with access (through the ACL it holds)', () => {
    const current = state({
      roles: [role('reader'), role('migrator', { attributes: { login: true } })],
      objects: [schema('data', 'migrator'), table('data', 'orders', 'r', 'migrator')],
      privileges: [
        ...facts([schema('data')], 'migrator', ['USAGE', 'CREATE']),
        ...facts([orders], 'migrator', ['SELECT', 'INSERT']),
      ],
    });
    const inventory = computeInventory(
      config([configRole('reader', [['read', ['data']]])]),
      current,
    );
    expect(inventory.unknown_roles).toEqual([{ name: 'migrator', schemas: ['data'], login: true }]);
  });

  describe('inheritance', () => {
    const parts = {
      roles: [role('reader'), role('app', { attributes: { login: true, inherit: false } })],
      objects: [data, orders, ordersId],
      privileges: readGrants,
    };
    const cfg = config([configRole('app', [['read', ['data']]]), configRole('reader')]);

    it('before PostgreSQL 16, follows the member’s INHERIT attribute', () => {
      const noInherit = computeInventory(
        cfg,
        state({ ...parts, memberships: [membership('reader', 'app')], versionNum: 150000 }),
      );
      expect(noInherit.configured_roles[0]?.schema_permissions[0]?.satisfied).toBe(false);

      const inherit = computeInventory(
        cfg,
        state({
          ...parts,
          roles: [role('reader'), role('app', { attributes: { login: true } })],
          memberships: [membership('reader', 'app')],
        }),
      );
      expect(inherit.configured_roles[0]?.schema_permissions[0]).toEqual({
        schema: 'data',
        expected: 'read',
        has_read: true,
        has_write: false,
        satisfied: true,
      });
    });

    it('from PostgreSQL 16, follows the grant’s INHERIT option, whatever the attribute says', () => {
      const viaOption = computeInventory(
        cfg,
        state({
          ...parts,
          memberships: [membership('reader', 'app', { inherit: true })],
          versionNum: 160000,
        }),
      );
      expect(viaOption.configured_roles[0]?.schema_permissions[0]?.satisfied).toBe(true);

      const notInherited = computeInventory(
        cfg,
        state({
          ...parts,
          roles: [role('reader'), role('app', { attributes: { login: true } })],
          memberships: [membership('reader', 'app', { inherit: false })],
          versionNum: 160000,
        }),
      );
      expect(notInherited.configured_roles[0]?.schema_permissions[0]?.satisfied).toBe(false);
    });

    it('follows chains of memberships', () => {
      const inventory = computeInventory(
        config([configRole('app', [['read', ['data']]])]),
        state({
          roles: [role('reader'), role('middle'), role('app')],
          objects: [data, orders, ordersId],
          privileges: readGrants,
          memberships: [membership('reader', 'middle'), membership('middle', 'app')],
        }),
      );
      expect(inventory.configured_roles[0]?.schema_permissions[0]?.has_read).toBe(true);
      // reader and middle give app its access; both are outside the config and hold or
      // inherit privileges on data, so both are unknown.
      expect(inventory.unknown_roles.map((r) => r.name)).toEqual(['middle', 'reader']);
    });
  });

  it('counts what PUBLIC holds when asked to', () => {
    const pub = schema('public', 'pg_database_owner');
    const current = state({
      roles: [role('reader')],
      objects: [pub, table('public', 't')],
      privileges: facts([table('public', 't')], 'reader', ['SELECT']),
    });
    const cfg = config([configRole('reader', [['read', ['public']]])]);
    const publicPrivileges: PublicPrivilege[] = [{ object: pub, privilege: 'USAGE' }];
    expect(computeInventory(cfg, current).configured_roles[0]?.schema_permissions[0]).toMatchObject(
      { has_read: false, satisfied: false },
    );
    expect(
      computeInventory(cfg, current, { publicPrivileges }).configured_roles[0]
        ?.schema_permissions[0],
    ).toMatchObject({ has_read: true, satisfied: true });
  });

  it('does not count PUBLIC as access for unknown and other login roles', () => {
    const pub = schema('public', 'pg_database_owner');
    const inventory = computeInventory(
      config([configRole('reader', [['read', ['public']]])]),
      state({
        roles: [role('reader'), role('alice', { attributes: { login: true } })],
        objects: [pub],
      }),
      { publicPrivileges: [{ object: pub, privilege: 'USAGE' }] },
    );
    expect(inventory.unknown_roles).toEqual([]);
    expect(inventory.other_login_roles).toEqual(['alice']);
  });

  it('gives the owner of the current database what pg_database_owner holds', () => {
    const pub = schema('public', 'pg_database_owner');
    const current = state({
      roles: [role('reader'), role('dbowner', { attributes: { login: true } })],
      objects: [pub],
      privileges: facts([pub], 'pg_database_owner', ['USAGE', 'CREATE']),
    });
    const withOwner: CurrentState = {
      ...current,
      objects: current.objects.map((o) => (o.kind === 'database' ? { ...o, owner: 'dbowner' } : o)),
    };
    const inventory = computeInventory(
      config([configRole('reader', [['read', ['public']]])]),
      withOwner,
    );
    expect(inventory.unknown_roles).toEqual([
      { name: 'dbowner', schemas: ['public'], login: true },
    ]);
  });

  it('honours pg_read_all_data and pg_write_all_data', () => {
    const inventory = computeInventory(
      config([
        configRole('reader', [['read', ['data']]]),
        configRole('writer', [['write', ['data']]]),
      ]),
      state({
        roles: [role('reader'), role('writer'), role('auditor', { attributes: { login: true } })],
        objects: [data, orders, ordersId],
        memberships: [
          membership('pg_read_all_data', 'reader'),
          membership('pg_read_all_data', 'auditor'),
          membership('pg_write_all_data', 'writer'),
        ],
      }),
    );
    expect(inventory.configured_roles.map((r) => r.schema_permissions[0])).toEqual([
      // read wants USAGE on sequences (nextval), which pg_read_all_data does not give;
      // write wants USAGE and SELECT on them, and pg_write_all_data gives only UPDATE.
      { schema: 'data', expected: 'read', has_read: true, has_write: false, satisfied: false },
      { schema: 'data', expected: 'write', has_read: false, has_write: true, satisfied: false },
    ]);
    expect(inventory.unknown_roles).toEqual([{ name: 'auditor', schemas: ['data'], login: true }]);
  });

  it('does not take a column privilege for the table privilege', () => {
    const inventory = computeInventory(
      config([configRole('reader', [['read', ['data']]])]),
      state({
        roles: [role('reader')],
        objects: [data, orders],
        privileges: [
          ...facts([data], 'reader', ['USAGE']),
          {
            object: orders,
            column: 'id',
            grantee: 'reader',
            privilege: 'SELECT',
            grantable: false,
          },
        ],
      }),
    );
    expect(inventory.configured_roles[0]?.schema_permissions[0]).toMatchObject({
      has_read: false,
      satisfied: false,
    });
  });

  it('checks writes on tables only, reads on views too', () => {
    const view = table('data', 'orders_view', 'v');
    const inventory = computeInventory(
      config([configRole('rw', [['read', ['data']]])]),
      state({
        roles: [role('rw')],
        objects: [data, orders, view],
        privileges: [
          ...facts([data], 'rw', ['USAGE']),
          ...facts([orders], 'rw', ['SELECT', 'INSERT', 'UPDATE', 'DELETE']),
        ],
      }),
    );
    expect(inventory.configured_roles[0]?.schema_permissions[0]).toEqual({
      schema: 'data',
      expected: 'read',
      has_read: false,
      has_write: true,
      satisfied: false,
    });
  });

  it('reports a configured schema that does not exist as unsatisfied', () => {
    const inventory = computeInventory(
      config([configRole('reader', [['read', ['nowhere']]])]),
      state({ roles: [role('reader', { attributes: { superuser: false } })], objects: [] }),
    );
    expect(inventory.configured_roles[0]?.schema_permissions[0]).toEqual({
      schema: 'nowhere',
      expected: 'read',
      has_read: false,
      has_write: false,
      satisfied: false,
    });
  });

  it('gives a superuser every privilege and never lists superusers, pg_* or ignored roles', () => {
    const inventory = computeInventory(
      config([configRole('boss', [['write', ['data']]])], ['svc_*']),
      state({
        roles: [
          role('boss', { attributes: { superuser: true } }),
          role('admin', { attributes: { superuser: true, login: true } }),
          role('svc_etl', { attributes: { login: true } }),
          role('svc_batch', { attributes: { login: true } }),
        ],
        objects: [data, orders],
        privileges: [
          ...facts([orders], 'svc_etl', ['SELECT']),
          ...facts([orders], 'pg_read_all_data', ['SELECT']),
        ],
      }),
    );
    expect(inventory.configured_roles[0]?.schema_permissions[0]).toEqual({
      schema: 'data',
      expected: 'write',
      has_read: true,
      has_write: true,
      satisfied: true,
    });
    expect(inventory.unknown_roles).toEqual([]);
    expect(inventory.other_login_roles).toEqual([]);
  });

  it('lists members of configured roles neither as unknown nor as other login roles', () => {
    const inventory = computeInventory(
      config([configRole('reader', [['read', ['data']]])]),
      state({
        roles: [
          role('reader'),
          role('alice', { attributes: { login: true } }),
          role('bob', { attributes: { login: true } }),
        ],
        objects: [data, orders, ordersId],
        privileges: [...readGrants, ...facts([ordersId], 'bob', ['UPDATE'])],
        memberships: [membership('reader', 'alice'), membership('reader', 'bob')],
      }),
    );
    // bob also holds a grant of his own, which the config does not explain.
    expect(inventory.unknown_roles).toEqual([{ name: 'bob', schemas: ['data'], login: true }]);
    expect(inventory.other_login_roles).toEqual([]);
  });

  describe('with a suffix', () => {
    const current = state({
      roles: [
        role('reader'),
        role('reader_lausanne'),
        role('reader_zurich'),
        role('alice', { attributes: { login: true } }),
      ],
      objects: [data, orders, ordersId],
      privileges: [
        ...facts([data], 'reader_lausanne', ['USAGE']),
        ...facts([orders], 'reader_lausanne', ['SELECT']),
        ...facts([ordersId], 'reader_lausanne', ['USAGE', 'SELECT']),
        // Another database's role that somehow holds something here is still not unknown.
        ...facts([orders], 'reader_zurich', ['SELECT']),
      ],
      memberships: [
        membership('reader_lausanne', 'reader'),
        membership('reader_zurich', 'reader'),
        membership('reader', 'alice'),
      ],
    });
    const cfg = config([
      configRole('reader', [['read', ['data']]]),
      configRole('writer', [['write', ['data']]]),
    ]);

    it('reports each configured role generic and suffixed', () => {
      const inventory = computeInventory(cfg, current, { suffix: 'lausanne' });
      const satisfied = { schema: 'data', has_read: true, has_write: false, satisfied: true };
      expect(inventory).toEqual({
        missing_roles: ['writer', 'writer_lausanne'],
        configured_roles: [
          {
            name: 'reader',
            exists: true,
            login: false,
            superuser: false,
            schema_permissions: [{ ...satisfied, expected: 'read' }],
          },
          {
            name: 'reader_lausanne',
            exists: true,
            login: false,
            superuser: false,
            schema_permissions: [{ ...satisfied, expected: 'read' }],
          },
          {
            name: 'writer',
            exists: false,
            login: null,
            superuser: null,
            schema_permissions: [
              {
                schema: 'data',
                expected: 'write',
                has_read: false,
                has_write: false,
                satisfied: false,
              },
            ],
          },
          {
            name: 'writer_lausanne',
            exists: false,
            login: null,
            superuser: null,
            schema_permissions: [
              {
                schema: 'data',
                expected: 'write',
                has_read: false,
                has_write: false,
                satisfied: false,
              },
            ],
          },
        ],
        unknown_roles: [],
        other_login_roles: [],
      });
    });

    it('without the suffix, another suffix’s role is an unknown role', () => {
      const inventory = computeInventory(cfg, current);
      expect(inventory.unknown_roles.map((r) => r.name)).toEqual([
        'reader_lausanne',
        'reader_zurich',
      ]);
    });
  });
});
