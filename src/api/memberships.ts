/**
 * Membership functions of the library API: `GRANT group TO member`, its revoke, and the list
 * of a role's members.
 */
import type { Operation } from '../model/operations.js';
import { catalogQuery, regName } from './catalog.js';
import { checkName } from './names.js';
import type { Session } from './session.js';

export interface GrantRoleOptions {
  /** The member may grant the group to others (`WITH ADMIN OPTION`). */
  readonly withAdmin?: boolean | undefined;
}

/**
 * Grantors of one membership. From PostgreSQL 16 a membership is recorded once per grantor,
 * and a plain `REVOKE group FROM member` only removes the one granted by the current role
 * (with a WARNING, not an error, when that one does not exist).
 */
const MEMBERSHIP_GRANTORS_SQL = `
SELECT g.rolname AS grantor
FROM pg_catalog.pg_auth_members AS am
JOIN pg_catalog.pg_roles AS r ON r.oid = am.roleid
JOIN pg_catalog.pg_roles AS m ON m.oid = am.member
JOIN pg_catalog.pg_roles AS g ON g.oid = am.grantor
WHERE r.rolname = $1 AND m.rolname = $2
ORDER BY g.rolname COLLATE "C"`;

/**
 * `GRANT group TO member [WITH ADMIN OPTION]`; see {@link PgwardDatabase.grantRole}.
 *
 * @example
 * await grantRole(session, 'readonly', 'analyst', { withAdmin: true });
 */
export async function grantRole(
  session: Session,
  group: string,
  member: string,
  options: GrantRoleOptions = {},
): Promise<void> {
  checkName('group role name', group);
  checkName('member role name', member);
  await session.transaction((tx) =>
    tx.execute({
      type: 'grant_membership',
      role: group,
      member,
      admin: options.withAdmin === true,
    }),
  );
}

/**
 * `REVOKE group FROM member`, once per grantor on PostgreSQL 16+; see
 * {@link PgwardDatabase.revokeRole}.
 *
 * @example
 * await revokeRole(session, 'readonly', 'analyst');
 */
export async function revokeRole(session: Session, group: string, member: string): Promise<void> {
  checkName('group role name', group);
  checkName('member role name', member);
  await session.transaction(async (tx) => {
    const grantors =
      tx.serverVersionNum >= 160000
        ? await tx.query<{ grantor: string }>(MEMBERSHIP_GRANTORS_SQL, [group, member])
        : [];
    // With no membership (or before 16) one plain REVOKE: PostgreSQL then reports a missing
    // role as an error and a missing membership as a WARNING, as it would in psql.
    const operations: Operation[] =
      grantors.length === 0
        ? [{ type: 'revoke_membership', role: group, member }]
        : grantors.map(({ grantor }) => ({
            type: 'revoke_membership',
            role: group,
            member,
            grantor,
          }));
    for (const op of operations) await tx.execute(op);
  });
}

/**
 * See {@link PgwardDatabase.listRoleMembers}.
 *
 * @example
 * await listRoleMembers(session, 'readonly'); // => ['analyst']
 */
export async function listRoleMembers(session: Session, role: string): Promise<string[]> {
  checkName('role name', role);
  const rows = await session.read<{ member: string }>(catalogQuery('list-role-members'), [
    regName(role),
  ]);
  return rows.map((row) => row.member);
}
