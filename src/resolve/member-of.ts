/**
 * Walks membership chains: the roles a role is a member of, directly or through other roles.
 * PostgreSQL's roles_is_member_of walks the same chains, following the rows its caller
 * counts (every row for ADMIN OPTION, SET rows for SET ROLE from 16, ...).
 */
import type { CurrentMembership, CurrentState } from '../model/state.js';

/**
 * The roles `member` is a member of, directly or not, through the rows `follows` accepts
 * (every row when omitted). `member` itself is not in the result: PostgreSQL forbids
 * membership cycles, so no chain leads back to it.
 */
export function rolesMemberOf(
  memberships: readonly CurrentMembership[],
  member: string,
  follows: (row: CurrentMembership) => boolean = () => true,
): Set<string> {
  const groupsOf = new Map<string, string[]>();
  for (const row of memberships) {
    if (!follows(row)) continue;
    const groups = groupsOf.get(row.member);
    if (groups) groups.push(row.role);
    else groupsOf.set(row.member, [row.role]);
  }
  const reached = new Set<string>();
  const pending = [member];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const group of groupsOf.get(next) ?? []) {
      if (reached.has(group)) continue;
      reached.add(group);
      pending.push(group);
    }
  }
  return reached;
}

/**
 * `role` and the roles whose privileges it has (PostgreSQL's has_privs_of_role): from 16
 * through rows with INHERIT, before 16 through members with the INHERIT attribute.
 */
export function rolesPrivilegesOf(current: CurrentState, role: string): Set<string> {
  const inherits = new Map(current.roles.map((r) => [r.name, r.attributes.inherit]));
  return rolesMemberOf(current.memberships, role, (row) =>
    current.server.versionNum >= 160000 ? row.inherit === true : inherits.get(row.member) === true,
  ).add(role);
}

/**
 * The roles whose privileges and ownership the connecting role can use: PostgreSQL's owner
 * checks (ALTER ... OWNER, CREATE POLICY, ALTER TABLE) and privilege checks both ask
 * has_privs_of_role, so a membership without INHERIT (16+), or a NOINHERIT member (before
 * 16), lends neither: SET ROLE would, but pgward never switches role in the middle of an apply.
 */
export function rolesActingAs(current: CurrentState): Set<string> {
  return rolesPrivilegesOf(current, current.server.currentUser);
}
