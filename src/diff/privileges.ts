/**
 * Privileges on objects: what the managed roles should hold (desired facts) against what they
 * hold (current facts), compared as sets keyed by (object, column, grantee, privilege).
 * Privileges passed on by a grant option are revoked as their grantor (see grant-chains.ts).
 */
import type { Operation } from '../model/operations.js';
import { describeObjectRef, objectKey, objectKeysOnce, type ObjectRef } from '../model/objects.js';
import { isGrantableSystemObject, isSystemSchema } from '../model/privileges.js';
import type { CurrentState, DesiredState, PrivilegeFact } from '../model/state.js';
import type { Catalog } from '../resolve/catalog.js';
import { groupPrivilegeChanges, type PrivilegeChange } from './grouping.js';
import { grantOptionsTakenByDrops } from './drop-cascade.js';
import { factKey, GrantChains, slotOf } from './grant-chains.js';
import { FactIds } from '../model/fact-ids.js';
import { compareStrings, key, sortedStrings } from '../model/order.js';

export interface PrivilegeScope {
  readonly isProtected: (role: string) => boolean;
  /** Roles this plan drops: DROP OWNED takes their privileges, no REVOKE needed. */
  readonly dropped: ReadonlySet<string>;
  /** Roles this plan creates: they hold nothing yet. */
  readonly created: ReadonlySet<string>;
}

export interface PrivilegeDiff {
  readonly operations: Operation[];
  /** Privileges of roles outside the config that a CASCADE takes with it. */
  readonly warnings: string[];
}

export function diffPrivileges(
  current: CurrentState,
  desired: DesiredState,
  catalog: Catalog,
  scope: PrivilegeScope,
): PrivilegeDiff {
  // Facts about other databases of the cluster are managed only where the config names them.
  const databases = new Set([
    current.server.currentDatabase,
    ...desired.privileges
      .filter((fact) => fact.object.kind === 'database')
      .map((fact) => fact.object.name),
  ]);
  const managedObject = (object: ObjectRef): boolean =>
    // In system schemas, only the objects grants may name (their initial privileges are not
    // in the facts: introspection leaves them out).
    !(
      object.schema !== null &&
      isSystemSchema(object.schema) &&
      !isGrantableSystemObject(object.kind, object.schema)
    ) &&
    !(object.kind === 'schema' && isSystemSchema(object.name)) &&
    (object.kind !== 'database' || databases.has(object.name));
  const managed = (fact: PrivilegeFact, owner: string | undefined): boolean =>
    desired.managedRoles.has(fact.grantee) &&
    !scope.isProtected(fact.grantee) &&
    // An owner's privileges on its own objects are PostgreSQL's, never revoked or granted.
    owner !== fact.grantee;

  // One numbering of the facts for both sides: ids are compared across them.
  const factIds = new FactIds();
  const wanted = new FactIndex(desired.privileges, catalog, factIds, managedObject, managed);
  const have = new FactIndex(current.privileges, catalog, factIds, managedObject, managed);
  const chains = new GrantChains(current.privileges);

  // What the plan takes: whole privileges, or only their grant option.
  const taken: { fact: PrivilegeFact; optionOnly: boolean }[] = [];
  for (const [objectId, held] of have.byObject) {
    const wantedHere = wanted.byObject.get(objectId);
    for (const [id, fact] of held) {
      if (scope.dropped.has(fact.grantee) || scope.created.has(fact.grantee)) continue;
      const want = wantedHere?.get(id);
      if (want === undefined) taken.push({ fact, optionOnly: false });
      else if (fact.grantable && !want.grantable) taken.push({ fact, optionOnly: true });
    }
  }
  // Grant options the plan takes: those the config does not want, and those of dropped roles
  // (DROP OWNED takes them, with CASCADE).
  const optionsTaken = grantOptionsTakenByDrops(current, scope.dropped);
  for (const { fact } of taken) {
    if (!fact.grantable) continue;
    const roles = optionsTaken.get(slotOf(fact)) ?? new Set<string>();
    roles.add(fact.grantee);
    optionsTaken.set(slotOf(fact), roles);
  }
  const losing = chains.losingGrantOption(
    optionsTaken,
    (fact) => wanted.get(fact)?.grantable === true,
  );
  // A kept privilege that only a grant option being taken backs would go with the CASCADE:
  // granted again in the owner's name first (grants run before revokes), it stays.
  const backedByLostOption = (held: PrivilegeFact, want: PrivilegeFact): boolean => {
    // Usually no grant option is lost: no key to build per kept fact.
    if (losing.size === 0 || held.grantors === undefined) return false;
    const lost = losing.get(slotOf(held));
    if (lost === undefined) return false;
    if (!held.grantors.some((grantor) => lost.has(grantor))) return false;
    const owner = catalog.owner(held.object);
    return want.grantable || owner === undefined || !held.grantors.includes(owner);
  };

  const grants: PrivilegeChange[] = [];
  const grantsWithOption: PrivilegeChange[] = [];
  for (const [objectId, wantedHere] of wanted.byObject) {
    const heldHere = have.byObject.get(objectId);
    for (const [id, fact] of wantedHere) {
      const held = heldHere?.get(id);
      if (held === undefined) (fact.grantable ? grantsWithOption : grants).push(change(fact));
      else if (fact.grantable && !held.grantable) grantsWithOption.push(change(fact));
      else if (backedByLostOption(held, fact))
        (fact.grantable ? grantsWithOption : grants).push(change(fact));
    }
  }

  const revokedWhole = new Set(taken.filter((t) => !t.optionOnly).map((t) => factKey(t.fact)));
  const warnings: string[] = [];
  // Dependents the plan does not revoke itself (as this grantee, before) would make
  // PostgreSQL refuse to take the grant option: CASCADE takes them. Decided per grantee and
  // object (or column), so that one REVOKE still covers all its privileges there; CASCADE on
  // a privilege nobody depends on changes nothing.
  const cascading = new Set<string>();
  for (const { fact } of taken) {
    if (!fact.grantable) continue;
    const remaining = chains
      .dependentsOf(fact)
      .filter((dependent) => !revokedWhole.has(factKey(dependent)));
    if (remaining.length === 0) continue;
    cascading.add(granteeOn(fact));
    const outside = sortedStrings(
      remaining
        .map((dependent) => dependent.grantee)
        .filter((grantee) => !desired.managedRoles.has(grantee) && !scope.dropped.has(grantee)),
    );
    if (outside.length > 0)
      warnings.push(
        `taking the grant option for ${fact.privilege} on ${describeObject(fact)} from "${fact.grantee}" cascades to roles outside the config it passed ${fact.privilege} on to: ${outside.map((grantee) => `"${grantee}"`).join(', ')}`,
      );
  }

  const revokes: RevokeChange[] = [];
  const revokesOfOption: RevokeChange[] = [];
  for (const { fact, optionOnly } of taken) {
    const cascade = cascading.has(granteeOn(fact));
    const owner = catalog.owner(fact.object);
    // Each grantor revokes its own entry (undefined: in the owner's name). A grantor this
    // plan drops needs not: DROP OWNED takes its grant option, and with it what it passed on.
    const grantors: (string | undefined)[] = (fact.grantors ?? [undefined])
      .map((grantor) => (grantor === owner ? undefined : grantor))
      .filter((grantor) => grantor === undefined || !scope.dropped.has(grantor));
    for (const grantor of grantors) {
      const revoke: RevokeChange = {
        ...change(fact),
        ...(grantor !== undefined && { asGrantor: grantor }),
        ...(cascade && { cascade }),
      };
      (optionOnly ? revokesOfOption : revokes).push(revoke);
    }
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
    for (const [{ asGrantor, cascade }, part] of byPerformer(changes))
      for (const group of groupPrivilegeChanges(part, catalog))
        operations.push({
          type: 'revoke_privileges',
          ...group,
          grantOptionOnly,
          ...(cascade && { cascade }),
          ...(asGrantor !== undefined && { asGrantor }),
        });
  return { operations, warnings };
}

function granteeOn(fact: PrivilegeFact): string {
  return key(objectKey(fact.object), fact.column, fact.grantee);
}

/** A revoke of one fact, by one grantor, with or without CASCADE. */
interface RevokeChange extends PrivilegeChange {
  readonly asGrantor?: string;
  readonly cascade?: boolean;
}

/**
 * Revoke changes split by who revokes and whether with CASCADE: one statement cannot mix
 * them. The owner's first, then grantors by name.
 */
function byPerformer(
  changes: readonly RevokeChange[],
): [{ asGrantor: string | undefined; cascade: boolean }, PrivilegeChange[]][] {
  const parts = new Map<
    string,
    [{ asGrantor: string | undefined; cascade: boolean }, PrivilegeChange[]]
  >();
  for (const { asGrantor, cascade, ...rest } of changes) {
    const partKey = key(asGrantor === undefined ? '' : `+${asGrantor}`, cascade === true);
    const part = parts.get(partKey) ?? [{ asGrantor, cascade: cascade === true }, []];
    part[1].push(rest);
    parts.set(partKey, part);
  }
  return [...parts].sort(([a], [b]) => compareStrings(a, b)).map(([, part]) => part);
}

function describeObject(fact: PrivilegeFact): string {
  const name = describeObjectRef(fact.object);
  return fact.column === undefined ? name : `column "${fact.column}" of ${name}`;
}

/**
 * The managed facts of one side, by object (its key computed once per ref), then by column,
 * grantee and privilege: the keys per fact are short, and what depends only on the object
 * (whether it is managed, its owner) is looked up once per object, not per fact (facts come
 * grouped by object, sharing its ref). A privilege granted by several grantors counts once,
 * grantable if any is, with the grantors of all (introspection merges them already; literals
 * in tests may not).
 */
class FactIndex {
  /** Object key → the fact's id on its object (FactIds) → fact. */
  readonly byObject = new Map<string, Map<number | string, PrivilegeFact>>();
  private readonly objectKeyOf = objectKeysOnce();

  constructor(
    facts: readonly PrivilegeFact[],
    catalog: Catalog,
    private readonly factIds: FactIds,
    managedObject: (object: ObjectRef) => boolean,
    managed: (fact: PrivilegeFact, owner: string | undefined) => boolean,
  ) {
    let last: ObjectRef | undefined;
    let lastManaged = false;
    let owner: string | undefined;
    let held: Map<number | string, PrivilegeFact> | undefined;
    for (const fact of facts) {
      if (fact.object !== last) {
        last = fact.object;
        lastManaged = managedObject(last);
        owner = lastManaged ? catalog.owner(last) : undefined;
        held = undefined;
      }
      if (!lastManaged || !managed(fact, owner)) continue;
      if (held === undefined) {
        const id = this.objectKeyOf(fact.object);
        held = this.byObject.get(id) ?? new Map<number | string, PrivilegeFact>();
        this.byObject.set(id, held);
      }
      this.add(held, fact, owner);
    }
  }

  private add(
    held: Map<number | string, PrivilegeFact>,
    fact: PrivilegeFact,
    owner: string | undefined,
  ): void {
    const id = this.idOf(fact);
    const seen = held.get(id);
    if (seen === undefined) {
      held.set(id, fact);
      return;
    }
    const grantable = seen.grantable || fact.grantable;
    const byOwner = owner === undefined ? [] : [owner];
    const grantors =
      seen.grantors === undefined && fact.grantors === undefined
        ? undefined
        : sortedStrings([...(seen.grantors ?? byOwner), ...(fact.grantors ?? byOwner)]);
    held.set(id, { ...seen, grantable, ...(grantors !== undefined && { grantors }) });
  }

  /** The fact with `fact`'s object, column, grantee and privilege, if managed here. */
  get(fact: PrivilegeFact): PrivilegeFact | undefined {
    return this.byObject.get(this.objectKeyOf(fact.object))?.get(this.idOf(fact));
  }

  private idOf(fact: PrivilegeFact): number | string {
    return this.factIds.of(fact.column, fact.grantee, fact.privilege);
  }
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
