import { describe, expect, it } from 'vitest';
import type { ConfigGrant } from '../../src/config/types.js';
import type { ObjectRef } from '../../src/model/objects.js';
import type { CatalogObject } from '../../src/model/state.js';
import {
  baseRoles,
  config,
  configRole,
  database,
  defaultFact,
  fact,
  facts,
  objectName,
  planOf,
  ref,
  role,
  routine,
  schema,
  sequence,
  state,
  table,
} from './diff-builders.js';

const roles = [...baseRoles(), role('app'), role('web'), role('legacy'), role('migrator')];
const orders = table('public.orders', { columns: ['id', 'email', 'total'] });
const items = table('public.items');
const summary = table('public.summary', { relkind: 'm' });
const objects: CatalogObject[] = [
  database('app'),
  database('other'),
  schema('public'),
  orders,
  items,
  summary,
];

function grant(overrides: Partial<ConfigGrant>): ConfigGrant {
  return { privileges: ['SELECT'], objectType: 'table', withGrantOption: false, ...overrides };
}

function tables(schemaName: string, count: number): CatalogObject[] {
  return Array.from({ length: count }, (_, i) =>
    table(`${schemaName}.t${String(i).padStart(4, '0')}`),
  );
}

const listed = (kind: ObjectRef['kind'], ...list: ObjectRef[]) => ({
  scope: 'objects',
  kind,
  objects: list.map(ref),
});

describe('diff: privileges on objects', () => {
  it('grants what is missing and revokes what the config lacks', () => {
    const { operations } = planOf(
      config([
        configRole('app', { grants: [grant({ objects: [objectName('table', 'public.orders')] })] }),
      ]),
      state({
        roles,
        objects,
        privileges: [fact(items, 'app', 'SELECT'), fact(items, 'app', 'DELETE')],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: listed('table', orders),
        privileges: ['SELECT'],
        grantees: ['app'],
        withGrantOption: false,
      },
      {
        type: 'revoke_privileges',
        target: listed('table', items),
        privileges: ['SELECT', 'DELETE'],
        grantees: ['app'],
        grantOptionOnly: false,
      },
    ]);
  });

  it('adds the grant option when wanted, and takes only the option away when not', () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          grants: [
            grant({ objects: [objectName('table', 'public.orders')], withGrantOption: true }),
            grant({ objects: [objectName('table', 'public.items')] }),
          ],
        }),
      ]),
      state({
        roles,
        objects,
        privileges: [
          fact(orders, 'app', 'SELECT'),
          fact(items, 'app', 'SELECT', { grantable: true }),
        ],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: listed('table', orders),
        privileges: ['SELECT'],
        grantees: ['app'],
        withGrantOption: true,
      },
      {
        type: 'revoke_privileges',
        target: listed('table', items),
        privileges: ['SELECT'],
        grantees: ['app'],
        grantOptionOnly: true,
      },
    ]);
  });

  it("never touches an owner's privileges on its own objects", () => {
    const mine = table('public.mine', { owner: 'app' });
    const { operations } = planOf(
      config([configRole('app')]),
      state({
        roles,
        objects: [...objects, mine],
        privileges: facts([mine], 'app', ['SELECT', 'INSERT', 'UPDATE', 'DELETE']),
      }),
    );
    expect(operations).toEqual([]);
  });

  it('leaves alone grants to unmanaged and protected roles, pg_toast and other databases', () => {
    const { operations } = planOf(
      config([configRole('app')]),
      state({
        roles,
        objects,
        privileges: [
          fact(orders, 'legacy', 'SELECT'),
          fact(orders, 'pg_read_all_data', 'SELECT'),
          fact({ kind: 'table', schema: 'pg_toast', name: 'pg_toast_1262' }, 'app', 'SELECT'),
          fact(database('other'), 'app', 'CONNECT'),
        ],
      }),
    );
    expect(operations).toEqual([]);
  });

  it('revokes what a managed role holds on pg_catalog objects beyond the initial privileges', () => {
    // Introspection reads only the facts beyond pg_init_privs: each one here is a hand grant.
    const authid = { kind: 'table', schema: 'pg_catalog', name: 'pg_authid' } as const;
    const { operations } = planOf(
      config([configRole('app')]),
      state({
        roles,
        objects,
        privileges: [fact(authid, 'app', 'SELECT'), fact(authid, 'legacy', 'SELECT')],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'revoke_privileges',
        target: { scope: 'objects', kind: 'table', objects: [authid] },
        privileges: ['SELECT'],
        grantees: ['app'],
        grantOptionOnly: false,
      },
    ]);
  });

  it('manages another database once the config names it', () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          grants: [
            grant({
              privileges: ['CONNECT'],
              objectType: 'database',
              objects: [objectName('database', 'other')],
            }),
          ],
        }),
      ]),
      state({
        roles,
        objects,
        privileges: [
          fact(database('other'), 'app', 'CONNECT'),
          fact(database('other'), 'app', 'TEMPORARY'),
        ],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'revoke_privileges',
        target: listed('database', database('other')),
        privileges: ['TEMPORARY'],
        grantees: ['app'],
        grantOptionOnly: false,
      },
    ]);
  });

  it('grants column privileges in one statement per table, columns in table order', () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          grants: [
            grant({
              privileges: ['SELECT', 'UPDATE'],
              objects: [objectName('table', 'public.orders')],
              columns: ['total', 'email'],
            }),
          ],
        }),
        configRole('web', {
          grants: [
            grant({
              privileges: ['SELECT', 'UPDATE'],
              objects: [objectName('table', 'public.orders')],
              columns: ['email', 'total'],
            }),
          ],
        }),
      ]),
      state({ roles, objects, privileges: [fact(orders, 'app', 'INSERT', { column: 'id' })] }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: listed('table', orders),
        privileges: ['SELECT', 'UPDATE'],
        columns: ['email', 'total'],
        grantees: ['app', 'web'],
        withGrantOption: false,
      },
      {
        type: 'revoke_privileges',
        target: listed('table', orders),
        privileges: ['INSERT'],
        columns: ['id'],
        grantees: ['app'],
        grantOptionOnly: false,
      },
    ]);
  });
});

describe('diff: grouping', () => {
  it('grants on a schema of 1,000 tables in ONE statement', () => {
    const many = tables('big', 1000);
    const { operations } = planOf(
      config([configRole('app', { grants: [grant({ allInSchemas: ['big'] })] })]),
      state({ roles, objects: [...objects, schema('big'), ...many] }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: { scope: 'all_in_schema', kind: 'table', schema: 'big' },
        privileges: ['SELECT'],
        grantees: ['app'],
        withGrantOption: false,
      },
    ]);
  });

  it('lists the objects when a group covers only part of a schema, sorted', () => {
    const many = tables('big', 5);
    const { operations } = planOf(
      config([
        configRole('app', {
          grants: [
            grant({
              objects: ['big.t0003', 'big.t0001', 'big.t0004'].map((name) =>
                objectName('table', name),
              ),
            }),
          ],
        }),
      ]),
      state({ roles, objects: [...objects, schema('big'), ...many] }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: listed('table', many[1]!, many[3]!, many[4]!),
        privileges: ['SELECT'],
        grantees: ['app'],
        withGrantOption: false,
      },
    ]);
  });

  it('merges grantees that need exactly the same statement, and splits by privilege set', () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          grants: [grant({ privileges: ['SELECT', 'INSERT'], allInSchemas: ['public'] })],
        }),
        configRole('web', {
          grants: [grant({ privileges: ['SELECT', 'INSERT'], allInSchemas: ['public'] })],
        }),
        configRole('legacy', {
          grants: [grant({ objects: [objectName('table', 'public.items')] })],
        }),
      ]),
      state({ roles, objects }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: { scope: 'all_in_schema', kind: 'table', schema: 'public' },
        privileges: ['SELECT', 'INSERT'],
        grantees: ['app', 'web'],
        withGrantOption: false,
      },
      {
        type: 'grant_privileges',
        target: listed('table', items),
        privileges: ['SELECT'],
        grantees: ['legacy'],
        withGrantOption: false,
      },
    ]);
  });

  it('revokes from a whole schema in one statement too', () => {
    const many = tables('big', 300);
    const { operations } = planOf(
      config([configRole('app')]),
      state({
        roles,
        objects: [...objects, schema('big'), ...many],
        privileges: facts(many, 'app', ['SELECT', 'UPDATE']),
      }),
    );
    expect(operations).toEqual([
      {
        type: 'revoke_privileges',
        target: { scope: 'all_in_schema', kind: 'table', schema: 'big' },
        privileges: ['SELECT', 'UPDATE'],
        grantees: ['app'],
        grantOptionOnly: false,
      },
    ]);
  });

  it('uses ALL FUNCTIONS only for functions (it excludes procedures), and names a lone object', () => {
    const f1 = routine('function', 'public.f1', 'integer');
    const f2 = routine('function', 'public.f2', '');
    const p1 = routine('procedure', 'public.p1', '');
    const { operations } = planOf(
      config([
        configRole('app', {
          grants: [
            grant({ privileges: ['EXECUTE'], objectType: 'routine', allInSchemas: ['public'] }),
          ],
        }),
      ]),
      state({ roles, objects: [...objects, f1, f2, p1] }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: { scope: 'all_in_schema', kind: 'function', schema: 'public' },
        privileges: ['EXECUTE'],
        grantees: ['app'],
        withGrantOption: false,
      },
      {
        type: 'grant_privileges',
        target: listed('procedure', p1),
        privileges: ['EXECUTE'],
        grantees: ['app'],
        withGrantOption: false,
      },
    ]);
  });
});

describe('diff: permissions and default privileges', () => {
  const seq = sequence('public.orders_id_seq');
  const withSequence = [...objects, seq];
  const reader = configRole('reader', { permissions: [{ type: 'read', schemas: ['public'] }] });
  const readerRoles = [...roles, role('reader')];

  it('grants a profile on a schema, its objects and its future objects', () => {
    const { operations } = planOf(
      config([reader]),
      state({ roles: readerRoles, objects: withSequence }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: listed('schema', schema('public')),
        privileges: ['USAGE'],
        grantees: ['reader'],
        withGrantOption: false,
      },
      {
        type: 'grant_privileges',
        target: listed('sequence', seq),
        privileges: ['SELECT', 'USAGE'],
        grantees: ['reader'],
        withGrantOption: false,
      },
      {
        type: 'grant_privileges',
        target: { scope: 'all_in_schema', kind: 'table', schema: 'public' },
        privileges: ['SELECT'],
        grantees: ['reader'],
        withGrantOption: false,
      },
      {
        type: 'grant_default_privileges',
        forRole: 'owner',
        schema: 'public',
        objectType: 'sequence',
        privileges: ['SELECT', 'USAGE'],
        grantees: ['reader'],
        withGrantOption: false,
      },
      {
        type: 'grant_default_privileges',
        forRole: 'owner',
        schema: 'public',
        objectType: 'table',
        privileges: ['SELECT'],
        grantees: ['reader'],
        withGrantOption: false,
      },
    ]);
  });

  it('is idempotent: a table created after apply, carrying its default privileges, is no drift', () => {
    const later = table('public.later');
    const applied = state({
      roles: readerRoles,
      objects: [...withSequence, later],
      privileges: [
        fact(schema('public'), 'reader', 'USAGE'),
        ...facts([orders, items, summary, later], 'reader', ['SELECT']),
        ...facts([seq], 'reader', ['USAGE', 'SELECT']),
      ],
      defaultPrivileges: [
        defaultFact('owner', 'public', 'table', 'reader', 'SELECT'),
        defaultFact('owner', 'public', 'sequence', 'reader', 'USAGE'),
        defaultFact('owner', 'public', 'sequence', 'reader', 'SELECT'),
        // The owner's own entries, as aclexplode reports them: PostgreSQL's, not drift.
        defaultFact('owner', 'public', 'table', 'owner', 'SELECT'),
      ],
    });
    expect(planOf(config([reader]), applied)).toEqual({ operations: [], warnings: [] });
  });

  it('grants an older object of for_role the privileges its default privileges give', () => {
    const old = table('public.old', { owner: 'migrator' });
    const { operations } = planOf(
      config([
        configRole('app', {
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
      ]),
      state({
        roles,
        objects: [...objects, old],
        defaultPrivileges: [defaultFact('migrator', 'public', 'table', 'app', 'SELECT')],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_privileges',
        target: listed('table', old),
        privileges: ['SELECT'],
        grantees: ['app'],
        withGrantOption: false,
      },
    ]);
  });

  it('revokes default privileges the config lacks, merging grantees, grant option apart', () => {
    const { operations } = planOf(
      config([
        configRole('app', {
          defaultPrivileges: [
            {
              forRole: 'migrator',
              schema: null,
              objectType: 'function',
              privileges: ['EXECUTE'],
              withGrantOption: true,
            },
          ],
        }),
        configRole('web'),
      ]),
      state({
        roles,
        objects,
        defaultPrivileges: [
          defaultFact('migrator', 'public', 'table', 'app', 'SELECT'),
          defaultFact('migrator', 'public', 'table', 'app', 'INSERT'),
          defaultFact('migrator', 'public', 'table', 'web', 'SELECT'),
          defaultFact('migrator', 'public', 'table', 'web', 'INSERT'),
          defaultFact('migrator', null, 'function', 'app', 'EXECUTE'),
          defaultFact('migrator', null, 'type', 'web', 'USAGE', true),
          defaultFact('migrator', null, 'type', 'legacy', 'USAGE'),
        ],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'grant_default_privileges',
        forRole: 'migrator',
        schema: null,
        objectType: 'function',
        privileges: ['EXECUTE'],
        grantees: ['app'],
        withGrantOption: true,
      },
      {
        type: 'revoke_default_privileges',
        forRole: 'migrator',
        schema: null,
        objectType: 'type',
        privileges: ['USAGE'],
        grantees: ['web'],
        grantOptionOnly: false,
      },
      {
        type: 'revoke_default_privileges',
        forRole: 'migrator',
        schema: 'public',
        objectType: 'table',
        privileges: ['SELECT', 'INSERT'],
        grantees: ['app', 'web'],
        grantOptionOnly: false,
      },
    ]);
  });
});
