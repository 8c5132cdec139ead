import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_ATTRIBUTES, type CurrentState } from '../../src/model/state.js';
import { scramVerifier } from '../../src/passwords/scram.js';
import {
  baseRoles,
  config,
  configRole,
  database,
  defaultFact,
  envPassword,
  fact,
  ref,
  facts,
  membership,
  objectName,
  planOf,
  role,
  schema,
  sequence,
  state,
  table,
} from './diff-builders.js';

const orders = table('public.orders');
const items = table('public.items');
const seq = sequence('public.orders_id_seq');
const publicSchema = schema('public');

const declared = config([
  configRole('reader', {
    description: 'Read-only',
    permissions: [{ type: 'read', schemas: ['public'] }],
  }),
  configRole('editor', {
    memberOf: [{ role: 'reader', admin: false }],
    permissions: [{ type: 'write', schemas: ['public'] }],
  }),
  configRole('alice', {
    attributes: { login: true },
    password: envPassword('s3cret', 'ALICE_PASSWORD'),
    memberOf: [{ role: 'editor', admin: false }],
    grants: [
      {
        privileges: ['SELECT', 'INSERT'],
        objectType: 'table',
        objects: [objectName('table', 'public.orders')],
        withGrantOption: false,
      },
    ],
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
]);

/** The catalog once the config above is applied. */
const inSync: CurrentState = state({
  roles: [
    ...baseRoles(),
    role('reader', { description: 'Read-only' }),
    role('editor'),
    role('alice', { attributes: { login: true }, password: scramVerifier('s3cret') }),
    role('migrator'),
  ],
  memberships: [membership('reader', 'editor'), membership('editor', 'alice')],
  objects: [database('app'), publicSchema, orders, items, seq],
  privileges: [
    ...facts([publicSchema], 'reader', ['USAGE']),
    ...facts([publicSchema], 'editor', ['USAGE']),
    ...facts([orders, items], 'reader', ['SELECT']),
    ...facts([orders, items], 'editor', ['INSERT', 'UPDATE', 'DELETE']),
    ...facts([seq], 'reader', ['USAGE', 'SELECT']),
    ...facts([seq], 'editor', ['USAGE', 'SELECT', 'UPDATE']),
    ...facts([orders], 'alice', ['SELECT', 'INSERT']),
    // Owner entries that acldefault makes explicit: never the config's business.
    ...facts([orders, items], 'owner', [
      'SELECT',
      'INSERT',
      'UPDATE',
      'DELETE',
      'TRUNCATE',
      'REFERENCES',
      'TRIGGER',
    ]),
  ],
  defaultPrivileges: [
    defaultFact('owner', 'public', 'table', 'reader', 'SELECT'),
    defaultFact('owner', 'public', 'sequence', 'reader', 'USAGE'),
    defaultFact('owner', 'public', 'sequence', 'reader', 'SELECT'),
    ...(['INSERT', 'UPDATE', 'DELETE'] as const).map((p) =>
      defaultFact('owner', 'public', 'table', 'editor', p),
    ),
    ...(['USAGE', 'SELECT', 'UPDATE'] as const).map((p) =>
      defaultFact('owner', 'public', 'sequence', 'editor', p),
    ),
    defaultFact('migrator', null, 'table', 'alice', 'SELECT'),
  ],
});

describe('resolveDesired + diff', () => {
  it('plans nothing when the database is as configured', () => {
    expect(planOf(declared, inSync)).toEqual({ operations: [], warnings: [] });
  });

  it('plans the whole config on an empty database, in a stable order', () => {
    const empty = state({ roles: [...baseRoles(), role('migrator')], objects: inSync.objects });
    const { operations } = planOf(declared, empty);
    const schemaTarget = { scope: 'objects', kind: 'schema', objects: [ref(publicSchema)] };
    const sequenceTarget = { scope: 'objects', kind: 'sequence', objects: [ref(seq)] };
    const allTables = { scope: 'all_in_schema', kind: 'table', schema: 'public' };
    const grant = (target: object, privileges: string[], grantees: string[]) => ({
      type: 'grant_privileges',
      target,
      privileges,
      grantees,
      withGrantOption: false,
    });
    const defaults = (
      forRole: string,
      schemaName: string | null,
      objectType: string,
      privileges: string[],
      grantee: string,
    ) => ({
      type: 'grant_default_privileges',
      forRole,
      schema: schemaName,
      objectType,
      privileges,
      grantees: [grantee],
      withGrantOption: false,
    });
    expect(operations).toEqual([
      {
        type: 'create_role',
        role: 'alice',
        attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true },
        password: { from: 'env', name: 'ALICE_PASSWORD' },
      },
      { type: 'create_role', role: 'editor', attributes: DEFAULT_ROLE_ATTRIBUTES },
      { type: 'create_role', role: 'reader', attributes: DEFAULT_ROLE_ATTRIBUTES },
      { type: 'comment_role', role: 'reader', comment: 'Read-only' },
      { type: 'grant_membership', role: 'editor', member: 'alice', admin: false },
      { type: 'grant_membership', role: 'reader', member: 'editor', admin: false },
      grant(schemaTarget, ['USAGE'], ['editor', 'reader']),
      grant(sequenceTarget, ['SELECT', 'UPDATE', 'USAGE'], ['editor']),
      grant(sequenceTarget, ['SELECT', 'USAGE'], ['reader']),
      grant(allTables, ['INSERT', 'UPDATE', 'DELETE'], ['editor']),
      grant(allTables, ['SELECT'], ['reader']),
      grant(
        { scope: 'objects', kind: 'table', objects: [ref(orders)] },
        ['SELECT', 'INSERT'],
        ['alice'],
      ),
      defaults('migrator', null, 'table', ['SELECT'], 'alice'),
      defaults('owner', 'public', 'sequence', ['SELECT', 'UPDATE', 'USAGE'], 'editor'),
      defaults('owner', 'public', 'sequence', ['SELECT', 'USAGE'], 'reader'),
      defaults('owner', 'public', 'table', ['INSERT', 'UPDATE', 'DELETE'], 'editor'),
      defaults('owner', 'public', 'table', ['SELECT'], 'reader'),
    ]);
  });

  it('gives the same operations whatever order the catalog listed things in', () => {
    const drifted: CurrentState = {
      ...inSync,
      privileges: [
        ...inSync.privileges.filter((f) => f.grantee !== 'editor'),
        fact(items, 'alice', 'TRUNCATE'),
      ],
      memberships: [],
    };
    const shuffled: CurrentState = {
      ...drifted,
      roles: [...drifted.roles].reverse(),
      objects: [...drifted.objects].reverse(),
      privileges: [...drifted.privileges].reverse(),
      defaultPrivileges: [...drifted.defaultPrivileges].reverse(),
    };
    const reference = planOf(declared, drifted);
    expect(reference.operations.length).toBeGreaterThan(0);
    expect(planOf(declared, shuffled)).toEqual(reference);
  });
});
