import { describe, expect, it } from 'vitest';
import { diff } from '../../src/diff/diff.js';
import { DEFAULT_ROLE_ATTRIBUTES, type DesiredState } from '../../src/model/state.js';
import { scramVerifier } from '../../src/passwords/scram.js';
import {
  baseRoles,
  config,
  configRole,
  envPassword,
  fact,
  membership,
  planOf,
  role,
  roleWithUnreadablePassword,
  schema,
  state,
  table,
} from './diff-builders.js';

const orders = table('public.orders');

describe('diff: creating roles', () => {
  it('creates a missing role with its attributes, password source, comment and settings', () => {
    const { operations, warnings } = planOf(
      config([
        configRole('alice', {
          attributes: { login: true, connectionLimit: 5, validUntil: '2026-12-31T00:00:00.000Z' },
          password: envPassword('s3cret', 'ALICE_PASSWORD'),
          description: 'Alice',
          config: { statement_timeout: '30s', search_path: 'app, public' },
        }),
      ]),
      state(),
    );
    expect(warnings).toEqual([]);
    expect(operations).toEqual([
      {
        type: 'create_role',
        role: 'alice',
        attributes: {
          ...DEFAULT_ROLE_ATTRIBUTES,
          login: true,
          connectionLimit: 5,
          validUntil: '2026-12-31T00:00:00.000Z',
        },
        password: { from: 'env', name: 'ALICE_PASSWORD' },
      },
      { type: 'comment_role', role: 'alice', comment: 'Alice' },
      { type: 'set_role_config', role: 'alice', name: 'search_path', value: 'app, public' },
      { type: 'set_role_config', role: 'alice', name: 'statement_timeout', value: '30s' },
    ]);
  });

  it('creates roles in name order, whatever the config order', () => {
    const { operations } = planOf(config([configRole('b'), configRole('a')]), state());
    expect(operations.map((op) => op.type === 'create_role' && op.role)).toEqual(['a', 'b']);
  });
});

describe('diff: existing roles', () => {
  it('says nothing when the role is as declared', () => {
    const current = state({
      roles: [
        ...baseRoles(),
        role('alice', {
          attributes: { login: true, validUntil: '2026-12-31T00:00:00.000Z' },
          description: 'Alice',
          config: { search_path: 'app, public' },
        }),
      ],
    });
    const { operations, warnings } = planOf(
      config([
        configRole('alice', {
          // Same instant, another spelling.
          attributes: { login: true, validUntil: '2026-12-31T00:00:00Z' },
          description: 'Alice',
          config: { search_path: 'app, public' },
        }),
      ]),
      current,
    );
    expect(operations).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('alters only the attributes that differ, unset ones back to their defaults', () => {
    const current = state({
      roles: [
        ...baseRoles(),
        role('alice', { attributes: { login: true, createdb: true, connectionLimit: 3 } }),
      ],
    });
    const { operations } = planOf(
      config([
        configRole('alice', { attributes: { login: true, bypassrls: true, connectionLimit: 3 } }),
      ]),
      current,
    );
    expect(operations).toEqual([
      { type: 'alter_role', role: 'alice', changes: { createdb: false, bypassrls: true } },
    ]);
  });

  it('comments when the description differs, and removes a comment the config lacks', () => {
    const current = state({
      roles: [
        ...baseRoles(),
        role('a', { description: 'old' }),
        role('b', { description: 'kept' }),
      ],
    });
    const { operations } = planOf(
      config([configRole('a', { description: 'new' }), configRole('b')]),
      current,
    );
    expect(operations).toEqual([
      { type: 'comment_role', role: 'a', comment: 'new' },
      { type: 'comment_role', role: 'b', comment: null },
    ]);
  });

  it('sets settings that differ and resets the ones the config lacks', () => {
    const current = state({
      roles: [
        ...baseRoles(),
        role('a', { config: { work_mem: '4MB', search_path: 'public', lock_timeout: '1s' } }),
      ],
    });
    const { operations } = planOf(
      config([
        configRole('a', {
          config: { search_path: 'app', lock_timeout: '1s', statement_timeout: '30s' },
        }),
      ]),
      current,
    );
    expect(operations).toEqual([
      { type: 'set_role_config', role: 'a', name: 'search_path', value: 'app' },
      { type: 'set_role_config', role: 'a', name: 'statement_timeout', value: '30s' },
      { type: 'set_role_config', role: 'a', name: 'work_mem', value: null },
    ]);
  });
});

describe('diff: renamed_from', () => {
  const current = state({
    roles: [...baseRoles(), role('al', { attributes: { login: true } }), role('team')],
    memberships: [membership('team', 'al')],
    objects: [schema('public'), orders],
    privileges: [fact(orders, 'al', 'SELECT')],
  });
  const alice = configRole('alice', {
    renamedFrom: 'al',
    attributes: { login: true },
    memberOf: [{ role: 'team', admin: false }],
    grants: [
      {
        privileges: ['SELECT'],
        objectType: 'table',
        objects: [],
        allInSchemas: ['public'],
        withGrantOption: false,
      },
    ],
  });

  it('renames the old role, and its grants and memberships carry over', () => {
    expect(planOf(config([alice]), current).operations).toEqual([
      { type: 'rename_role', from: 'al', to: 'alice' },
    ]);
  });

  it('diffs the rest against the old role under its new name', () => {
    const { operations } = planOf(
      config([{ ...alice, attributes: { login: true, createdb: true }, grants: [] }]),
      current,
    );
    expect(operations).toEqual([
      { type: 'rename_role', from: 'al', to: 'alice' },
      { type: 'alter_role', role: 'alice', changes: { createdb: true } },
      {
        type: 'revoke_privileges',
        target: {
          scope: 'objects',
          kind: 'table',
          objects: [{ kind: 'table', schema: 'public', name: 'orders' }],
        },
        privileges: ['SELECT'],
        grantees: ['alice'],
        grantOptionOnly: false,
      },
    ]);
  });

  it('ignores renamed_from once the new role exists (the old one is then just unmanaged)', () => {
    const both = state({
      ...current,
      roles: [...current.roles, role('alice', { attributes: { login: true } })],
    });
    expect(planOf(config([{ ...alice, memberOf: [], grants: [] }]), both).operations).toEqual([]);
  });

  it('creates the role when the old one is gone too', () => {
    const { operations } = planOf(config([{ ...alice, memberOf: [], grants: [] }]), state());
    expect(operations).toEqual([
      {
        type: 'create_role',
        role: 'alice',
        attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true },
      },
    ]);
  });

  it('warns that renaming clears an MD5 password when the config sets none', () => {
    const md5 = state({
      roles: [...baseRoles(), role('al', { password: 'md5' + '0'.repeat(32) })],
    });
    expect(planOf(config([configRole('alice', { renamedFrom: 'al' })]), md5).warnings).toEqual([
      'renaming role "al" to "alice" clears its MD5 password (PostgreSQL salts MD5 with the role name); set a password in the config',
    ]);
  });
});

describe('diff: passwords', () => {
  const withPassword = (stored: string | null) =>
    state({
      roles: [...baseRoles(), role('alice', { attributes: { login: true }, password: stored })],
    });
  const declared = config([
    configRole('alice', {
      attributes: { login: true },
      password: envPassword('s3cret', 'ALICE_PASSWORD'),
    }),
  ]);
  const setPassword = {
    type: 'set_password',
    role: 'alice',
    password: { from: 'env', name: 'ALICE_PASSWORD' },
  };

  it('leaves a SCRAM verifier of the same password alone', () => {
    expect(planOf(declared, withPassword(scramVerifier('s3cret')))).toEqual({
      operations: [],
      warnings: [],
    });
  });

  it('sets the password when the verifier is of another password', () => {
    expect(planOf(declared, withPassword(scramVerifier('other'))).operations).toEqual([
      setPassword,
    ]);
  });

  it('sets the password when the role has none', () => {
    expect(planOf(declared, withPassword(null)).operations).toEqual([setPassword]);
  });

  it('sets an MD5 password again, as SCRAM, saying so', () => {
    expect(planOf(declared, withPassword('md5' + 'a'.repeat(32)))).toEqual({
      operations: [setPassword],
      warnings: [
        'role "alice" has a password stored as MD5: it will be set again as SCRAM-SHA-256',
      ],
    });
  });

  it('when pg_authid is unreadable: sets passwords of new roles only, with one warning for the plan', () => {
    const current = state({
      roles: [
        ...baseRoles(),
        roleWithUnreadablePassword('alice', { login: true }),
        roleWithUnreadablePassword('bob'),
      ],
      server: { canReadPasswords: false, currentUserIsSuperuser: false },
    });
    const { operations, warnings } = planOf(
      config([
        configRole('alice', { attributes: { login: true }, password: envPassword('a') }),
        configRole('bob', { password: envPassword('b') }),
        configRole('carol', { password: envPassword('c', 'CAROL') }),
      ]),
      current,
    );
    expect(operations).toEqual([
      {
        type: 'create_role',
        role: 'carol',
        attributes: DEFAULT_ROLE_ATTRIBUTES,
        password: { from: 'env', name: 'CAROL' },
      },
    ]);
    expect(warnings).toEqual([
      'passwords are set only when a role is created: pg_authid is not readable by the connecting role (not a superuser), so password drift cannot be seen',
    ]);
  });

  it('compares a hashed password as a string', () => {
    const verifier = scramVerifier('s3cret');
    const hashed = config([
      configRole('alice', {
        attributes: { login: true },
        password: { source: { from: 'hashed' }, secret: verifier },
      }),
    ]);
    expect(planOf(hashed, withPassword(verifier)).operations).toEqual([]);
    // Same password, another salt: a different verifier, so it is set.
    expect(planOf(hashed, withPassword(scramVerifier('s3cret'))).operations).toEqual([
      { type: 'set_password', role: 'alice', password: { from: 'hashed' } },
    ]);
  });

  it('leaves the password of a role whose config has none alone', () => {
    const current = withPassword(scramVerifier('whatever'));
    expect(
      planOf(config([configRole('alice', { attributes: { login: true } })]), current).operations,
    ).toEqual([]);
  });
});

describe('diff: protected roles', () => {
  it('never alters a protected role, even if a hand-built desired state asks', () => {
    const desired: DesiredState = {
      roles: [
        { name: 'admin', attributes: DEFAULT_ROLE_ATTRIBUTES, description: null, config: {} },
        { name: 'postgres', attributes: DEFAULT_ROLE_ATTRIBUTES, description: null, config: {} },
        {
          name: 'pg_read_all_data',
          attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true },
          description: null,
          config: {},
        },
      ],
      memberships: [],
      privileges: [],
      defaultPrivileges: [],
      managedRoles: new Set(['admin', 'postgres', 'pg_read_all_data']),
      protectedRoles: new Set(),
      unmanagedRoles: 'ignore',
      reassignOwnedTo: null,
    };
    const { operations, warnings } = diff(state(), desired);
    // The connecting role keeps its LOGIN and SUPERUSER.
    expect(operations).toEqual([]);
    expect(warnings).toEqual([
      'role "admin" is protected: pgward leaves it as it is',
      'role "pg_read_all_data" is protected: pgward leaves it as it is',
      'role "postgres" is protected: pgward leaves it as it is',
    ]);
  });

  it('never renames a protected role', () => {
    const desired: DesiredState = {
      roles: [
        {
          name: 'boss',
          attributes: DEFAULT_ROLE_ATTRIBUTES,
          description: null,
          config: {},
          renamedFrom: 'postgres',
        },
      ],
      memberships: [],
      privileges: [],
      defaultPrivileges: [],
      managedRoles: new Set(['boss']),
      protectedRoles: new Set(['postgres', 'admin']),
      unmanagedRoles: 'ignore',
      reassignOwnedTo: null,
    };
    expect(diff(state(), desired).operations).toEqual([
      { type: 'create_role', role: 'boss', attributes: DEFAULT_ROLE_ATTRIBUTES },
    ]);
  });
});
