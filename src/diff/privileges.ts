/**
 * Privileges on objects: what the managed roles should hold (desired facts) against what they
 * hold (current facts), compared as sets keyed by (object, column, grantee, privilege).
 */
import type { Operation } from '../plan/operations.js';
import { objectKey } from '../model/objects.js';
import { isSystemSchema } from '../model/privileges.js';
import type { CurrentState, DesiredState, PrivilegeFact } from '../model/state.js';
import type { Catalog } from './catalog.js';
import { groupPrivilegeChanges, type PrivilegeChange } from './grouping.js';
import { key } from './order.js';

export interface PrivilegeScope {
  readonly isProtected: (role: string) => boolean;
  /** Roles this plan drops: DROP OWNED takes their privileges, no REVOKE needed. */
  readonly dropped: ReadonlySet<string>;
  /** Roles this plan creates: they hold nothing yet. */
  readonly created: ReadonlySet<string>;
}

export function diffPrivileges(
  current: CurrentState,
  desired: DesiredState,
  catalog: Catalog,
  scope: PrivilegeScope,
): Operation[] {
  // Facts about other databases of the cluster are managed only where the config names them.
  const databases = new Set([
    current.server.currentDatabase,
    ...desired.privileges
      .filter((fact) => fact.object.kind === 'database')
      .map((fact) => fact.object.name),
  ]);
  const managed = (fact: PrivilegeFact): boolean =>
    desired.managedRoles.has(fact.grantee) &&
    !scope.isProtected(fact.grantee) &&
    // An owner's privileges on its own objects are PostgreSQL's, never revoked or granted.
    catalog.owner(fact.object) !== fact.grantee &&
    !(fact.object.schema !== null && isSystemSchema(fact.object.schema)) &&
    !(fact.object.kind === 'schema' && isSystemSchema(fact.object.name)) &&
    (fact.object.kind !== 'database' || databases.has(fact.object.name));

  const wanted = indexFacts(desired.privileges.filter(managed));
  const have = indexFacts(current.privileges.filter(managed));

  const grants: PrivilegeChange[] = [];
  const grantsWithOption: PrivilegeChange[] = [];
  const revokes: PrivilegeChange[] = [];
  const revokesOfOption: PrivilegeChange[] = [];
  for (const [factKey, fact] of wanted) {
    const held = have.get(factKey);
    if (held === undefined) (fact.grantable ? grantsWithOption : grants).push(change(fact));
    else if (fact.grantable && !held.grantable) grantsWithOption.push(change(fact));
  }
  for (const [factKey, fact] of have) {
    if (scope.dropped.has(fact.grantee) || scope.created.has(fact.grantee)) continue;
    const want = wanted.get(factKey);
    if (want === undefined) revokes.push(change(fact));
    else if (fact.grantable && !want.grantable) revokesOfOption.push(change(fact));
  }

  const operations: Operation[] = [];
  for (const [changes, withGrantOption] of [
    [grants, false],
    [grantsWithOption, true],
  ] as const)
    for (const group of groupPrivilegeChanges(changes, catalog))
      operations.push({ type: 'grant_privileges', ...group, withGrantOption });
  for (const [changes, grantOptionOnly] of [
    [revokes, false],
    [revokesOfOption, true],
  ] as const)
    for (const group of groupPrivilegeChanges(changes, catalog))
      operations.push({ type: 'revoke_privileges', ...group, grantOptionOnly });
  return operations;
}

/** Facts by key; a privilege granted by several grantors counts once, grantable if any is. */
function indexFacts(facts: readonly PrivilegeFact[]): Map<string, PrivilegeFact> {
  const index = new Map<string, PrivilegeFact>();
  for (const fact of facts) {
    const factKey = key(objectKey(fact.object), fact.column, fact.grantee, fact.privilege);
    const seen = index.get(factKey);
    if (seen === undefined || (!seen.grantable && fact.grantable)) index.set(factKey, fact);
  }
  return index;
}

function change(fact: PrivilegeFact): PrivilegeChange {
  return fact.column === undefined
    ? { object: fact.object, grantee: fact.grantee, privilege: fact.privilege }
    : {
        object: fact.object,
        column: fact.column,
        grantee: fact.grantee,
        privilege: fact.privilege,
      };
}
