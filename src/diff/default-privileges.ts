/**
 * Default privileges (`ALTER DEFAULT PRIVILEGES FOR ROLE ... [IN SCHEMA ...]`) granted to
 * managed roles, keyed by (forRole, schema, objectType, grantee, privilege). Entries where the
 * grantee is the creating role itself are its owner privileges: PostgreSQL's, left alone.
 */
import type { Operation } from '../model/operations.js';
import type { DefaultPrivilegeObjectType, Privilege } from '../model/privileges.js';
import { isSystemSchema } from '../model/privileges.js';
import type { CurrentState, DefaultPrivilegeFact, DesiredState } from '../model/state.js';
import { compareStrings, key, sortedPrivileges, sortedStrings } from '../model/order.js';
import type { PrivilegeScope } from './privileges.js';

export function diffDefaultPrivileges(
  current: CurrentState,
  desired: DesiredState,
  scope: PrivilegeScope,
): Operation[] {
  const managed = (fact: DefaultPrivilegeFact): boolean =>
    desired.managedRoles.has(fact.grantee) &&
    !scope.isProtected(fact.grantee) &&
    fact.grantee !== fact.forRole &&
    !(fact.schema !== null && isSystemSchema(fact.schema));
  const wanted = indexFacts(desired.defaultPrivileges.filter(managed));
  const have = indexFacts(current.defaultPrivileges.filter(managed));

  const grants: [DefaultPrivilegeFact, boolean][] = [];
  const revokes: [DefaultPrivilegeFact, boolean][] = [];
  for (const [factKey, fact] of wanted) {
    const held = have.get(factKey);
    if (held === undefined) grants.push([fact, fact.grantable]);
    else if (fact.grantable && !held.grantable) grants.push([fact, true]);
  }
  for (const [factKey, fact] of have) {
    if (scope.dropped.has(fact.grantee) || scope.created.has(fact.grantee)) continue;
    const want = wanted.get(factKey);
    if (want === undefined) revokes.push([fact, false]);
    else if (fact.grantable && !want.grantable) revokes.push([fact, true]);
  }
  return [
    ...group(grants).map(({ flag, ...entry }): Operation => ({
      type: 'grant_default_privileges',
      ...entry,
      withGrantOption: flag,
    })),
    ...group(revokes).map(({ flag, ...entry }): Operation => ({
      type: 'revoke_default_privileges',
      ...entry,
      grantOptionOnly: flag,
    })),
  ];
}

interface Grouped {
  readonly forRole: string;
  readonly schema: string | null;
  readonly objectType: DefaultPrivilegeObjectType;
  readonly privileges: readonly Privilege[];
  readonly grantees: readonly string[];
  readonly flag: boolean;
}

/** One statement per (forRole, schema, objectType, privilege set, flag), grantees merged. */
function group(changes: readonly [DefaultPrivilegeFact, boolean][]): Grouped[] {
  const perGrantee = new Map<
    string,
    { fact: DefaultPrivilegeFact; flag: boolean; privileges: Privilege[] }
  >();
  for (const [fact, flag] of changes) {
    const entryKey = key(fact.forRole, fact.schema, fact.objectType, fact.grantee, flag);
    const entry = perGrantee.get(entryKey) ?? { fact, flag, privileges: [] };
    entry.privileges.push(fact.privilege);
    perGrantee.set(entryKey, entry);
  }
  const merged = new Map<string, Omit<Grouped, 'grantees'> & { grantees: string[] }>();
  for (const { fact, flag, privileges: unsorted } of perGrantee.values()) {
    const privileges = sortedPrivileges(unsorted);
    const groupKey = key(fact.forRole, fact.schema, fact.objectType, privileges.join(','), flag);
    const entry = merged.get(groupKey) ?? {
      forRole: fact.forRole,
      schema: fact.schema,
      objectType: fact.objectType,
      privileges,
      flag,
      grantees: [],
    };
    entry.grantees.push(fact.grantee);
    merged.set(groupKey, entry);
  }
  const sortKey = (entry: Grouped): string =>
    key(
      entry.forRole,
      entry.schema,
      entry.objectType,
      entry.flag,
      entry.privileges.join(','),
      entry.grantees.join(','),
    );
  return [...merged.values()]
    .map((entry) => ({ ...entry, grantees: sortedStrings(entry.grantees) }))
    .sort((a, b) => compareStrings(sortKey(a), sortKey(b)));
}

function indexFacts(facts: readonly DefaultPrivilegeFact[]): Map<string, DefaultPrivilegeFact> {
  const index = new Map<string, DefaultPrivilegeFact>();
  for (const fact of facts) {
    const factKey = key(fact.forRole, fact.schema, fact.objectType, fact.grantee, fact.privilege);
    const seen = index.get(factKey);
    if (seen === undefined || (!seen.grantable && fact.grantable)) index.set(factKey, fact);
  }
  return index;
}
