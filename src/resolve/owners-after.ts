/**
 * Who owns what once the plan's own statements have run. Two of them change owners:
 * `renamed_from` (ALTER ROLE ... RENAME: the owner keeps its objects under its new name) and
 * `unmanaged_roles: drop` (REASSIGN OWNED: the dropped role's objects go to
 * `reassign_owned_to`). The privileges due to an owner — `permissions`' default privileges
 * FOR ROLE a schema's owner, and the grants on the existing objects that default privileges
 * cover (spec §4) — are those of the new owner, so the desired state is resolved against the
 * catalog as these statements leave it; resolving it against the catalog as it was named roles
 * that no longer exist, or missed the grants due to the heir, and apply did not converge.
 */
import type { CurrentState, DesiredState } from '../model/state.js';
import { rolesPgwardNeeds } from './needed-roles.js';
import { Problems } from './problems.js';
import { applyRenames, planRenames } from './renames.js';
import { planUnmanagedRoles } from './unmanaged.js';

/**
 * The roles the diff never touches: the config's protected roles, PostgreSQL's `pg_` roles,
 * and the roles pgward connects and acts as (taking their LOGIN or SUPERUSER, or a membership
 * they rely on, would lock pgward out in the middle of an apply).
 */
export function protectionOf(
  current: CurrentState,
  desired: DesiredState,
): (role: string) => boolean {
  const { server } = current;
  return (role) =>
    desired.protectedRoles.has(role) ||
    role.startsWith('pg_') ||
    role === server.currentUser ||
    role === server.sessionUser ||
    role === server.bootstrapSuperuser;
}

/**
 * `current` with the renames made and the dropped roles' objects owned by their heir; the
 * same object when the plan changes no owner. Only `desired`'s roles, settings and (for the
 * roles `unmanaged_roles: drop` must keep) `for_role`s are read, none of which depends on owners.
 */
export function ownersAfterPlan(current: CurrentState, desired: DesiredState): CurrentState {
  const isProtected = protectionOf(current, desired);
  const state = applyRenames(current, planRenames(current, desired, isProtected).map);
  const heir = desired.reassignOwnedTo;
  if (heir === null) return state;
  const needed = rolesPgwardNeeds(state);
  // A role that cannot be dropped is the diff's to report; here it just keeps its objects.
  const { dropped } = planUnmanagedRoles(
    state,
    desired,
    (role) => isProtected(role) || needed.has(role),
    new Problems(),
  );
  if (dropped.size === 0) return state;
  return {
    ...state,
    objects: state.objects.map((object) =>
      dropped.has(object.owner) ? { ...object, owner: heir } : object,
    ),
  };
}
