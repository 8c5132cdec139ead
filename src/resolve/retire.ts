/**
 * Roles written `absent: true` (retired): each one that exists is dropped with the very
 * sequence `unmanaged_roles: drop` uses (see unmanaged.ts: REASSIGN OWNED, DROP OWNED, DROP
 * ROLE, refused at plan time when it owns or holds something pgward cannot clean up), whatever
 * `unmanaged_roles` says about the other roles. One the connecting role acts through is
 * refused rather than skipped: the config asks for it by name.
 */
import type { CurrentState, DesiredState } from '../model/state.js';
import { compareStrings } from '../model/order.js';
import type { Problems } from './problems.js';
import { planUnmanagedRoles, type UnmanagedRoles } from './unmanaged.js';

export function planRetiredRoles(
  current: CurrentState,
  desired: DesiredState,
  refusal: (role: string) => string | null,
  problems: Problems,
): UnmanagedRoles {
  const retired = desired.retiredRoles ?? new Set<string>();
  const existing = current.roles.filter((role) => retired.has(role.name));
  for (const { name } of [...existing].sort((a, b) => compareStrings(a.name, b.name))) {
    const reason = refusal(name);
    if (reason !== null)
      problems.add(`role "${name}" is absent: true but ${reason}: pgward does not drop it`);
  }
  return planUnmanagedRoles(
    { ...current, roles: existing.filter((role) => refusal(role.name) === null) },
    { ...desired, unmanagedRoles: 'drop', managedRoles: new Set() },
    () => false,
    problems,
  );
}
