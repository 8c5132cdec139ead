/**
 * What dropping a role takes with it besides its own privileges. DROP OWNED revokes the
 * privileges a role holds, and with a grant option goes everything it granted through it
 * (REVOKE ... CASCADE): another role's SELECT that the dropped role granted is gone after the
 * apply, even if the config keeps it. The ACL entry names its grantor, but a privilege fact
 * does not, so every kept privilege of the same kind on the same object (and column) as a
 * grant option of a dropped role is treated as at risk: planned as missing, so the plan
 * grants it again in its own name before the drop. Granting a privilege that is already held
 * from another grantor only adds that grantor's entry, which is harmless.
 */
import { objectKey } from '../model/objects.js';
import type { CurrentState, DesiredState, PrivilegeFact } from '../model/state.js';

function slot(fact: PrivilegeFact): string {
  return JSON.stringify([objectKey(fact.object), fact.column ?? null, fact.privilege]);
}

/**
 * `current` without the wanted privileges that a dropped role may have granted (see above);
 * the diff then grants them again.
 */
export function withoutPrivilegesGrantedByDropped(
  current: CurrentState,
  desired: DesiredState,
  dropped: ReadonlySet<string>,
): CurrentState {
  if (dropped.size === 0) return current;
  const risky = new Set(
    current.privileges.filter((fact) => fact.grantable && dropped.has(fact.grantee)).map(slot),
  );
  if (risky.size === 0) return current;
  const wanted = new Set(desired.privileges.map((fact) => `${slot(fact)}\u0000${fact.grantee}`));
  const privileges = current.privileges.filter(
    (fact) =>
      dropped.has(fact.grantee) ||
      !risky.has(slot(fact)) ||
      !wanted.has(`${slot(fact)}\u0000${fact.grantee}`),
  );
  return { ...current, privileges };
}
