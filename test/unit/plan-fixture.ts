/** A small current state and one operation of every type, shared by the plan and report tests. */
import { DEFAULT_ROLE_ATTRIBUTES, type CurrentState } from '../../src/model/state.js';
import type { Operation } from '../../src/model/operations.js';

export const current: CurrentState = {
  server: {
    versionNum: 160004,
    currentUser: 'postgres',
    sessionUser: 'postgres',
    currentDatabase: 'app',
    bootstrapSuperuser: 'postgres',
    currentUserIsSuperuser: true,
    canReadPasswords: true,
  },
  roles: [
    {
      name: 'postgres',
      oid: 10,
      attributes: { ...DEFAULT_ROLE_ATTRIBUTES, superuser: true, login: true },
      password: null,
      description: null,
      config: {},
    },
    {
      name: 'bob',
      oid: 16384,
      attributes: DEFAULT_ROLE_ATTRIBUTES,
      password: null,
      description: null,
      config: {},
    },
  ],
  memberships: [],
  objects: [{ kind: 'schema', schema: null, name: 'app', owner: 'postgres' }],
  privileges: [],
  defaultPrivileges: [],
  dependencies: [],
};

/** One operation of every type, in a deliberately scrambled order. */
export const operations: Operation[] = [
  { type: 'drop_role', role: 'bob' },
  { type: 'revoke_membership', role: 'readers', member: 'carol', grantor: 'postgres' },
  {
    type: 'revoke_privileges',
    target: {
      scope: 'objects',
      kind: 'table',
      objects: [{ kind: 'table', schema: 'app', name: 't' }],
    },
    privileges: ['DELETE'],
    grantees: ['carol'],
    grantOptionOnly: false,
  },
  {
    type: 'grant_default_privileges',
    forRole: 'migrator',
    schema: 'app',
    objectType: 'table',
    privileges: ['SELECT'],
    grantees: ['readers'],
    withGrantOption: false,
  },
  {
    type: 'grant_privileges',
    target: { scope: 'all_in_schema', kind: 'table', schema: 'app' },
    privileges: ['SELECT'],
    grantees: ['readers'],
    withGrantOption: false,
  },
  { type: 'reassign_owned', role: 'bob', to: 'postgres' },
  { type: 'grant_membership', role: 'readers', member: 'alice', admin: false },
  { type: 'set_role_config', role: 'alice', name: 'statement_timeout', value: '30s' },
  { type: 'create_role', role: 'readers', attributes: DEFAULT_ROLE_ATTRIBUTES },
  { type: 'comment_role', role: 'alice', comment: 'Alice' },
  { type: 'set_password', role: 'alice', password: { from: 'env', name: 'ALICE_PASSWORD' } },
  { type: 'alter_role', role: 'alice', changes: { login: true } },
  { type: 'drop_owned', role: 'bob' },
  {
    type: 'revoke_default_privileges',
    forRole: 'migrator',
    schema: null,
    objectType: 'function',
    privileges: ['EXECUTE'],
    grantees: ['carol'],
    grantOptionOnly: false,
  },
  { type: 'alter_membership', role: 'admins', member: 'dave', grantor: 'postgres', admin: true },
  { type: 'rename_role', from: 'al', to: 'alice' },
];
