/**
 * Privileges passed on with a grant option. An ACL entry records its grantor, and PostgreSQL
 * lets only that grantor revoke it: a superuser's REVOKE acts as the object's owner, so it
 * cannot touch what a lead passed on with `WITH GRANT OPTION`, and `GRANTED BY` must name the
 * current user (https://www.postgresql.org/docs/current/sql-revoke.html, checked on 14 and 18:
 * "grantor must be current user"). Taking a grant option away from a role that passed the
 * privilege on fails with 2BP01 "dependent privileges exist" unless the REVOKE says CASCADE,
 * and CASCADE takes what the role passed on (and what was passed on from that, as far as no
 * other grantor backs it).
 *
 * So the diff revokes a privilege as each of its grantors, says CASCADE when a lost grant
 * option still has dependents, and grants in the owner's name, before the revokes, the
 * privileges the config keeps that only a grant option being taken backs.
 */
import { objectKey } from '../model/objects.js';
import type { CurrentMembership, CurrentState, PrivilegeFact } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import { summarizeOperation } from '../model/summary.js';
import { quoteIdent } from '../sql/quote.js';
import { rolesMemberOf } from '../resolve/member-of.js';
import { compareStrings, key } from '../model/order.js';
import type { Problems } from '../resolve/problems.js';

/** What a grant option is about: one privilege on one object (or column), any grantee. */
export function slotOf(fact: PrivilegeFact): string {
  return key(objectKey(fact.object), fact.column, fact.privilege);
}

/** A fact's identity: its slot and its grantee. */
export function factKey(fact: PrivilegeFact): string {
  return key(objectKey(fact.object), fact.column, fact.grantee, fact.privilege);
}

/** The current facts of every slot, with who passed what on to whom. */
export class GrantChains {
  private readonly bySlot = new Map<string, PrivilegeFact[]>();

  constructor(facts: readonly PrivilegeFact[]) {
    for (const fact of facts) {
      // Only slots where a non-owner granted something have chains to follow.
      if (fact.grantors === undefined) continue;
      const slot = slotOf(fact);
      const list = this.bySlot.get(slot);
      if (list) list.push(fact);
      else this.bySlot.set(slot, [fact]);
    }
  }

  /** Facts of the same slot that `grantee` granted (its dependents in PostgreSQL's words). */
  dependentsOf(fact: PrivilegeFact): PrivilegeFact[] {
    return (this.bySlot.get(slotOf(fact)) ?? []).filter(
      (other) => other.grantors?.includes(fact.grantee) === true,
    );
  }

  /**
   * Per slot, the roles that may end up without a grant option: those the plan takes it from,
   * then, through CASCADE, those whose grant option came from one of them, unless the plan
   * keeps theirs (`keepsOption`: granted again in the owner's name). Conservative: a role
   * backed by another grantor too is counted, which at worst grants a kept privilege again
   * in the owner's name, a harmless extra ACL entry.
   */
  losingGrantOption(
    taken: ReadonlyMap<string, ReadonlySet<string>>,
    keepsOption: (fact: PrivilegeFact) => boolean,
  ): Map<string, Set<string>> {
    const losing = new Map<string, Set<string>>();
    for (const [slot, roles] of taken) {
      const lost = new Set(roles);
      const facts = this.bySlot.get(slot) ?? [];
      for (let grew = true; grew;) {
        grew = false;
        for (const fact of facts) {
          if (!fact.grantable || lost.has(fact.grantee) || keepsOption(fact)) continue;
          if (fact.grantors?.some((grantor) => lost.has(grantor)) === true) {
            lost.add(fact.grantee);
            grew = true;
          }
        }
      }
      losing.set(slot, lost);
    }
    return losing;
  }
}

/**
 * Roles the connecting role may `SET ROLE` to, itself included. Before PostgreSQL 16 every
 * membership allows it; from 16 only memberships with the SET option, followed through
 * chains of them (roles_is_member_of with ROLERECURSE_SETROLE).
 */
function settableRoles(current: CurrentState): Set<string> {
  const user = current.server.currentUser;
  const since16 = current.server.versionNum >= 160000;
  const allowsSet = (row: CurrentMembership): boolean => !since16 || row.set === true;
  return rolesMemberOf(current.memberships, user, allowsSet).add(user);
}

/**
 * Adds a problem for each grantor the plan must revoke as but the connecting role cannot
 * become (it is not a superuser and has no membership that allows SET ROLE to it): the plan
 * says so rather than the apply failing at that statement.
 */
export function checkGrantorRevokes(
  current: CurrentState,
  operations: readonly Operation[],
  problems: Problems,
): void {
  if (current.server.currentUserIsSuperuser) return;
  const revokesAs = new Map<string, string[]>();
  for (const operation of operations) {
    if (operation.type !== 'revoke_privileges' || operation.asGrantor === undefined) continue;
    const list = revokesAs.get(operation.asGrantor) ?? [];
    list.push(summarizeOperation(operation));
    revokesAs.set(operation.asGrantor, list);
  }
  if (revokesAs.size === 0) return;
  const settable = settableRoles(current);
  const user = current.server.currentUser;
  for (const [grantor, summaries] of [...revokesAs].sort(([a], [b]) => compareStrings(a, b))) {
    if (settable.has(grantor)) continue;
    problems.add(
      `role "${grantor}" passed on privileges the config revokes (${summaries.join('; ')}), and only "${grantor}" can revoke them: the connecting role "${user}" is not a superuser and cannot SET ROLE "${grantor}" (a superuser can allow it: GRANT ${quoteIdent(grantor)} TO ${quoteIdent(user)})`,
    );
  }
}
