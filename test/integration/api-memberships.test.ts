/**
 * Library API, memberships: grantRole / revokeRole / listRoleMembers, checked against
 * pg_auth_members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, QueryError, type PgwardDatabase } from '../../src/index.js';
import { failure } from '../support/calls.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let db: PgwardDatabase;

beforeAll(async () => {
  db = await connect(server.url());
  await server.query(
    `CREATE ROLE readonly; CREATE ROLE analyst LOGIN; CREATE ROLE lead LOGIN;
     CREATE ROLE "Mixed ""Case"""; CREATE ROLE "b_member"; CREATE ROLE "A_member";
     CREATE ROLE c_member`,
  );
});
afterAll(async () => {
  await db.close();
});

interface MembershipRow {
  member: string;
  admin_option: boolean;
}

async function memberships(role: string): Promise<MembershipRow[]> {
  return server.query<MembershipRow>(
    `SELECT m.rolname AS member, bool_or(am.admin_option) AS admin_option
       FROM pg_auth_members am
       JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
      WHERE r.rolname = $1 GROUP BY m.rolname ORDER BY m.rolname COLLATE "C"`,
    [role],
  );
}

describe('grantRole', () => {
  it('grants a membership without admin option by default', async () => {
    await db.grantRole('readonly', 'analyst');
    expect(await memberships('readonly')).toEqual([{ member: 'analyst', admin_option: false }]);
  });

  it('grants with admin option, also on an existing membership', async () => {
    await db.grantRole('readonly', 'lead');
    await db.grantRole('readonly', 'lead', { withAdmin: true });
    expect(await memberships('readonly')).toContainEqual({ member: 'lead', admin_option: true });
  });

  it('is not an error when the membership exists', async () => {
    await expect(db.grantRole('readonly', 'analyst')).resolves.toBeUndefined();
    expect((await memberships('readonly')).filter((m) => m.member === 'analyst')).toHaveLength(1);
  });

  it('keeps names that need quoting literally', async () => {
    await db.grantRole('Mixed "Case"', 'analyst');
    await db.grantRole('readonly', 'Mixed "Case"');
    expect(await memberships('Mixed "Case"')).toEqual([{ member: 'analyst', admin_option: false }]);
    expect((await memberships('readonly')).map((m) => m.member)).toContain('Mixed "Case"');
  });

  it('reports a missing role with the server code', async () => {
    const error = await failure(db.grantRole('readonly', 'nobody_here'));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('42704');
    expect(error.message).toBe('role "nobody_here" does not exist');
  });
});

describe('listRoleMembers', () => {
  it('lists direct members once each, in byte order', async () => {
    await db.grantRole('readonly', 'b_member');
    await db.grantRole('readonly', 'A_member');
    expect(await db.listRoleMembers('readonly')).toEqual([
      'A_member',
      'Mixed "Case"',
      'analyst',
      'b_member',
      'lead',
    ]);
  });

  it('is empty for a role without members', async () => {
    expect(await db.listRoleMembers('analyst')).toEqual([]);
  });

  it('fails for a missing role, and for a name that differs only in case', async () => {
    const error = await failure(db.listRoleMembers('ReadOnly'));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('42704');
    expect(error.message).toContain('"ReadOnly"');
  });
});

describe('revokeRole', () => {
  it('removes the membership', async () => {
    await db.revokeRole('readonly', 'b_member');
    expect((await memberships('readonly')).map((m) => m.member)).not.toContain('b_member');
    expect(await db.listRoleMembers('readonly')).not.toContain('b_member');
  });

  it('removes a membership that another role granted', async () => {
    // lead holds ADMIN on readonly and grants it itself: from PostgreSQL 16 the grantor is
    // lead, and a plain REVOKE by the superuser would leave that membership in place.
    await server.query('SET ROLE lead; GRANT readonly TO c_member; RESET ROLE');
    expect((await memberships('readonly')).map((m) => m.member)).toContain('c_member');
    await db.revokeRole('readonly', 'c_member');
    expect((await memberships('readonly')).map((m) => m.member)).not.toContain('c_member');
  });

  it('is not an error when there is no such membership', async () => {
    await expect(db.revokeRole('readonly', 'b_member')).resolves.toBeUndefined();
  });

  it('reports a missing role', async () => {
    const error = await failure(db.revokeRole('readonly', 'nobody_here'));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('42704');
  });
});
