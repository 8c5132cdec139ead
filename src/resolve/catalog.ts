/**
 * Lookups over the objects introspection found (`CurrentState.objects`), built once so that
 * resolving a config against a catalog of thousands of tables stays linear.
 */
import { objectKey, type ObjectRef } from '../model/objects.js';
import { isGrantableSystemObject, isSystemSchema, type ObjectKind } from '../model/privileges.js';
import type { CatalogObject, CurrentState } from '../model/state.js';
import { key } from '../model/order.js';

/** Catalog kinds a config object type matches: `routine` is a function or a procedure. */
export function catalogKindsFor(kind: ObjectKind): readonly ObjectKind[] {
  return kind === 'routine' ? ['function', 'procedure'] : [kind];
}

/** The identity part of a catalog object, as facts and operations carry it. */
export function toRef(object: ObjectRef): ObjectRef {
  return object.args === undefined
    ? { kind: object.kind, schema: object.schema, name: object.name }
    : { kind: object.kind, schema: object.schema, name: object.name, args: object.args };
}

export class Catalog {
  private readonly byKey = new Map<string, CatalogObject>();
  private readonly byKindSchema = new Map<string, CatalogObject[]>();
  private readonly byKindName = new Map<string, CatalogObject[]>();

  /**
   * The objects of `current`, those of system schemas that grants may name included. Built
   * once per state: resolve and diff both look objects up in the same one (a Catalog never
   * changes once built).
   */
  static of(current: CurrentState): Catalog {
    let catalog = catalogs.get(current);
    if (catalog === undefined) {
      catalog = new Catalog([...current.objects, ...(current.systemObjects ?? [])]);
      catalogs.set(current, catalog);
    }
    return catalog;
  }

  constructor(objects: readonly CatalogObject[]) {
    for (const object of objects) {
      if (
        object.schema !== null &&
        isSystemSchema(object.schema) &&
        !isGrantableSystemObject(object.kind, object.schema)
      )
        continue;
      if (object.kind === 'schema' && isSystemSchema(object.name)) continue;
      this.byKey.set(objectKey(object), object);
      push(this.byKindSchema, key(object.kind, object.schema), object);
      push(this.byKindName, key(object.kind, object.schema, object.name), object);
    }
  }

  /**
   * Lookups by ref, remembered per ref: a plan looks each object up once per fact about it
   * (thousands per schema), and facts share their object's ref (see `ref`). Kept by this
   * catalog, which lives as long as its state.
   */
  private readonly byRef = new Map<ObjectRef, CatalogObject | null>();
  private readonly refs = new Map<CatalogObject, ObjectRef>();

  get(ref: ObjectRef): CatalogObject | undefined {
    let object = this.byRef.get(ref);
    if (object === undefined) {
      object = this.byKey.get(objectKey(ref)) ?? null;
      this.byRef.set(ref, object);
    }
    return object ?? undefined;
  }

  /**
   * The ref facts carry for `object`: one per object, shared by every fact about it, as
   * introspection shares one per object (a permission on a schema of 1,000 tables makes
   * thousands of facts: one ref each was as many objects to allocate and keys to compute).
   */
  ref(object: CatalogObject): ObjectRef {
    let ref = this.refs.get(object);
    if (ref === undefined) {
      ref = toRef(object);
      this.refs.set(object, ref);
      // Its lookup is known: `get` (the owner, per object run in the diff) needs no key.
      this.byRef.set(ref, object);
    }
    return ref;
  }

  /** Owner of an object, undefined when the catalog does not list it. */
  owner(ref: ObjectRef): string | undefined {
    return this.get(ref)?.owner;
  }

  schema(name: string): CatalogObject | undefined {
    return this.byKindName.get(key('schema', null, name))?.[0];
  }

  /** Every schema outside the system ones. */
  schemas(): readonly CatalogObject[] {
    return this.byKindSchema.get(key('schema', null)) ?? [];
  }

  /** Objects of these kinds in one schema (or, for kinds outside schemas, schema null). */
  objectsIn(kinds: readonly ObjectKind[], schema: string | null): CatalogObject[] {
    return kinds.flatMap((kind) => this.byKindSchema.get(key(kind, schema)) ?? []);
  }

  /** Objects of these kinds in every (non-system) schema. */
  objectsInEverySchema(kinds: readonly ObjectKind[]): CatalogObject[] {
    return this.schemas().flatMap((schema) => this.objectsIn(kinds, schema.name));
  }

  /** Objects of these kinds with this name; several for overloaded routines. */
  named(kinds: readonly ObjectKind[], schema: string | null, name: string): CatalogObject[] {
    return kinds.flatMap((kind) => this.byKindName.get(key(kind, schema, name)) ?? []);
  }
}

const catalogs = new WeakMap<CurrentState, Catalog>();

function push<T>(map: Map<string, T[]>, mapKey: string, value: T): void {
  const list = map.get(mapKey);
  if (list) list.push(value);
  else map.set(mapKey, [value]);
}
