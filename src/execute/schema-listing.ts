/**
 * The objects each `ALL TABLES` / `ALL SEQUENCES IN SCHEMA` step of a plan stands for, in
 * the catalog the plan was made from: runSteps sends them as a list (sql/render.ts listed()
 * says why). Kept apart from the state, which the apply lets go before its convergence check.
 */
import type { ObjectRef } from '../model/objects.js';
import type { Operation } from '../model/operations.js';
import type { CurrentState } from '../model/state.js';
import type { SchemaListing } from '../sql/render.js';

export function schemaListingOf(
  current: CurrentState,
  operations: readonly Operation[],
): SchemaListing {
  const wanted = new Set<string>();
  for (const operation of operations) {
    if (operation.type !== 'grant_privileges' && operation.type !== 'revoke_privileges') continue;
    const target = operation.target;
    // Those render.ts lists (tables and sequences: the kinds pg_class holds).
    if (target.scope === 'all_in_schema' && (target.kind === 'table' || target.kind === 'sequence'))
      wanted.add(listingKey(target.kind, target.schema));
  }
  const listings = new Map<string, ObjectRef[]>();
  if (wanted.size > 0)
    for (const object of current.objects) {
      if (object.schema === null) continue;
      const id = listingKey(object.kind, object.schema);
      if (!wanted.has(id)) continue;
      const ref = { kind: object.kind, schema: object.schema, name: object.name };
      const list = listings.get(id);
      if (list === undefined) listings.set(id, [ref]);
      else list.push(ref);
    }
  return (kind, schema) => listings.get(listingKey(kind, schema));
}

function listingKey(kind: string, schema: string): string {
  return JSON.stringify([kind, schema]);
}
