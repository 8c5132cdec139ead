/**
 * The pure side of explain (src/explain/): catalog literals in, answers out. What the server
 * decides is checked against the server in test/integration/explain-agreement.test.ts; these
 * tests pin the paths, the missing items, RLS, compaction, resolution and the rendered text.
 */
import { describe, expect, it } from 'vitest';
import type {
  AclEntry,
  ExplainCatalog,
  ExplainMembership,
  ExplainObject,
  ExplainRole,
} from '../../src/model/explain-catalog.js';
import { membershipDiagram } from '../../src/explain/diagram.js';
import { chainUse, membershipGraph } from '../../src/explain/memberships.js';
import {
  explainContext,
  explainPrivilege,
  type ExplainTarget,
} from '../../src/explain/privilege.js';
import { resolvePrivilege, resolveTarget } from '../../src/explain/resolve.js';
import { roleAccess } from '../../src/explain/role.js';
import { renderExplanationText, renderRoleAccessText } from '../../src/explain/text.js';
import type { Privilege } from '../../src/model/privileges.js';

function role(name: string, extra: Partial<ExplainRole> = {}): ExplainRole {
  return { name, superuser: false, inherit: true, login: false, bypassrls: false, ...extra };
}

function member(
  group: string,
  memberName: string,
  extra: Partial<ExplainMembership> = {},
): ExplainMembership {
  return {
    role: group,
    member: memberName,
    grantor: 'postgres',
    admin: false,
    inherit: true,
    set: true,
    ...extra,
  };
}

function acl(grantee: string | null, privilege: Privilege, grantor = 'owner'): AclEntry {
  return { grantee, grantor, privilege, grantable: false };
}

function object(
  kind: ExplainObject['kind'],
  schema: string | null,
  name: string,
  entries: AclEntry[],
  extra: Partial<ExplainObject> = {},
): ExplainObject {
  return {
    kind,
    schema,
    name,
    args: null,
    owner: 'owner',
    relkind: kind === 'table' ? 'r' : null,
    rowSecurity: false,
    forceRowSecurity: false,
    columns: kind === 'table' ? ['id', 'email'] : null,
    acl: entries,
    ...extra,
  };
}

function catalog(parts: Partial<ExplainCatalog> = {}): ExplainCatalog {
  return {
    versionNum: 180000,
    currentDatabase: 'shop',
    roles: [
      role('postgres', { superuser: true, login: true }),
      role('owner'),
      role('alice', { login: true }),
      role('readers'),
      role('admins'),
      role('pg_read_all_data'),
      role('pg_database_owner'),
    ],
    memberships: [],
    objects: [
      object('database', null, 'shop', [acl(null, 'CONNECT'), acl('owner', 'CONNECT')]),
      object('schema', null, 'app', [acl('owner', 'USAGE'), acl('readers', 'USAGE')]),
      object('table', 'app', 'orders', [acl('owner', 'SELECT'), acl('readers', 'SELECT', 'owner')]),
      object('table', 'app', 'payments', [acl('owner', 'SELECT')]),
    ],
    columnAcl: [],
    defaultAcl: [],
    policies: [],
    ...parts,
  };
}

const table = (c: ExplainCatalog, name: string): ExplainTarget => {
  const found = resolveTarget(c, 'table', name);
  if ('error' in found) throw new Error(found.error);
  return found.ok;
};

describe('membership chains', () => {
  it('uses a chain as inherited, after SET ROLE, or not at all', () => {
    const graph = membershipGraph(
      catalog({
        memberships: [
          member('admins', 'alice', { inherit: false }),
          member('readers', 'admins'),
          member('owner', 'alice', { inherit: false, set: false }),
        ],
      }),
      null,
    );
    const [toReaders] = graph.chains('alice', 'readers');
    expect(chainUse(toReaders ?? [])).toEqual({ use: 'set_role', role: 'admins' });
    const [toOwner] = graph.chains('alice', 'owner');
    expect(chainUse(toOwner ?? [])).toMatchObject({ use: 'unusable' });
    expect([...graph.holders('alice')]).toEqual(['alice']);
    expect([...graph.settable('alice')].sort()).toEqual(['admins', 'alice', 'readers']);
  });

  it('before 16 follows the member rolinherit, and every membership allows SET ROLE', () => {
    const c = catalog({
      versionNum: 150000,
      roles: [role('alice', { inherit: false }), role('admins'), role('readers')],
      memberships: [
        member('admins', 'alice', { inherit: null, set: null }),
        member('readers', 'admins', { inherit: null, set: null }),
      ],
    });
    const graph = membershipGraph(c, null);
    expect([...graph.holders('alice')]).toEqual(['alice']);
    expect([...graph.holders('admins')]).toEqual(['admins', 'readers']);
    expect(graph.settable('alice').has('readers')).toBe(true);
  });

  it('makes the database owner a member of pg_database_owner, inheriting from 16', () => {
    const graph = membershipGraph(catalog(), 'alice');
    expect(graph.holders('alice').has('pg_database_owner')).toBe(true);
    const old = membershipGraph(
      catalog({
        versionNum: 150000,
        roles: [role('alice', { inherit: false }), role('pg_database_owner')],
      }),
      'alice',
    );
    expect(old.holders('alice').has('pg_database_owner')).toBe(false);
    expect(old.settable('alice').has('pg_database_owner')).toBe(true);
  });
});

describe('explainPrivilege', () => {
  it('lists a membership chain with each link and the grant with its grantor', () => {
    const c = catalog({ memberships: [member('readers', 'alice')] });
    const answer = explainPrivilege(explainContext(c), 'alice', 'SELECT', table(c, 'app.orders'));
    expect(answer.allowed).toBe(true);
    expect(answer.paths).toEqual([
      [
        {
          kind: 'membership',
          member: 'alice',
          role: 'readers',
          inherit: true,
          set: true,
          admin: false,
          implicit: false,
        },
        { kind: 'grant', grantee: 'readers', grantor: 'owner', grantable: false },
      ],
    ]);
    expect(answer.missing).toEqual([]);
    expect(renderExplanationText(answer).split('\n')).toEqual([
      'yes: "alice" can use SELECT on table "app.orders"',
      '',
      'paths:',
      '  1. "alice" → member of "readers" (INHERIT, SET) → "readers" was granted SELECT by "owner"',
    ]);
  });

  it('says no for a privilege usable only after SET ROLE, and marks the path', () => {
    const c = catalog({ memberships: [member('readers', 'alice', { inherit: false })] });
    const answer = explainPrivilege(explainContext(c), 'alice', 'SELECT', table(c, 'app.orders'));
    expect(answer.allowed).toBe(false);
    expect(answer.paths[0]?.map((step) => step.kind)).toEqual(['membership', 'set_role', 'grant']);
    expect(answer.missing.map((item) => item.kind)).toEqual([
      'privilege',
      'inherit',
      'schema_usage',
    ]);
    expect(answer.missing[1]?.message).toBe(
      'the membership of "alice" in "readers" has INHERIT FALSE: usable only after SET ROLE "readers"',
    );
    expect(renderExplanationText(answer)).toContain('[only after SET ROLE]');
  });

  it('names the missing schema USAGE and database CONNECT', () => {
    const c = catalog({
      objects: [
        object('database', null, 'shop', [acl('owner', 'CONNECT')]),
        object('schema', null, 'app', [acl('owner', 'USAGE')]),
        object('table', 'app', 'orders', [acl('alice', 'SELECT')]),
      ],
    });
    const answer = explainPrivilege(explainContext(c), 'alice', 'SELECT', table(c, 'app.orders'));
    expect(answer.allowed).toBe(true);
    expect(answer.missing.map((item) => item.message)).toEqual([
      'no USAGE on schema "app": "alice" cannot reach objects in it',
      'no CONNECT on database "shop": "alice" cannot connect to it',
    ]);
  });

  it('gives the owner only what its ACL entries hold, also through membership in the owner', () => {
    const c = catalog({ memberships: [member('owner', 'alice')] });
    const context = explainContext(c);
    const select = explainPrivilege(context, 'alice', 'SELECT', table(c, 'app.payments'));
    expect(select.allowed).toBe(true);
    expect(select.paths[0]?.at(-1)).toEqual({ kind: 'owner', role: 'owner' });
    // The owner revoked INSERT from itself (no ACL entry): ownership alone does not give it.
    expect(explainPrivilege(context, 'alice', 'INSERT', table(c, 'app.payments')).allowed).toBe(
      false,
    );
  });

  it('reports predefined roles, SUPERUSER and PUBLIC as paths', () => {
    const c = catalog({ memberships: [member('pg_read_all_data', 'alice')] });
    const context = explainContext(c);
    const read = explainPrivilege(context, 'alice', 'SELECT', table(c, 'app.payments'));
    expect(read.paths.map((path) => path.at(-1))).toEqual([
      { kind: 'predefined', role: 'pg_read_all_data' },
    ]);
    const superuser = explainPrivilege(context, 'postgres', 'DELETE', table(c, 'app.payments'));
    expect(superuser.paths).toEqual([[{ kind: 'superuser', role: 'postgres' }]]);
    const database = resolveTarget(c, 'database', 'shop');
    if ('error' in database) throw new Error(database.error);
    expect(explainPrivilege(context, 'alice', 'CONNECT', database.ok).paths).toEqual([
      [{ kind: 'public', grantor: 'owner' }],
    ]);
  });

  it('tells a privilege on some columns from one on the table', () => {
    const c = catalog({
      columnAcl: [{ ...acl('alice', 'SELECT'), schema: 'app', table: 'payments', column: 'email' }],
    });
    const context = explainContext(c);
    const whole = explainPrivilege(context, 'alice', 'SELECT', table(c, 'app.payments'));
    expect(whole.allowed).toBe(false);
    expect(whole.columns).toEqual(['email']);
    expect(whole.missing.map((item) => item.kind)).toContain('columns_only');
    const column = resolveTarget(c, 'column', 'app.payments.email');
    if ('error' in column) throw new Error(column.error);
    const one = explainPrivilege(context, 'alice', 'SELECT', column.ok);
    expect(one.allowed).toBe(true);
    expect(one.object).toBe('app.payments.email');
    expect(one.paths).toEqual([
      [{ kind: 'column_grant', column: 'email', grantee: 'alice', grantor: 'owner' }],
    ]);
  });

  it('lists the RLS policies that filter rows, and who bypasses them', () => {
    const orders = object('table', 'app', 'orders', [acl(null, 'SELECT'), acl('owner', 'SELECT')], {
      rowSecurity: true,
    });
    const c = catalog({
      roles: [...catalog().roles, role('auditor', { bypassrls: true })],
      memberships: [member('readers', 'alice')],
      objects: [...catalog().objects.filter((o) => o.name !== 'orders'), orders],
      policies: [
        {
          schema: 'app',
          table: 'orders',
          name: 'mine',
          command: 'r',
          permissive: true,
          roles: ['readers'],
        },
        {
          schema: 'app',
          table: 'orders',
          name: 'writes',
          command: 'a',
          permissive: true,
          roles: [null],
        },
      ],
    });
    const context = explainContext(c);
    const alice = explainPrivilege(context, 'alice', 'SELECT', table(c, 'app.orders'));
    expect(alice.row_security).toEqual({
      forced: false,
      bypass: null,
      policies: [{ name: 'mine', command: 'SELECT', permissive: true, roles: ['readers'] }],
    });
    expect(
      explainPrivilege(context, 'auditor', 'SELECT', table(c, 'app.orders')).row_security,
    ).toMatchObject({ bypass: 'bypassrls' });
    expect(
      explainPrivilege(context, 'owner', 'SELECT', table(c, 'app.orders')).row_security,
    ).toMatchObject({ bypass: 'owner' });
    const denied = explainPrivilege(context, 'owner', 'DELETE', table(c, 'app.orders'));
    expect(denied.row_security?.policies).toEqual([]);
    const forced = catalog({
      objects: [{ ...orders, forceRowSecurity: true }],
    });
    const ownerForced = explainPrivilege(
      explainContext(forced),
      'owner',
      'SELECT',
      table(forced, 'app.orders'),
    );
    expect(ownerForced.row_security).toEqual({ forced: true, bypass: null, policies: [] });
    expect(renderExplanationText(ownerForced)).toContain(
      'no policy for SELECT applies to "owner": it sees no rows (default deny)',
    );
  });

  it('lists default privileges that will give the privilege on future objects', () => {
    const c = catalog({
      memberships: [member('readers', 'alice')],
      defaultAcl: [
        {
          forRole: 'owner',
          schema: 'app',
          objectType: 'r',
          grantee: 'readers',
          privilege: 'SELECT',
          grantable: false,
        },
        {
          forRole: 'owner',
          schema: 'other',
          objectType: 'r',
          grantee: 'readers',
          privilege: 'SELECT',
          grantable: false,
        },
      ],
    });
    const answer = explainPrivilege(explainContext(c), 'alice', 'SELECT', table(c, 'app.payments'));
    expect(answer.future).toEqual([
      {
        for_role: 'owner',
        object_type: 'table',
        schema: 'app',
        grantee: 'readers',
        privilege: 'SELECT',
      },
    ]);
  });
});

describe('resolving what the user typed', () => {
  it('names the thing that does not exist or does not apply', () => {
    const c = catalog();
    expect(resolveTarget(c, 'table', 'app.nope')).toEqual({
      error: 'table "app.nope" does not exist',
    });
    expect(resolveTarget(c, 'column', 'app.orders.nope')).toEqual({
      error: 'column "nope" of table "app.orders" does not exist',
    });
    expect(resolvePrivilege(c, 'schema', 'select')).toEqual({
      error: 'privilege "select" does not apply to a schema on this server: USAGE, CREATE',
    });
    expect(resolvePrivilege(c, 'database', 'temp')).toEqual({ ok: 'TEMPORARY' });
    expect(resolvePrivilege({ ...c, versionNum: 160000 }, 'table', 'MAINTAIN')).toMatchObject({
      error: expect.stringContaining('does not apply'),
    });
  });

  it('finds a routine by its argument types, or its only overload', () => {
    const f = (args: string): ExplainObject =>
      object('function', 'app', 'calc', [acl(null, 'EXECUTE')], { args });
    const c = catalog({ objects: [f('integer'), f('integer, text')] });
    expect(resolveTarget(c, 'function', 'app.calc(integer,text)')).toMatchObject({
      ok: { object: { args: 'integer, text' } },
    });
    expect(resolveTarget(c, 'function', 'app.calc')).toEqual({
      error:
        'function "app.calc" has several overloads: name one of "app.calc(integer)", "app.calc(integer, text)"',
    });
  });
});

describe('roleAccess', () => {
  it('is one line for a privilege on every table of a schema', () => {
    const tables = Array.from({ length: 50 }, (_, i) =>
      object('table', 'app', `t${i}`, [acl('owner', 'SELECT'), acl('readers', 'SELECT')]),
    );
    const c = catalog({
      memberships: [member('readers', 'alice')],
      objects: [...catalog().objects.filter((o) => o.kind !== 'table'), ...tables],
    });
    const access = roleAccess(explainContext(c), 'alice');
    expect(access.schemas).toEqual([
      {
        name: 'app',
        privileges: [{ privilege: 'USAGE', via: ['readers'] }],
        all: [
          { kind: 'table', count: 50, privileges: [{ privilege: 'SELECT', via: ['readers'] }] },
        ],
        objects: [],
      },
    ]);
    expect(renderRoleAccessText(access).split('\n')).toEqual([
      '"alice": LOGIN; inherits from "readers"',
      '',
      'database shop: CONNECT (via PUBLIC)',
      '  schema app: USAGE (via readers)',
      '    all 50 tables: SELECT (via readers)',
    ]);
  });
});

describe('membershipDiagram', () => {
  const c = catalog({
    roles: [
      role('alice', { login: true }),
      role('readers'),
      role('admins'),
      role('root', { superuser: true, login: true }),
      role('Odd "name" <b>'),
    ],
    memberships: [
      member('readers', 'alice'),
      member('admins', 'alice', { inherit: false, admin: true }),
      member('readers', 'Odd "name" <b>'),
    ],
  });

  it('draws mermaid with options, marks and escaped names', () => {
    expect(membershipDiagram(c, { roles: [], format: 'mermaid' }).text.split('\n')).toEqual([
      'flowchart LR',
      '  r0["Odd #quot;name#quot; #lt;b#gt;"]',
      '  r1["admins"]',
      '  r2["alice (login)"]',
      '  r3["readers"]',
      '  r4["root (superuser, login)"]',
      '  r0 -->|"INHERIT, SET"| r3',
      '  r2 -.->|"ADMIN, SET"| r1',
      '  r2 -->|"INHERIT, SET"| r3',
    ]);
  });

  it('keeps only the neighbourhood of the roles asked for, and draws dot', () => {
    const diagram = membershipDiagram(c, { roles: ['admins'], format: 'dot' });
    expect(diagram.nodes.map((node) => node.name)).toEqual(['admins', 'alice']);
    expect(diagram.text).toContain('"alice" -> "admins" [label="ADMIN, SET", style=dashed];');
  });
});
