/**
 * What keeps pgward's own connecting role able to do its job. The role itself is protected
 * (never altered, renamed or dropped, its own memberships never revoked). A superuser needs
 * nothing more: its power is the SUPERUSER attribute. A non-superuser acts through the roles
 * it is a member of, directly or through other roles: their ownership is what lets it grant
 * on their objects, and from PostgreSQL 16 their ADMIN OPTION is what lets a CREATEROLE role
 * manage other roles. Dropping one of those roles, or revoking a membership on the way to it,
 * would take that power away in the middle of an apply (a failed statement) or for every
 * apply after it (a lockout), so pgward keeps them and says so.
 */
import type { Operation } from '../plan/operations.js';
import type { CurrentState } from '../model/state.js';
import { rolesMemberOf } from './member-of.js';

/**
 * Roles a non-superuser connecting role is a member of, directly or not (empty for a
 * superuser), through rows that give it something: before 16 every row; from 16 rows with
 * INHERIT or SET. A 16+ row with neither is what CREATE ROLE by a CREATEROLE role leaves
 * behind (ADMIN OPTION on the new role, nothing else): it gives no privileges, only the
 * right to manage that role, which dropping the role makes moot.
 */
export function rolesActedThrough(current: CurrentState): ReadonlySet<string> {
  if (current.server.currentUserIsSuperuser) return new Set();
  return rolesMemberOf(
    current.memberships,
    current.server.currentUser,
    ({ inherit, set }) => inherit !== false || set !== false,
  );
}

/**
 * Takes out of `operations` the membership changes that would cut the connecting role off
 * from a role it acts through (revoking a row whose member is on that path, or removing an
 * option from one), with a warning for each.
 */
export function keepConnectingRolePower(
  operations: readonly Operation[],
  actedThrough: ReadonlySet<string>,
  currentUser: string,
): { operations: Operation[]; warnings: string[] } {
  const warnings: string[] = [];
  const why = (role: string, member: string): string =>
    `membership of "${member}" in "${role}" is kept as it is: the connecting role "${currentUser}" acts through it`;
  const kept = operations.flatMap((operation): Operation[] => {
    if (operation.type === 'revoke_membership' && actedThrough.has(operation.member)) {
      warnings.push(why(operation.role, operation.member));
      return [];
    }
    if (operation.type === 'alter_membership' && actedThrough.has(operation.member)) {
      const { type, role, member, grantor, admin, inherit, set } = operation;
      if (admin !== false && inherit !== false && set !== false) return [operation];
      warnings.push(why(role, member));
      // Options being added stay: they take nothing away.
      const adds = {
        ...(admin === true ? { admin } : {}),
        ...(inherit === true ? { inherit } : {}),
        ...(set === true ? { set } : {}),
      };
      if (Object.keys(adds).length === 0) return [];
      return [{ type, role, member, ...(grantor === undefined ? {} : { grantor }), ...adds }];
    }
    return [operation];
  });
  return { operations: kept, warnings };
}
