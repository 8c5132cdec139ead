import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_ATTRIBUTES } from '../../src/model/state.js';
import type { Operation } from '../../src/model/operations.js';
import { actionOf, summarizeOperation } from '../../src/model/summary.js';
import { operations } from './plan-fixture.js';

describe('actionOf', () => {
  it('maps creates and grants to create, changes to update, revokes and drops to delete', () => {
    const actions = Object.fromEntries(operations.map((op) => [op.type, actionOf(op)]));
    expect(actions).toEqual({
      create_role: 'create',
      grant_membership: 'create',
      grant_privileges: 'create',
      grant_default_privileges: 'create',
      rename_role: 'update',
      alter_role: 'update',
      set_password: 'update',
      comment_role: 'update',
      set_role_config: 'update',
      alter_membership: 'update',
      revoke_membership: 'delete',
      revoke_privileges: 'delete',
      revoke_default_privileges: 'delete',
      reassign_owned: 'delete',
      drop_owned: 'delete',
      drop_role: 'delete',
    });
  });
});

describe('summarizeOperation', () => {
  it('lists the non-default attributes of a new role, and a password only as sensitive', () => {
    expect(
      summarizeOperation({
        type: 'create_role',
        role: 'alice',
        attributes: {
          ...DEFAULT_ROLE_ATTRIBUTES,
          login: true,
          inherit: false,
          connectionLimit: 5,
          validUntil: '2026-12-31T00:00:00.000Z',
        },
        password: { from: 'env', name: 'ALICE_PASSWORD' },
      }),
    ).toBe(
      'create role "alice" (login, noinherit, connection limit 5, valid until 2026-12-31T00:00:00.000Z, password (sensitive))',
    );
    expect(
      summarizeOperation({ type: 'create_role', role: 'r', attributes: DEFAULT_ROLE_ATTRIBUTES }),
    ).toBe('create role "r"');
  });

  it('describes attribute changes both ways', () => {
    expect(
      summarizeOperation({
        type: 'alter_role',
        role: 'x',
        changes: { login: false, superuser: true, connectionLimit: -1, validUntil: null },
      }),
    ).toBe('alter role "x" (nologin, superuser, no connection limit, no expiry)');
  });

  it('never shows a password', () => {
    expect(
      summarizeOperation({ type: 'set_password', role: 'alice', password: { from: 'hashed' } }),
    ).toBe('set password of "alice" (sensitive)');
  });

  it('names settings, comments and memberships', () => {
    const cases: [Operation, string][] = [
      [
        { type: 'set_role_config', role: 'a', name: 'search_path', value: 'app, public' },
        'set search_path to "app, public" for role "a"',
      ],
      [
        { type: 'set_role_config', role: 'a', name: 'myapp.flag', value: null },
        'reset myapp.flag for role "a"',
      ],
      [{ type: 'comment_role', role: 'a', comment: null }, 'remove comment of role "a"'],
      [
        {
          type: 'grant_membership',
          role: 'r',
          member: 'm',
          admin: true,
          inherit: false,
          set: true,
        },
        'grant role "r" to "m" (admin option, noinherit, set)',
      ],
      [
        { type: 'alter_membership', role: 'r', member: 'm', admin: false, set: false },
        'alter membership of "m" in role "r" (no admin option, noset)',
      ],
      [{ type: 'revoke_membership', role: 'r', member: 'm' }, 'revoke role "r" from "m"'],
    ];
    for (const [op, summary] of cases) expect(summarizeOperation(op)).toBe(summary);
  });

  it('names one object, counts several, and keeps columns and grant options', () => {
    const grant = (objects: { schema: string; name: string }[]): Operation => ({
      type: 'grant_privileges',
      target: {
        scope: 'objects',
        kind: 'table',
        objects: objects.map((o) => ({ kind: 'table', ...o })),
      },
      privileges: ['SELECT'],
      grantees: ['x'],
      withGrantOption: false,
    });
    expect(summarizeOperation(grant([{ schema: 'app', name: 'orders' }]))).toBe(
      'grant SELECT on table "app.orders" to "x"',
    );
    expect(
      summarizeOperation(
        grant([
          { schema: 'app', name: 'a' },
          { schema: 'app', name: 'b' },
          { schema: 'app', name: 'c' },
        ]),
      ),
    ).toBe('grant SELECT on 3 tables in schema "app" to "x"');
    expect(
      summarizeOperation(
        grant([
          { schema: 'app', name: 'a' },
          { schema: 'other', name: 'b' },
        ]),
      ),
    ).toBe('grant SELECT on 2 tables to "x"');
    expect(
      summarizeOperation({
        type: 'revoke_privileges',
        target: {
          scope: 'objects',
          kind: 'table',
          objects: [{ kind: 'table', schema: 'public', name: 'Mixed.Case' }],
        },
        privileges: ['UPDATE', 'SELECT'],
        columns: ['email'],
        grantees: ['x', 'y'],
        grantOptionOnly: true,
      }),
    ).toBe(
      'revoke grant option for SELECT, UPDATE ("email") on table "public.\\"Mixed.Case\\"" from "x", "y"',
    );
    expect(
      summarizeOperation({
        type: 'grant_privileges',
        target: { scope: 'all_in_schema', kind: 'sequence', schema: 'public' },
        privileges: ['USAGE'],
        grantees: ['reader'],
        withGrantOption: true,
      }),
    ).toBe('grant USAGE on all sequences in schema "public" to "reader" with grant option');
    expect(
      summarizeOperation({
        type: 'grant_default_privileges',
        forRole: 'migrator',
        schema: null,
        objectType: 'schema',
        privileges: ['USAGE'],
        grantees: ['reader'],
        withGrantOption: false,
      }),
    ).toBe('grant USAGE on future schemas created by "migrator" to "reader"');
  });

  it('keeps a summary on one line whatever the names hold', () => {
    const summary = summarizeOperation({ type: 'drop_role', role: 'evil\n"name"\u001b[31m' });
    expect(summary).toBe('drop role "evil\\n\\"name\\"\\u001b[31m"');
    expect(summary).not.toMatch(/[\n\u001b]/);
  });
});
