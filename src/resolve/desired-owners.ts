/**
 * Resolves the roles' `owns` (spec §9) into one desired owner per object, and the catalog as
 * it will be once those owners are in place: the privileges the config wants are resolved
 * against it, so that a role about to own an object is not granted on it (an owner's
 * privileges are PostgreSQL's) and the role that gives it up is.
 */
import { describeObjectRef, objectKey } from '../model/objects.js';
import type { ObjectKind } from '../model/privileges.js';
import type { CatalogObject, CurrentState, DesiredOwner } from '../model/state.js';
import type { OwnedObjectType } from '../config/types.js';
import { toRef } from './catalog.js';
import { resolveTargets, type ResolveContext } from './desired-privileges.js';

/** Catalog kinds each `owns` type covers: a type's owner is a domain's too (ALTER DOMAIN). */
const OWNED_KINDS: Readonly<Record<OwnedObjectType, readonly ObjectKind[]>> = {
  database: ['database'],
  schema: ['schema'],
  table: ['table'],
  sequence: ['sequence'],
  function: ['function'],
  procedure: ['procedure'],
  type: ['type', 'domain'],
};

/** Every object some role's `owns` names, with that role; problems go to ctx.problems. */
export function resolveOwners(ctx: ResolveContext, current: CurrentState): DesiredOwner[] {
  const linked = new Map(
    (current.linkedSequences ?? []).map((link) => [objectKey(link.sequence), link.table]),
  );
  const claimed = new Map<string, DesiredOwner & { readonly by: string }>();
  for (const role of ctx.config.roles) {
    const owner = ctx.names.toDatabase(role.name);
    for (const entry of role.owns ?? []) {
      const positions = [entry.position, role.position];
      const kinds = OWNED_KINDS[entry.objectType];
      // Sequences of serial and identity columns follow their table's owner.
      const objects = resolveTargets(
        ctx,
        { kind: entry.objectType, objects: entry.objects, allInSchemas: entry.allInSchemas, kinds },
        'owns',
        positions,
        (object, name) => {
          const table = linked.get(objectKey(object));
          if (table !== undefined && name !== undefined)
            ctx.problems.add(
              `${describeObjectRef(object)} in owns belongs to ${describeObjectRef(table)} and takes its owner: own the table instead`,
              name.position,
              ...positions,
            );
          return table === undefined;
        },
      );
      for (const object of objects) {
        const id = objectKey(object);
        const earlier = claimed.get(id);
        if (earlier !== undefined && earlier.owner !== owner) {
          ctx.problems.add(
            `${describeObjectRef(object)} is in the owns of both "${earlier.by}" and "${role.name}"`,
            ...positions,
          );
          continue;
        }
        claimed.set(id, { object: toRef(object), owner, by: role.name });
      }
    }
  }
  return [...claimed.values()]
    .map(({ object, owner }) => ({ object, owner }))
    .sort((a, b) => (objectKey(a.object) < objectKey(b.object) ? -1 : 1));
}

/**
 * The catalog's objects with the desired owners in place; a sequence linked to a table takes
 * the table's new owner, as `ALTER TABLE ... OWNER TO` gives it.
 */
export function withOwners(
  current: CurrentState,
  owners: readonly {
    readonly object: CatalogObject | DesiredOwner['object'];
    readonly owner: string;
  }[],
): CatalogObject[] {
  if (owners.length === 0) return [...current.objects];
  const ownerOf = new Map(owners.map((entry) => [objectKey(entry.object), entry.owner]));
  for (const link of current.linkedSequences ?? []) {
    const tableOwner = ownerOf.get(objectKey(link.table));
    if (tableOwner !== undefined) ownerOf.set(objectKey(link.sequence), tableOwner);
  }
  return current.objects.map((object) => {
    const owner = ownerOf.get(objectKey(object));
    return owner === undefined || owner === object.owner ? object : { ...object, owner };
  });
}
