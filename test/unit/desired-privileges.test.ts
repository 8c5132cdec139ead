import { describe, expect, it } from 'vitest';
import type { ConfigGrant } from '../../src/config/types.js';
import { Catalog } from '../../src/resolve/catalog.js';
import { resolveDesired } from '../../src/resolve/desired.js';
import { objectKey } from '../../src/model/objects.js';
import type { DefaultPrivilegeFact, PrivilegeFact } from '../../src/model/state.js';
import { PRIVILEGES } from '../../src/model/privileges.js';
import {
  at,
  baseRoles,
  config,
  configRole,
  database,
  defaultFact,
  fact,
  objectName,
  planProblems,
  ref,
  role,
  routine,
  schema,
  sequence,
  state,
  table,
  typeObject,
} from './diff-builders.js';

/** Facts in a canonical order, so that expectations can list them in any order. */
function sorted(list: readonly PrivilegeFact[]): string[] {
  return list
    .map(
      (f) =>
        `${objectKey(f.object)}${f.column === undefined ? '' : `(${f.column})`} ${f.grantee} ${f.privilege}${f.grantable ? '*' : ''}`,
    )
    .sort();
}

function sortedDefaults(list: readonly DefaultPrivilegeFact[]): string[] {
  return list
    .map(
      (f) =>
        `${f.forRole} ${f.schema ?? '*'} ${f.objectType} ${f.grantee} ${f.privilege}${f.grantable ? '*' : ''}`,
    )
    .sort();
}

const view = table('public.v', { relkind: 'v' });
const orders = table('public.orders', { columns: ['id', 'email', 'total'] });
const seq = sequence('public.orders_id_seq');
const calcInt = routine('function', 'public.calc', 'integer');
const calcText = routine('function', 'public.calc', 'text, character varying');
const refresh = routine('procedure', 'public.refresh', '');
const mood = typeObject('type', 'public.mood');
const email = typeObject('domain', 'public.email');
const objects = [
  database('app'),
  schema('public'),
  schema('data', 'migrator'),
  orders,
  view,
  seq,
  calcInt,
  calcText,
  refresh,
  mood,
  email,
  table('data.events', { owner: 'migrator' }),
  table('data.other', { owner: 'owner' }),
];
const current = state({ objects });

function grant(overrides: Partial<ConfigGrant>): ConfigGrant {
  return { privileges: ['SELECT'], objectType: 'table', withGrantOption: false, ...overrides };
}

describe('resolveDesired: permissions (profile × schemas)', () => {
  it('grants the profile on the schema and every object in it, and on future objects of its owner', () => {
    const { desired } = resolveDesired(
      config([configRole('reader', { permissions: [{ type: 'read', schemas: ['public'] }] })]),
      current,
    );
    expect(sorted(desired.privileges)).toEqual(
      sorted([
        fact(schema('public'), 'reader', 'USAGE'),
        fact(orders, 'reader', 'SELECT'),
        fact(view, 'reader', 'SELECT'),
        fact(seq, 'reader', 'USAGE'),
        fact(seq, 'reader', 'SELECT'),
      ]),
    );
    expect(sortedDefaults(desired.defaultPrivileges)).toEqual(
      sortedDefaults([
        defaultFact('owner', 'public', 'table', 'reader', 'SELECT'),
        defaultFact('owner', 'public', 'sequence', 'reader', 'USAGE'),
        defaultFact('owner', 'public', 'sequence', 'reader', 'SELECT'),
      ]),
    );
  });

  it('lists the facts by object, column, grantee and privilege, one ref per object', () => {
    // Roles in reverse order, grants naming objects out of order: the order is resolve's own.
    const { desired } = resolveDesired(
      config([
        configRole('zed', {
          permissions: [{ type: 'write', schemas: ['public', 'data'] }],
          grants: [
            grant({
              privileges: ['UPDATE', 'SELECT'],
              objects: [objectName('table', 'public.orders')],
              columns: ['total', 'email'],
            }),
          ],
        }),
        configRole('amy', { permissions: [{ type: 'read', schemas: ['data', 'public'] }] }),
      ]),
      current,
    );
    const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    const expected = [...desired.privileges].sort(
      (a, b) =>
        byCodeUnit(objectKey(a.object), objectKey(b.object)) ||
        byCodeUnit(a.column ?? '', b.column ?? '') ||
        byCodeUnit(a.grantee, b.grantee) ||
        PRIVILEGES.indexOf(a.privilege) - PRIVILEGES.indexOf(b.privilege),
    );
    expect(desired.privileges.length).toBeGreaterThan(20);
    expect(desired.privileges).toEqual(expected);
    const refs = new Map<string, unknown>();
    for (const fact of desired.privileges) {
      const first = refs.get(objectKey(fact.object)) ?? fact.object;
      refs.set(objectKey(fact.object), first);
      expect(fact.object).toBe(first);
    }
  });

  it('builds the catalog lookups once per state, for resolve and diff alike', () => {
    expect(Catalog.of(current)).toBe(Catalog.of(current));
    expect(Catalog.of(state({ objects }))).not.toBe(Catalog.of(current));
  });

  it('covers functions with procedures and types with domains, for each object creator', () => {
    const { desired } = resolveDesired(
      config([configRole('runner', { permissions: [{ type: 'exec', schemas: ['public'] }] })], {
        profiles: { exec: { function: ['EXECUTE'], type: ['USAGE'] } },
        settings: { objectCreators: ['migrator', 'owner'] },
      }),
      state({
        objects,
        roles: [...baseRoles(), role('migrator')],
      }),
    );
    expect(sorted(desired.privileges)).toEqual(
      sorted([
        fact(calcInt, 'runner', 'EXECUTE'),
        fact(calcText, 'runner', 'EXECUTE'),
        fact(refresh, 'runner', 'EXECUTE'),
        fact(mood, 'runner', 'USAGE'),
        fact(email, 'runner', 'USAGE'),
      ]),
    );
    expect(sortedDefaults(desired.defaultPrivileges)).toEqual(
      sortedDefaults([
        defaultFact('migrator', 'public', 'function', 'runner', 'EXECUTE'),
        defaultFact('migrator', 'public', 'type', 'runner', 'USAGE'),
        defaultFact('owner', 'public', 'function', 'runner', 'EXECUTE'),
        defaultFact('owner', 'public', 'type', 'runner', 'USAGE'),
      ]),
    );
  });

  it('refuses a schema that does not exist, at the permission', () => {
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('reader', {
              permissions: [{ type: 'read', schemas: ['public', 'nope'], position: at(7, 9) }],
            }),
          ]),
          current,
        ),
      ),
    ).toEqual([{ message: 'schema "nope" does not exist', position: at(7, 9) }]);
  });
});

describe('resolveDesired: grants', () => {
  it('resolves explicit objects against the catalog', () => {
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          grants: [
            grant({
              privileges: ['SELECT', 'INSERT'],
              objects: [objectName('table', 'public.orders')],
              withGrantOption: true,
            }),
          ],
        }),
      ]),
      current,
    );
    expect(desired.privileges).toEqual([
      fact(orders, 'app', 'SELECT', { grantable: true }),
      fact(orders, 'app', 'INSERT', { grantable: true }),
    ]);
  });

  it('names a missing object as the config wrote it, at the object', () => {
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('app', {
              grants: [
                grant({
                  objects: [
                    objectName('table', 'public.nope', at(12, 11)),
                    objectName('table', 'public.orders', at(13, 11)),
                  ],
                }),
                grant({
                  objectType: 'sequence',
                  objects: [objectName('sequence', 'public.orders')],
                  position: at(15, 7),
                }),
              ],
            }),
          ]),
          current,
        ),
      ),
    ).toEqual([
      { message: 'table "public.nope" does not exist', position: at(12, 11) },
      // A table is not a sequence: kinds must match.
      { message: 'sequence "public.orders" does not exist', position: at(15, 7) },
    ]);
  });

  it('resolves a routine without arguments to its only overload, and routine to a procedure', () => {
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          grants: [
            grant({
              privileges: ['EXECUTE'],
              objectType: 'routine',
              objects: [objectName('routine', 'public.refresh')],
            }),
          ],
        }),
      ]),
      current,
    );
    expect(desired.privileges).toEqual([fact(refresh, 'app', 'EXECUTE')]);
  });

  it('refuses an ambiguous routine, listing its overloads', () => {
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('app', {
              grants: [
                grant({
                  privileges: ['EXECUTE'],
                  objectType: 'function',
                  objects: [objectName('function', 'public.calc', at(20, 11))],
                }),
              ],
            }),
          ]),
          current,
        ),
      ),
    ).toEqual([
      {
        message:
          'function "public.calc" is ambiguous: public.calc(integer), public.calc(text, character varying); write its argument types',
        position: at(20, 11),
      },
    ]);
  });

  it('matches argument types through their aliases and keeps the catalog spelling', () => {
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          grants: [
            grant({
              privileges: ['EXECUTE'],
              objectType: 'function',
              objects: [
                objectName('function', 'public.calc(INT4)'),
                objectName('function', 'public.calc( text ,VARCHAR(20) )'),
              ],
            }),
          ],
        }),
      ]),
      current,
    );
    expect(sorted(desired.privileges)).toEqual(
      sorted([fact(calcInt, 'app', 'EXECUTE'), fact(calcText, 'app', 'EXECUTE')]),
    );
    expect(desired.privileges.map((f) => f.object.args).sort()).toEqual([
      'integer',
      'text, character varying',
    ]);
  });

  it('expands all_in_schemas to every object of the kind there (every relkind for tables)', () => {
    const { desired } = resolveDesired(
      config([configRole('app', { grants: [grant({ allInSchemas: ['public'] })] })]),
      current,
    );
    expect(sorted(desired.privileges)).toEqual(
      sorted([fact(orders, 'app', 'SELECT'), fact(view, 'app', 'SELECT')]),
    );
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('app', { grants: [grant({ allInSchemas: ['nope'], position: at(30, 7) })] }),
          ]),
          current,
        ),
      ),
    ).toEqual([{ message: 'schema "nope" does not exist', position: at(30, 7) }]);
  });

  it('makes one fact per column; ALL on columns means the column privileges', () => {
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          grants: [
            grant({
              privileges: 'ALL',
              objects: [objectName('table', 'public.orders')],
              columns: ['email', 'total'],
            }),
          ],
        }),
      ]),
      current,
    );
    expect(sorted(desired.privileges)).toEqual(
      sorted(
        ['email', 'total'].flatMap((column) =>
          (['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'] as const).map((privilege) =>
            fact(orders, 'app', privilege, { column }),
          ),
        ),
      ),
    );
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('app', {
              grants: [
                grant({
                  objects: [objectName('table', 'public.orders')],
                  columns: ['emial'],
                  position: at(40, 7),
                }),
              ],
            }),
          ]),
          current,
        ),
      ),
    ).toEqual([
      { message: 'column "emial" of table "public.orders" does not exist', position: at(40, 7) },
    ]);
  });

  it('expands ALL for the server: MAINTAIN from PostgreSQL 17 only', () => {
    const allOn = (versionNum: number) =>
      resolveDesired(
        config([
          configRole('app', {
            grants: [grant({ privileges: 'ALL', objects: [objectName('table', 'public.orders')] })],
          }),
        ]),
        state({ objects, server: { versionNum } }),
      ).desired.privileges.map((f) => f.privilege);
    expect(allOn(160004)).toEqual([
      'SELECT',
      'INSERT',
      'UPDATE',
      'DELETE',
      'TRUNCATE',
      'REFERENCES',
      'TRIGGER',
    ]);
    expect(allOn(170002)).toEqual([
      'SELECT',
      'INSERT',
      'UPDATE',
      'DELETE',
      'TRUNCATE',
      'REFERENCES',
      'TRIGGER',
      'MAINTAIN',
    ]);
  });

  it('refuses MAINTAIN before 17 and parameter privileges before 15', () => {
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('app', {
              grants: [
                grant({
                  privileges: ['MAINTAIN'],
                  objects: [objectName('table', 'public.orders')],
                  position: at(50, 7),
                }),
              ],
            }),
          ]),
          current,
        ),
      ),
    ).toEqual([
      {
        message: 'privilege MAINTAIN on table needs PostgreSQL 17 (the server runs 16)',
        position: at(50, 7),
      },
    ]);
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('app', {
              grants: [
                grant({
                  privileges: ['SET'],
                  objectType: 'parameter',
                  objects: [objectName('parameter', 'work_mem')],
                  position: at(51, 7),
                }),
              ],
            }),
          ]),
          state({ objects, server: { versionNum: 140011 } }),
        ),
      ),
    ).toEqual([
      {
        message: 'privileges on parameters need PostgreSQL 15 (the server runs 14)',
        position: at(51, 7),
      },
    ]);
  });

  it('accepts any parameter name on 15+, in lower case as PostgreSQL keeps it', () => {
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          grants: [
            grant({
              privileges: ['SET'],
              objectType: 'parameter',
              objects: [objectName('parameter', 'Work_Mem')],
            }),
          ],
        }),
      ]),
      current,
    );
    expect(desired.privileges).toEqual([
      {
        object: { kind: 'parameter', schema: null, name: 'work_mem' },
        grantee: 'app',
        privilege: 'SET',
        grantable: false,
      },
    ]);
  });

  it("drops an owner's privileges on its own objects, with a warning when the config named the object", () => {
    const { desired, warnings } = resolveDesired(
      config([
        configRole('migrator', {
          grants: [
            grant({ objects: [objectName('table', 'data.events')] }),
            grant({
              privileges: ['USAGE'],
              objectType: 'schema',
              objects: [objectName('schema', 'data')],
            }),
            grant({ allInSchemas: ['data'] }),
          ],
        }),
      ]),
      current,
    );
    expect(desired.privileges).toEqual([fact(table('data.other'), 'migrator', 'SELECT')]);
    expect(warnings).toEqual([
      `role "migrator" owns table "data.events": its privileges there are PostgreSQL's, the grant is ignored`,
      `role "migrator" owns schema "data": its privileges there are PostgreSQL's, the grant is ignored`,
    ]);
  });

  it('merges a fact written twice, grant option if either says so', () => {
    const { desired } = resolveDesired(
      config([
        configRole('app', {
          permissions: [{ type: 'read', schemas: ['public'] }],
          grants: [
            grant({ objects: [objectName('table', 'public.orders')], withGrantOption: true }),
          ],
        }),
      ]),
      current,
    );
    expect(desired.privileges.filter((f) => f.object.name === 'orders')).toEqual([
      fact(orders, 'app', 'SELECT', { grantable: true }),
    ]);
  });
});

describe('resolveDesired: default_privileges', () => {
  it('expands ALL and covers the existing objects of for_role in the schema', () => {
    const { desired } = resolveDesired(
      config([
        configRole('reader', {
          defaultPrivileges: [
            {
              forRole: 'migrator',
              schema: 'data',
              objectType: 'table',
              privileges: 'ALL',
              withGrantOption: false,
            },
          ],
        }),
      ]),
      state({
        objects,
        roles: [...baseRoles(), role('migrator')],
      }),
    );
    const all = [
      'SELECT',
      'INSERT',
      'UPDATE',
      'DELETE',
      'TRUNCATE',
      'REFERENCES',
      'TRIGGER',
    ] as const;
    expect(desired.defaultPrivileges).toEqual(
      all.map((p) => defaultFact('migrator', 'data', 'table', 'reader', p)),
    );
    // data.other belongs to "owner": the defaults of "migrator" do not cover it.
    expect(sorted(desired.privileges)).toEqual(
      sorted(all.map((p) => fact(table('data.events'), 'reader', p))),
    );
  });

  it('covers every non-system schema when the schema is omitted, and the schemas for_role owns for objectType schema', () => {
    const { desired } = resolveDesired(
      config([
        configRole('reader', {
          defaultPrivileges: [
            {
              forRole: 'owner',
              schema: null,
              objectType: 'sequence',
              privileges: ['SELECT'],
              withGrantOption: true,
            },
            {
              forRole: 'migrator',
              schema: null,
              objectType: 'schema',
              privileges: ['USAGE'],
              withGrantOption: false,
            },
          ],
        }),
      ]),
      state({
        objects: [...objects, sequence('data.s', 'owner'), sequence('data.t', 'migrator')],
        roles: [...baseRoles(), role('migrator')],
      }),
    );
    expect(sortedDefaults(desired.defaultPrivileges)).toEqual(
      sortedDefaults([
        defaultFact('owner', null, 'sequence', 'reader', 'SELECT', true),
        defaultFact('migrator', null, 'schema', 'reader', 'USAGE'),
      ]),
    );
    expect(sorted(desired.privileges)).toEqual(
      sorted([
        fact(seq, 'reader', 'SELECT', { grantable: true }),
        fact(sequence('data.s'), 'reader', 'SELECT', { grantable: true }),
        fact(schema('data', 'migrator'), 'reader', 'USAGE'),
      ]),
    );
  });

  it('refuses an unknown for_role and a missing schema, at the entry', () => {
    expect(
      planProblems(() =>
        resolveDesired(
          config([
            configRole('reader', {
              defaultPrivileges: [
                {
                  forRole: 'ghost',
                  schema: 'public',
                  objectType: 'table',
                  privileges: ['SELECT'],
                  withGrantOption: false,
                  position: at(60, 9),
                },
                {
                  forRole: 'owner',
                  schema: 'nope',
                  objectType: 'table',
                  privileges: ['SELECT'],
                  withGrantOption: false,
                  position: at(61, 9),
                },
              ],
            }),
          ]),
          current,
        ),
      ),
    ).toEqual([
      {
        message: 'role "ghost" in for_role is not declared and does not exist',
        position: at(60, 9),
      },
      { message: 'schema "nope" does not exist', position: at(61, 9) },
    ]);
  });

  it('keeps the catalog refs of covered objects identical to the ones introspection gives', () => {
    const { desired } = resolveDesired(
      config([
        configRole('runner', {
          defaultPrivileges: [
            {
              forRole: 'owner',
              schema: 'public',
              objectType: 'function',
              privileges: ['EXECUTE'],
              withGrantOption: false,
            },
          ],
        }),
      ]),
      current,
    );
    expect(desired.privileges.map((f) => f.object)).toEqual([
      ref(calcInt),
      ref(calcText),
      ref(refresh),
    ]);
  });
});

describe('resolveDesired: public schema on PostgreSQL 15+', () => {
  it("covers future objects of the database's owner when pg_database_owner owns the schema", () => {
    const { desired } = resolveDesired(
      config([configRole('reader', { permissions: [{ type: 'read', schemas: ['public'] }] })]),
      state({ objects: [database('app', 'app_owner'), schema('public', 'pg_database_owner')] }),
    );
    expect(sortedDefaults(desired.defaultPrivileges)).toEqual(
      sortedDefaults([
        defaultFact('app_owner', 'public', 'table', 'reader', 'SELECT'),
        defaultFact('app_owner', 'public', 'sequence', 'reader', 'USAGE'),
        defaultFact('app_owner', 'public', 'sequence', 'reader', 'SELECT'),
      ]),
    );
  });
});
