/**
 * What dropping a role takes with it besides its own privileges. DROP OWNED revokes the
 * privileges a role holds, and with a grant option goes everything it granted through it
 * (REVOKE ... CASCADE): another role's SELECT that the dropped role granted is gone after the
 * apply, even if the config keeps it. The diff counts the grant options of dropped roles as
 * taken (see grant-chains.ts), so a kept privilege that only they back, directly or down a
 * chain, is granted again in the owner's name before the drop. A privilege fact lists its
 * grantors when one is not the owner, so only the privileges those roles passed on are
 * granted again, and the config's other changes on the same object (a grant option taken
 * from another role, say) are planned as usual.
 */
import type { CurrentState } from '../model/state.js';
import { slotOf } from './grant-chains.js';

/** Per slot (privilege on an object or column), the dropped roles that hold its grant option. */
export function grantOptionsTakenByDrops(
  current: CurrentState,
  dropped: ReadonlySet<string>,
): Map<string, Set<string>> {
  const taken = new Map<string, Set<string>>();
  if (dropped.size === 0) return taken;
  for (const fact of current.privileges) {
    if (!fact.grantable || !dropped.has(fact.grantee)) continue;
    const roles = taken.get(slotOf(fact)) ?? new Set<string>();
    roles.add(fact.grantee);
    taken.set(slotOf(fact), roles);
  }
  return taken;
}
