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
import type { Operation } from '../model/operations.js';
import type { CurrentState, DesiredState } from '../model/state.js';
import { Catalog } from '../resolve/catalog.js';
import { keepSessionConnect } from './connect.js';
import { checkConnectingRole } from './connecting-role.js';
import { diffDefaultPrivileges } from './default-privileges.js';
import { findUnmanagedRoles } from './findings.js';
import { checkGrantorRevokes } from './grant-chains.js';
import { diffMemberships } from './memberships.js';
import { afterOwnerChanges, checkOwnerChanges, diffOwners } from './owners.js';
import { checkPublicLockout, diffPublic } from './public.js';
import { checkRowSecurityOwners, diffRowSecurity } from './row-security.js';
import { compareStrings } from '../model/order.js';
import { Problems } from '../resolve/problems.js';
import { diffPrivileges } from './privileges.js';
import { protectionOf } from '../resolve/owners-after.js';
import { applyRenames, planRenames } from '../resolve/renames.js';
import { keepPgwardAccess } from './lockout.js';
import { rolesPgwardNeeds, type NeededRoles } from '../resolve/needed-roles.js';
import { diffRoles } from './roles.js';
import { planRetiredRoles } from '../resolve/retire.js';
import { planUnmanagedRoles, referencedRoles } from '../resolve/unmanaged.js';

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
  // (and, before 16, the INHERIT) leading to them are never taken away (see lockout.ts). A
  // retired role (absent: true) among them is refused rather than skipped: the config names it.
  const needed = rolesPgwardNeeds(state);
  const roleChanges = diffRoles(state, desired, isProtected);
  const roles = keepPgwardAccess(roleChanges.operations, needed, state);
  const keptForPower = unmanagedKeptForPower(desired, isProtected, needed);
  const retiredRoles = desired.retiredRoles ?? new Set<string>();
  const retired = planRetiredRoles(
    state,
    desired,
    (role) => (isProtected(role) ? 'protected' : (needed.get(role)?.why ?? null)),
    problems,
  );
  const unmanaged = planUnmanagedRoles(
    state,
    desired,
    (role) => isProtected(role) || needed.has(role) || retiredRoles.has(role),
    problems,
  );
  problems.throwIfAny();
  const dropped = new Set([...unmanaged.dropped, ...retired.dropped]);

  const existing = new Set(state.roles.map((role) => role.name));
  const scope = {
    isProtected,
    dropped,
    created: new Set(desired.roles.map((role) => role.name).filter((name) => !existing.has(name))),
  };
  const memberships = keepPgwardAccess(
    diffMemberships(state, desired, isProtected, dropped),
    needed,
    state,
  );
  // Owner changes run before grants and revokes (plan/order.ts), which are computed against
  // the state they leave.
  const ownerChanges = diffOwners(state, desired);
  checkOwnerChanges(state, ownerChanges, problems);
  const owned = afterOwnerChanges(state, ownerChanges);
  const catalog = Catalog.of(owned);
  const privileges = diffPrivileges(owned, desired, catalog, scope);
  // The session user's CONNECT on this database is what lets pgward log in again.
  const connect = keepSessionConnect(privileges.operations, owned);
  const operations = [
    ...renames.operations,
    ...roles.operations,
    ...memberships.operations,
    ...ownerChanges,
    ...connect.operations,
    ...diffPublic(owned, desired.public, catalog),
    ...diffRowSecurity(owned, desired),
    ...diffDefaultPrivileges(state, desired, scope),
    ...unmanaged.operations,
    ...retired.operations,
  ];
  checkConnectingRole(state, operations, problems);
  checkGrantorRevokes(owned, operations, problems);
  checkPublicLockout(owned, operations, problems);
  checkRowSecurityOwners(owned, operations, problems);
  problems.throwIfAny();
  return {
    operations,
    findings: findUnmanagedRoles(state, desired, isProtected, dropped, referencedRoles(desired)),
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
