/**
 * What a connecting role that is not a superuser may do to other roles, checked at plan time
 * so that `plan` says so instead of `apply` failing at the first statement PostgreSQL refuses
 * (the transaction would roll back, but a plan that can never apply is worth knowing early).
 *
 * Only rules PostgreSQL applies on every path are checked:
 * - a superuser role, and the SUPERUSER attribute, are a superuser's to change;
 * - from PostgreSQL 16 a CREATEROLE role manages (alters, renames, drops, comments on, grants
 *   and revokes membership in) only roles it has ADMIN OPTION on, directly or through roles
 *   it is a member of. Creating a role gives its creator ADMIN OPTION on it, so roles this
 *   plan creates are always the connecting role's to manage;
 * - REASSIGN OWNED and DROP OWNED BY a role need the privileges of that role (and REASSIGN
 *   those of the new owner too): membership with INHERIT (before 16, through members with
 *   the INHERIT attribute); ADMIN OPTION alone is not enough.
 *   https://www.postgresql.org/docs/16/release-16.html#RELEASE-16-PRIVILEGES
 */
import type { CurrentState } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import { quoteIdent } from '../sql/quote.js';
import { rolesMemberOf, rolesPrivilegesOf } from '../resolve/member-of.js';
import { compareStrings } from '../model/order.js';
import type { Problems } from '../resolve/problems.js';

/** Roles on which `user` holds ADMIN OPTION, directly or through any membership chain. */
function adminRoles(current: CurrentState, user: string): Set<string> {
  // PostgreSQL's roles_is_member_of(ROLERECURSE_MEMBERS): every row, whatever its options.
  const actingAs = rolesMemberOf(current.memberships, user).add(user);
  return new Set(
    current.memberships
      .filter((row) => row.admin && actingAs.has(row.member))
      .map((row) => row.role),
  );
}

/** The role an operation manages, for the ADMIN OPTION rule; null if it needs none. */
function managedRole(operation: Operation): string | null {
  switch (operation.type) {
    case 'alter_role':
    case 'set_password':
    case 'comment_role':
    case 'set_role_config':
    case 'drop_role':
    case 'grant_membership':
    case 'alter_membership':
    case 'revoke_membership':
      return operation.role;
    case 'rename_role':
      // The state checked is the one after renames: the role and its rows carry the new name.
      return operation.to;
    default:
      return null;
  }
}

/**
 * Adds a problem for each role the plan would manage that a non-superuser connecting role may
 * not manage on this server (nothing for a superuser).
 */
export function checkConnectingRole(
  current: CurrentState,
  operations: readonly Operation[],
  problems: Problems,
): void {
  const { server } = current;
  if (server.currentUserIsSuperuser) return;
  const user = server.currentUser;
  const superusers = new Set(
    current.roles.filter((role) => role.attributes.superuser).map((role) => role.name),
  );
  const existing = new Set(current.roles.map((role) => role.name));
  const admin = server.versionNum >= 160000 ? adminRoles(current, user) : null;
  const refused = new Map<string, string>();
  const privilegesOf = rolesPrivilegesOf(current, user);
  for (const operation of operations) {
    if (operation.type === 'reassign_owned' || operation.type === 'drop_owned') {
      const needs =
        operation.type === 'reassign_owned' ? [operation.role, operation.to] : [operation.role];
      const missing = needs.find((role) => existing.has(role) && !privilegesOf.has(role));
      if (missing !== undefined && !refused.has(operation.role))
        refused.set(
          operation.role,
          `role "${operation.role}": ${operation.type === 'drop_owned' ? 'DROP' : 'REASSIGN'} OWNED needs the privileges of role "${missing}", and the connecting role "${user}" does not have them (a membership with INHERIT gives them: GRANT ${quoteIdent(missing)} TO ${quoteIdent(user)}${server.versionNum >= 160000 ? ' WITH INHERIT TRUE' : ''})`,
        );
      continue;
    }
    if (
      (operation.type === 'create_role' && operation.attributes.superuser) ||
      (operation.type === 'alter_role' && operation.changes.superuser !== undefined)
    ) {
      refused.set(
        operation.role,
        `role "${operation.role}": only a superuser can give or take SUPERUSER, and the connecting role "${user}" is not one`,
      );
      continue;
    }
    const role = managedRole(operation);
    if (role === null || !existing.has(role) || refused.has(role)) continue;
    if (superusers.has(role)) {
      refused.set(
        role,
        `role "${role}" is a superuser: only a superuser can change it, and the connecting role "${user}" is not one`,
      );
    } else if (admin !== null && !admin.has(role)) {
      refused.set(
        role,
        `role "${role}": the connecting role "${user}" has no ADMIN OPTION on it, which PostgreSQL 16+ requires of a CREATEROLE role to manage it (a superuser can give it: GRANT ${quoteIdent(role)} TO ${quoteIdent(user)} WITH ADMIN OPTION)`,
      );
    }
  }
  for (const [, message] of [...refused].sort(([a], [b]) => compareStrings(a, b)))
    problems.add(message);
}
