/**
 * The diff: current state and desired state in, the operations that turn one into the other
 * out. Pure: no I/O, deterministic output. Ordering into plan phases (create roles → alter →
 * memberships → grants → revokes → drops) is `plan/build.ts`'s job; here operations come in a
 * stable order so that the same states always give the same list.
 *
 * Vocabulary after ldap2pg: *managed* roles are the config's; a *protected* role is never
 * touched; current facts outside the managed scope are never revoked.
 */
import type { Finding } from '../model/findings.js';
import type { Operation } from '../plan/operations.js';
import type { CurrentState, DesiredState } from '../model/state.js';
import { Catalog } from './catalog.js';
import { keepSessionConnect } from './connect.js';
import { checkConnectingRole } from './connecting-role.js';
import { diffDefaultPrivileges } from './default-privileges.js';
import { findUnmanagedRoles } from './findings.js';
import { checkGrantorRevokes } from './grant-chains.js';
import { diffMemberships } from './memberships.js';
import { compareStrings } from './order.js';
import { Problems } from './problems.js';
import { diffPrivileges } from './privileges.js';
import { protectionOf } from './owners-after.js';
import { applyRenames, planRenames } from './renames.js';
import { keepPgwardAccess, rolesPgwardNeeds, type NeededRoles } from './lockout.js';
import { diffRoles } from './roles.js';
import { planUnmanagedRoles, referencedRoles } from './unmanaged.js';

export interface DiffResult {
  readonly operations: Operation[];
  /** Access the config does not account for and that the operations leave alone. */
  readonly findings: Finding[];
  /** Non-fatal notes for the plan's reader. */
  readonly warnings: string[];
}

/**
 * The operations that bring `current` to `desired`.
 *
 * @throws PlanError when an unmanaged role must be dropped but cannot be (it owns objects with
 *   no `reassign_owned_to`, or owns or holds something in another database).
 * @example
 * const { operations, findings, warnings } = diff(current, resolveDesired(config, current).desired);
 */
export function diff(current: CurrentState, desired: DesiredState): DiffResult {
  const isProtected = protectionOf(current, desired);

  const renames = planRenames(current, desired, isProtected);
  const state = applyRenames(current, renames.map);
  const problems = new Problems();
  // Roles pgward logs in or acts through are never dropped as unmanaged, and the memberships
  // (and, before 16, the INHERIT) leading to them are never taken away (see lockout.ts).
  const needed = rolesPgwardNeeds(state);
  const roleChanges = diffRoles(state, desired, isProtected);
  const roles = keepPgwardAccess(roleChanges.operations, needed, state);
  const keptForPower = unmanagedKeptForPower(desired, isProtected, needed);
  const unmanaged = planUnmanagedRoles(
    state,
    desired,
    (role) => isProtected(role) || needed.has(role),
    problems,
  );
  problems.throwIfAny();

  const existing = new Set(state.roles.map((role) => role.name));
  const scope = {
    isProtected,
    dropped: unmanaged.dropped,
    created: new Set(desired.roles.map((role) => role.name).filter((name) => !existing.has(name))),
  };
  const catalog = Catalog.of(state);
  const memberships = keepPgwardAccess(
    diffMemberships(state, desired, isProtected, unmanaged.dropped),
    needed,
    state,
  );
  const privileges = diffPrivileges(state, desired, catalog, scope);
  // The session user's CONNECT on this database is what lets pgward log in again.
  const connect = keepSessionConnect(privileges.operations, state);
  const operations = [
    ...renames.operations,
    ...roles.operations,
    ...memberships.operations,
    ...connect.operations,
    ...diffDefaultPrivileges(state, desired, scope),
    ...unmanaged.operations,
  ];
  checkConnectingRole(state, operations, problems);
  checkGrantorRevokes(state, operations, problems);
  problems.throwIfAny();
  return {
    operations,
    findings: findUnmanagedRoles(
      state,
      desired,
      isProtected,
      unmanaged.dropped,
      referencedRoles(desired),
    ),
    warnings: [
      ...new Set([
        ...renames.warnings,
        ...roleChanges.warnings,
        ...roles.warnings,
        ...keptForPower,
        ...memberships.warnings,
        ...privileges.warnings,
        ...connect.warnings,
      ]),
    ],
  };
}

/** Warnings for the unmanaged roles that `unmanaged_roles: drop` keeps for pgward's access. */
function unmanagedKeptForPower(
  desired: DesiredState,
  isProtected: (role: string) => boolean,
  needed: NeededRoles,
): string[] {
  if (desired.unmanagedRoles !== 'drop') return [];
  return [...needed]
    .filter(([role]) => !desired.managedRoles.has(role) && !isProtected(role))
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([role, { why }]) => `role "${role}" is not in the config but is not dropped: ${why}`);
}
