/**
 * The diff: current state and desired state in, the operations that turn one into the other
 * out. Pure: no I/O, deterministic output. Ordering into plan phases (create roles → alter →
 * memberships → grants → revokes → drops) is `plan/build.ts`'s job; here operations come in a
 * stable order so that the same states always give the same list.
 *
 * Vocabulary after ldap2pg: *managed* roles are the config's; a *protected* role is never
 * touched; current facts outside the managed scope are never revoked.
 */
import type { Operation } from '../plan/operations.js';
import type { CurrentState, DesiredState } from '../model/state.js';
import { Catalog } from './catalog.js';
import { checkConnectingRole } from './connecting-role.js';
import { diffDefaultPrivileges } from './default-privileges.js';
import { checkGrantorRevokes } from './grant-chains.js';
import { diffMemberships } from './memberships.js';
import { compareStrings } from './order.js';
import { Problems } from './problems.js';
import { diffPrivileges } from './privileges.js';
import { applyRenames, planRenames } from './renames.js';
import { keepConnectingRolePower, rolesActedThrough } from './lockout.js';
import { diffRoles } from './roles.js';
import { planRetiredRoles } from './retire.js';
import { planUnmanagedRoles } from './unmanaged.js';

export interface DiffResult {
  readonly operations: Operation[];
  /** Non-fatal notes for the plan's reader. */
  readonly warnings: string[];
}

/**
 * The operations that bring `current` to `desired`.
 *
 * @throws PlanError when an unmanaged role must be dropped but cannot be (it owns objects with
 *   no `reassign_owned_to`, or owns or holds something in another database).
 * @example
 * const { operations, warnings } = diff(current, resolveDesired(config, current).desired);
 */
export function diff(current: CurrentState, desired: DesiredState): DiffResult {
  const { server } = current;
  // The connecting role is always protected: taking its LOGIN or SUPERUSER, or a membership
  // it relies on, would lock pgward out in the middle of an apply.
  const isProtected = (role: string): boolean =>
    desired.protectedRoles.has(role) ||
    role.startsWith('pg_') ||
    role === server.currentUser ||
    role === server.bootstrapSuperuser;

  const renames = planRenames(current, desired, isProtected);
  const state = applyRenames(current, renames.map);
  const roles = diffRoles(state, desired, isProtected);
  const problems = new Problems();
  // Roles a non-superuser connecting role acts through are never dropped as unmanaged, and
  // the memberships leading to them are never revoked (see lockout.ts).
  const actedThrough = rolesActedThrough(state);
  const keptForPower = unmanagedKeptForPower(state, desired, isProtected, actedThrough);
  const retiredRoles = desired.retiredRoles ?? new Set<string>();
  const retired = planRetiredRoles(
    state,
    desired,
    (role) =>
      isProtected(role)
        ? 'protected'
        : actedThrough.has(role)
          ? `the connecting role "${server.currentUser}" acts through it`
          : null,
    problems,
  );
  const unmanaged = planUnmanagedRoles(
    state,
    desired,
    (role) => isProtected(role) || actedThrough.has(role) || retiredRoles.has(role),
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
  const catalog = new Catalog(state.objects);
  const memberships = keepConnectingRolePower(
    diffMemberships(state, desired, isProtected, dropped),
    actedThrough,
    server.currentUser,
  );
  const privileges = diffPrivileges(state, desired, catalog, scope);
  const operations = [
    ...renames.operations,
    ...roles.operations,
    ...memberships.operations,
    ...privileges.operations,
    ...diffDefaultPrivileges(state, desired, scope),
    ...unmanaged.operations,
    ...retired.operations,
  ];
  checkConnectingRole(state, operations, problems);
  checkGrantorRevokes(state, operations, problems);
  problems.throwIfAny();
  return {
    operations,
    warnings: [
      ...new Set([
        ...renames.warnings,
        ...roles.warnings,
        ...keptForPower,
        ...memberships.warnings,
        ...privileges.warnings,
        ...unmanaged.warnings,
        ...retired.warnings,
      ]),
    ],
  };
}

/** Warnings for the unmanaged roles that `unmanaged_roles: drop` keeps for the connecting role. */
function unmanagedKeptForPower(
  current: CurrentState,
  desired: DesiredState,
  isProtected: (role: string) => boolean,
  actedThrough: ReadonlySet<string>,
): string[] {
  if (desired.unmanagedRoles !== 'drop') return [];
  return [...actedThrough]
    .filter((role) => !desired.managedRoles.has(role) && !isProtected(role))
    .sort(compareStrings)
    .map(
      (role) =>
        `role "${role}" is not in the config but is not dropped: the connecting role "${current.server.currentUser}" acts through it`,
    );
}
