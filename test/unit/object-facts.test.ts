/**
 * readObjects reads the usual ACL (unquoted names, every entry granted by the owner, one per
 * grantee, no column privileges) the short way, and any other through the general merge: both
 * must give the same facts, in the same order. The general path is the one a row with an
 * initial ACL takes (an empty `initprivs` holds nothing, so it drops nothing), which gives the
 * reference here; that both read what PostgreSQL writes is test/integration/aclitem.test.ts's
 * and introspect.test.ts's to show.
 */
import { describe, expect, it } from 'vitest';
import { readObjects } from '../../src/introspect/objects.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { server } from './diff-builders.js';

interface Row {
  kind: string;
  schema: string | null;
  name: string;
  args: null;
  owner: string;
  relkind: string | null;
  columns: null;
  acl: string[] | null;
  initprivs: string[] | null;
  column_privileges: [string, string | null, string, boolean, string][];
}

function row(name: string, acl: string[] | null, extra: Partial<Row> = {}): Row {
  return {
    kind: 'table',
    schema: 's',
    name,
    args: null,
    owner: 'own',
    relkind: 'r',
    columns: null,
    acl,
    initprivs: null,
    column_privileges: [],
    ...extra,
  };
}

/** The objects query answers `rows`; parameters.sql (the one without parameters) nothing. */
function answering(rows: readonly Row[]): Queryable {
  return {
    query: async <R extends object>(_sql: string, params?: unknown[]) =>
      ({ rows: params === undefined ? [] : rows.map((r) => ({ ...r })) }) as unknown as {
        rows: R[];
      },
  };
}

const ROWS: Row[] = [
  row('owner_only', ['own=arwdDxtm/own']),
  row('readers', ['own=arwdDxtm/own', 'zed=r/own', 'amy=arw/own', 'bob=r*w/own', '=r/own']),
  row('grant_options', ['own=a*r*w*d*D*x*t*m*/own', 'amy=a*r/own']),
  row('public_twice', ['=r/own', 'amy=r/own', '=w*/own']),
  row('quoted_grantee', ['own=r/own', '"a b"=r/own', '"Z""q"=w/own']),
  row('quoted_owner', ['"o w"=r/"o w"', 'amy=r/"o w"'], { owner: 'o w' }),
  row('other_grantor', ['own=arw/own', 'amy=r*/own', 'bob=r/amy']),
  row('same_grantee_twice', ['own=r/own', 'amy=r/own', 'amy=w*/bob']),
  row('default_acl', null),
  row('empty_acl', []),
  row('columns', ['own=r/own'], {
    column_privileges: [
      ['b', 'amy', 'SELECT', false, 'own'],
      ['a', 'amy', 'UPDATE', true, 'own'],
      ['a', null, 'SELECT', false, 'own'],
    ],
  }),
  row('seq', ['own=rwU/own', 'amy=U/own', 'app=rU/own'], { kind: 'sequence', relkind: null }),
  row('db', ['=Tc/own', 'own=CTc/own', 'amy=c/own'], {
    kind: 'database',
    schema: null,
    relkind: null,
  }),
];

describe('readObjects: the usual ACL the short way', () => {
  it('gives the facts the general merge gives, in its order', async () => {
    const short = await readObjects(answering(ROWS), server());
    const general = await readObjects(
      answering(ROWS.map((r) => ({ ...r, initprivs: [] }))),
      server(),
    );
    expect(short.privileges.length).toBeGreaterThan(40);
    expect(short.privileges).toEqual(general.privileges);
    expect(short.publicPrivileges).toEqual(general.publicPrivileges);
    expect(short.objects).toEqual(general.objects);
  });

  it('shares one ref per object and lists facts by grantee, then privilege name', async () => {
    const { privileges } = await readObjects(answering([ROWS[1] as Row]), server());
    expect(privileges.map((f) => `${f.grantee} ${f.privilege}${f.grantable ? '*' : ''}`)).toEqual([
      'amy INSERT',
      'amy SELECT',
      'amy UPDATE',
      'bob SELECT*',
      'bob UPDATE',
      'own DELETE',
      'own INSERT',
      'own MAINTAIN',
      'own REFERENCES',
      'own SELECT',
      'own TRIGGER',
      'own TRUNCATE',
      'own UPDATE',
      'zed SELECT',
    ]);
    expect(new Set(privileges.map((f) => f.object)).size).toBe(1);
  });

  it('refuses a letter it does not know, as the general path does', async () => {
    await expect(readObjects(answering([row('odd', ['own=r?/own'])]), server())).rejects.toThrow(
      /unknown privilege "\?"/,
    );
  });
});
