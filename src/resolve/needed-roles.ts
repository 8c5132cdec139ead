/**
 * What keeps pgward able to do its job: the role it logs in as (the session user), the role
 * it acts as (the connecting role, `current_user`), and what connects them to their power.
 * Both roles are protected (never altered, renamed or dropped, their own memberships never
 * revoked). Beyond them:
 *
 * - When the session switched role (`ALTER ROLE deployer SET role = admin_grp`, or
 *   `PGOPTIONS=-c role=...`), SET ROLE at login needs a membership chain from the session user
 *   to the connecting role (from 16, through rows with the SET option). Revoking a row on it,
 *   or taking its SET option, would make every later login fail.
 * - A superuser connecting role needs nothing more: its power is the SUPERUSER attribute. A
 *   non-superuser acts through the roles it is a member of, directly or through other roles:
 *   their ownership is what lets it grant on their objects, and from PostgreSQL 16 their
 *   ADMIN OPTION is what lets a CREATEROLE role manage other roles. Dropping one of those
 *   roles, revoking a membership on the way to it, or (before 16) taking INHERIT from a role
 *   on the way, would take that power away in the middle of an apply (a failed statement) or
 *   for every apply after it (a lockout).
 *
 * - From 16 each membership row records its grantor, and the row depends on it: DROP OWNED BY
 *   the grantor removes the row, and so does taking the grantor's ADMIN OPTION with CASCADE.
 *   So the grantor of every row on those chains is needed too, and so is the ADMIN OPTION
 *   row that lets it grant (with its own grantor, and so on).
 *
 * pgward keeps all of these and says so in a warning.
 */
import type { CurrentMembership, CurrentState } from '../model/state.js';
import { rolesMemberOf } from './member-of.js';

/** Why pgward needs a role kept. */
export interface NeededRole {
  /** The end of a warning: "...: <why>". */
  readonly why: string;
  /** The connecting role acts through it (rather than SET ROLE passing through it). */
  readonly power: boolean;
  /**
   * Only its memberships in these roles are needed (a grantor: the rows that give it ADMIN
   * OPTION on the roles it granted a needed row in). Absent: all of them.
   */
  readonly inRoles?: ReadonlySet<string>;
}

export type NeededRoles = ReadonlyMap<string, NeededRole>;

/**
 * Roles a non-superuser connecting role is a member of, directly or not (empty for a
 * superuser), through rows that give it something: before 16 every row; from 16 rows with
 * INHERIT or SET. A 16+ row with neither is what CREATE ROLE by a CREATEROLE role leaves
 * behind (ADMIN OPTION on the new role, nothing else): it gives no privileges, only the
 * right to manage that role, which dropping the role makes moot.
 */
function rolesActedThrough(current: CurrentState): ReadonlySet<string> {
  if (current.server.currentUserIsSuperuser) return new Set();
  return rolesMemberOf(
    current.memberships,
    current.server.currentUser,
    ({ inherit, set }) => inherit !== false || set !== false,
  );
}

/**
 * The session user and the roles between it and the connecting role: each role that the
 * session user is (or is a member of, through SET rows) and that is itself a member of the
 * connecting role, i.e. each member of a row on a chain SET ROLE can follow. Empty when the
 * session did not switch role.
 */
function rolesOnSetRoleChain(current: CurrentState): ReadonlySet<string> {
  const { sessionUser, currentUser } = current.server;
  if (sessionUser === currentUser) return new Set();
  // PostgreSQL's member_can_set_role: before 16 every row, from 16 rows with the SET option.
  const canSet = ({ set }: { set: boolean | null }): boolean => set !== false;
  const reached = rolesMemberOf(current.memberships, sessionUser, canSet);
  // The members of the connecting role, directly or not: the same walk on rows turned round.
  const reversed = current.memberships.map((row) => ({
    ...row,
    role: row.member,
    member: row.role,
  }));
  const below = rolesMemberOf(reversed, currentUser, canSet);
  return new Set([sessionUser, ...reached].filter((role) => below.has(role)));
}

/** Every role pgward needs kept as it is (see the top of this file), with why. */
export function rolesPgwardNeeds(current: CurrentState): NeededRoles {
  const { sessionUser, currentUser } = current.server;
  const needed = new Map<string, NeededRole>();
  // The two sets are disjoint: one lies below the connecting role, the other above it, and
  // PostgreSQL forbids membership cycles.
  const setRole = `the session user "${sessionUser}" becomes the connecting role "${currentUser}" (SET ROLE) through it`;
  const chain = rolesOnSetRoleChain(current);
  for (const role of chain) needed.set(role, { why: setRole, power: false });
  const power = `the connecting role "${currentUser}" acts through it`;
  const actedThrough = rolesActedThrough(current);
  for (const role of actedThrough) needed.set(role, { why: power, power: true });
  if (current.server.versionNum < 160000) return needed;
  // The rows those chains follow: each joins a needed role (or the connecting role) to the
  // next role on the same chain.
  const onChain = (row: CurrentMembership): boolean =>
    (chain.has(row.member) &&
      row.set !== false &&
      (chain.has(row.role) || row.role === currentUser)) ||
    ((actedThrough.has(row.member) || row.member === currentUser) &&
      actedThrough.has(row.role) &&
      (row.inherit !== false || row.set !== false));
  addGrantors(current, current.memberships.filter(onChain), needed);
  return needed;
}

/**
 * 16+: the grantors of `rows`, then the ADMIN OPTION rows their grants stand on and those
 * rows' grantors, as far as they go. A role already needed for itself stays as it is.
 */
function addGrantors(
  current: CurrentState,
  rows: readonly CurrentMembership[],
  needed: Map<string, NeededRole>,
): void {
  const grantedIn = new Map<string, { roles: Set<string>; row: CurrentMembership }>();
  const pending = [...rows];
  for (let row = pending.pop(); row !== undefined; row = pending.pop()) {
    const grantor = row.grantor;
    const seen = grantedIn.get(grantor);
    if (seen?.roles.has(row.role) === true) continue;
    if (seen === undefined) grantedIn.set(grantor, { roles: new Set([row.role]), row });
    else seen.roles.add(row.role);
    const { role } = row;
    pending.push(
      ...current.memberships.filter(
        (admin) => admin.member === grantor && admin.role === role && admin.admin,
      ),
    );
  }
  for (const [grantor, { roles, row }] of grantedIn) {
    // The connecting role, the session user and the bootstrap superuser are protected anyway.
    const { currentUser, sessionUser, bootstrapSuperuser } = current.server;
    if (needed.has(grantor) || [currentUser, sessionUser, bootstrapSuperuser].includes(grantor))
      continue;
    needed.set(grantor, {
      why: `it granted the membership of "${row.member}" in "${row.role}", which pgward needs, and dropping it would take that membership with it`,
      power: false,
      inRoles: roles,
    });
  }
}
