/**
 * A saved plan's fingerprints: one short hash per resource aspect the plan depends on, e.g.
 * `role "alice": memberships` or `table "public.orders": privileges`. `apply PLANFILE`
 * recomputes the same keys from the live catalog and refuses the plan when one differs,
 * naming it, as terraform names the resource that changed. Only what the plan depends on is
 * fingerprinted, so a `CREATE SCHEMA` or a comment on a role the config does not manage,
 * between `plan --out` and `apply PLANFILE`, leaves the plan valid.
 *
 * What a plan depends on (`planScope`):
 * - every role the config manages, and every role the plan creates, alters or drops: its
 *   attributes (and existence), comment, settings, memberships (as member and as group), the
 *   privileges and default privileges it holds or, for default privileges, gives;
 * - every other role the plan names (a group in `member_of`, a grantor): its attributes;
 * - every object the config grants on or the plan names: its owner (and existence), its
 *   columns, its whole ACL — PUBLIC's and unmanaged roles' entries included;
 * - for a GRANT/REVOKE ... ON ALL <kind> IN SCHEMA s: which objects of that kind s holds;
 * - every table `tables` lists or a policy step names: its row-level security flags and
 *   policies (`row security`).
 *
 * Computed only when a plan is saved (`plan --out`, `--format json`, the API's `db.plan`) or a
 * plan file is applied: plain `plan`, `apply` and `drift` never hash anything.
 */
import { createHash } from 'node:crypto';
import { Catalog, catalogKindsFor } from '../resolve/catalog.js';
import { describeObjectRef, objectKey, type ObjectRef } from '../model/objects.js';
import { ALL_IN_SCHEMA_KEYWORD, type AllInSchemaKind } from '../model/privileges.js';
import type { CatalogObject, CurrentState, DesiredState } from '../model/state.js';
import {
  assertNever,
  type Fingerprints,
  type GrantTarget,
  type Operation,
} from '../model/operations.js';

/**
 * JSON with object keys sorted at every level, so that equal data always gives equal text.
 * `undefined` properties are left out, as JSON.stringify does; Sets become sorted arrays.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

function canonicalize(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(canonicalize).sort(compareJson);
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    // Keys in code-unit order (sort()'s default for strings), copied by assignment: a catalog
    // of thousands of tables has hundreds of thousands of small objects here, and the
    // entries/filter/fromEntries version spent twice as long on each.
    const record = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      // Assigning `__proto__` would set the prototype; the key is data like any other.
      if (key === '__proto__') {
        Object.defineProperty(sorted, key, {
          value: canonicalize(member),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        sorted[key] = canonicalize(member);
      }
    }
    return sorted;
  }
  return value;
}

function compareJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Resource aspect key → short hash, or ABSENT for a resource the catalog does not hold. */
export type { Fingerprints };

/** The value of a key whose role or object does not exist. */
export const ABSENT = 'absent';

/** A fingerprint value in a plan file: 16 hex digits (64 bits of sha256), or ABSENT. */
export const FINGERPRINT_VALUE = /^(?:[0-9a-f]{16}|absent)$/;

const ROLE_ASPECTS = [
  'attributes',
  'comment',
  'settings',
  'memberships',
  'privileges',
  'default privileges',
] as const;
type RoleAspect = (typeof ROLE_ASPECTS)[number];

/** Aspects whose value is ABSENT exactly when the resource does not exist. */
const EXISTENCE_ASPECTS: ReadonlySet<string> = new Set(['attributes', 'owner']);

function roleResource(role: string): string {
  return `role "${role}"`;
}

function roleKey(role: string, aspect: RoleAspect): string {
  return `${roleResource(role)}: ${aspect}`;
}

function objectResourceKey(
  ref: ObjectRef,
  aspect: 'owner' | 'columns' | 'privileges' | 'row security',
): string {
  return `${describeObjectRef(ref)}: ${aspect}`;
}

/** `schema "s": tables` — which tables the schema holds, for ALL TABLES IN SCHEMA s. */
function schemaListingKey(schema: string, kind: AllInSchemaKind): string {
  const aspect = ALL_IN_SCHEMA_KEYWORD[kind].replace(/^ALL /, '').toLowerCase();
  return `${describeObjectRef({ kind: 'schema', schema: null, name: schema })}: ${aspect}`;
}

/**
 * The keys a plan depends on (see the module comment), from the state it was computed from,
 * the desired state and its operations. The key strings are unambiguous: a resource's name
 * is quoted and every aspect is a fixed word, so `role "a": b` cannot be read two ways.
 */
export function planScope(
  current: CurrentState,
  desired: DesiredState,
  operations: readonly Operation[],
): Set<string> {
  const keys = new Set<string>();
  const managed = (role: string): void => {
    for (const aspect of ROLE_ASPECTS) keys.add(roleKey(role, aspect));
  };
  const named = (role: string | undefined): void => {
    if (role !== undefined) keys.add(roleKey(role, 'attributes'));
  };
  const catalog = Catalog.of(current);
  const object = (ref: ObjectRef): void => {
    keys.add(objectResourceKey(ref, 'owner'));
    keys.add(objectResourceKey(ref, 'privileges'));
    // Column names, where they were read: those of the tables with column privileges.
    if (ref.kind === 'table' && catalog.get(ref)?.columns !== undefined)
      keys.add(objectResourceKey(ref, 'columns'));
  };
  const table = (ref: ObjectRef): void => {
    object(ref);
    keys.add(objectResourceKey(ref, 'row security'));
  };
  const target = (grantTarget: GrantTarget): void => {
    if (grantTarget.scope === 'objects') {
      for (const ref of grantTarget.objects) object(ref);
      return;
    }
    keys.add(schemaListingKey(grantTarget.schema, grantTarget.kind));
    object({ kind: 'schema', schema: null, name: grantTarget.schema });
    const kinds = new Set(catalogKindsFor(grantTarget.kind));
    for (const candidate of objectsIn(grantTarget.schema))
      if (kinds.has(candidate.kind)) object(candidate);
  };
  // Objects by schema, grouped once, on the first ALL ... IN SCHEMA step.
  let bySchema: Map<string, CatalogObject[]> | undefined;
  const objectsIn = (schema: string): readonly CatalogObject[] => {
    if (bySchema === undefined) {
      bySchema = new Map();
      for (const candidate of current.objects) {
        if (candidate.schema === null) continue;
        const list = bySchema.get(candidate.schema) ?? [];
        list.push(candidate);
        bySchema.set(candidate.schema, list);
      }
    }
    return bySchema.get(schema) ?? [];
  };

  for (const role of desired.managedRoles) managed(role);
  for (const role of desired.roles) {
    managed(role.name);
    if (role.renamedFrom !== undefined) managed(role.renamedFrom);
  }
  for (const fact of desired.privileges) object(fact.object);
  for (const fact of desired.defaultPrivileges) named(fact.forRole);
  for (const listed of desired.rowSecurity?.tables ?? []) table(listed.table);
  for (const op of operations) {
    switch (op.type) {
      case 'create_role':
      case 'alter_role':
      case 'set_password':
      case 'comment_role':
      case 'set_role_config':
      case 'drop_owned':
      case 'drop_role':
        managed(op.role);
        break;
      case 'rename_role':
        managed(op.from);
        managed(op.to);
        break;
      case 'set_row_security':
      case 'alter_policy':
      case 'drop_policy':
        table(op.table);
        if (op.type === 'alter_policy') for (const role of op.roles ?? []) named(role);
        break;
      case 'create_policy':
        table(op.policy.table);
        for (const role of op.policy.roles) named(role);
        break;
      case 'grant_public':
      case 'revoke_public':
        object(op.object);
        if (op.type === 'revoke_public') named(op.asGrantor);
        break;
      case 'alter_owner':
        object(op.object);
        named(op.from);
        named(op.owner);
        break;
      case 'reassign_owned':
        managed(op.role);
        named(op.to);
        break;
      case 'grant_membership':
      case 'alter_membership':
      case 'revoke_membership':
        named(op.role);
        named(op.member);
        if ('grantor' in op) named(op.grantor);
        break;
      case 'grant_privileges':
      case 'revoke_privileges':
        target(op.target);
        for (const grantee of op.grantees) named(grantee);
        if (op.type === 'revoke_privileges') named(op.asGrantor);
        break;
      case 'grant_default_privileges':
      case 'revoke_default_privileges':
        named(op.forRole);
        for (const grantee of op.grantees) named(grantee);
        if (op.schema !== null) object({ kind: 'schema', schema: null, name: op.schema });
        break;
      default:
        assertNever(op);
    }
  }
  return keys;
}

/** Collects the facts of each wanted key, then hashes each list in canonical form. */
class Collector {
  private readonly lists = new Map<string, unknown[]>();

  constructor(private readonly wanted: ReadonlySet<string>) {}

  /** Starts the key's list (the resource exists) if the key is wanted. */
  open(key: string): boolean {
    if (!this.wanted.has(key)) return false;
    if (!this.lists.has(key)) this.lists.set(key, []);
    return true;
  }

  add(key: string, item: unknown): void {
    this.lists.get(key)?.push(item);
  }

  has(key: string): boolean {
    return this.lists.has(key);
  }

  /** Every wanted key: the hash of its facts, in an order that does not depend on the query. */
  result(): Record<string, string> {
    // No prototype: a key read from a file, even "__proto__", is data.
    const out = Object.create(null) as Record<string, string>;
    for (const key of [...this.wanted].sort()) {
      const list = this.lists.get(key);
      out[key] = list === undefined ? ABSENT : shortHash(list.map(canonicalJson).sort());
    }
    return out;
  }
}

function shortHash(items: readonly string[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(item).update('\n');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The fingerprint of each key in `keys`, from `current`. A key names its resource, so the
 * keys of a plan file are recomputed from the live catalog without trusting anything else
 * in the file: a key the catalog has no resource for is ABSENT.
 */
export function fingerprintsOf(current: CurrentState, keys: ReadonlySet<string>): Fingerprints {
  const facts = new Collector(keys);

  // Roles: each aspect's list is opened for an existing role, then filled from the facts.
  for (const role of current.roles) {
    const attributes = roleKey(role.name, 'attributes');
    if (facts.open(attributes)) facts.add(attributes, role.attributes);
    const comment = roleKey(role.name, 'comment');
    if (facts.open(comment)) facts.add(comment, role.description);
    const settings = roleKey(role.name, 'settings');
    if (facts.open(settings)) {
      facts.add(settings, role.config);
      // `database_config` of the connected database: the fingerprint is per database.
      if (Object.keys(role.databaseConfig ?? {}).length > 0)
        facts.add(settings, { database: role.databaseConfig });
    }
    facts.open(roleKey(role.name, 'memberships'));
    facts.open(roleKey(role.name, 'privileges'));
    facts.open(roleKey(role.name, 'default privileges'));
  }
  for (const membership of current.memberships) {
    facts.add(roleKey(membership.member, 'memberships'), membership);
    if (membership.role !== membership.member)
      facts.add(roleKey(membership.role, 'memberships'), membership);
  }
  // What a role holds, without what it holds as an owner (the diff ignores those too): a
  // managed role that creates a table elsewhere does not make a plan stale.
  const owners = new Map<string, string>();
  for (const candidate of current.objects) owners.set(objectKey(candidate), candidate.owner);
  const ownerOf = memoizedByRef((ref) => owners.get(objectKey(ref)));
  for (const fact of current.privileges)
    if (ownerOf(fact.object) !== fact.grantee) facts.add(roleKey(fact.grantee, 'privileges'), fact);
  for (const fact of current.defaultPrivileges) {
    facts.add(roleKey(fact.forRole, 'default privileges'), fact);
    if (fact.grantee !== fact.forRole) facts.add(roleKey(fact.grantee, 'default privileges'), fact);
  }

  // Objects: owner and columns from the object, its whole ACL from the privilege facts.
  const listed = new Map<string, string>();
  for (const candidate of current.objects) {
    const owner = objectResourceKey(candidate, 'owner');
    if (facts.open(owner)) facts.add(owner, candidate.owner);
    // Column names are read only where column privileges need them (introspect/objects.ts).
    const columns = objectResourceKey(candidate, 'columns');
    if (candidate.columns !== undefined && facts.open(columns))
      facts.add(columns, candidate.columns);
    const privileges = objectResourceKey(candidate, 'privileges');
    if (facts.open(privileges)) listed.set(objectKey(candidate), privileges);
    if (candidate.kind === 'schema')
      for (const kind of Object.keys(ALL_IN_SCHEMA_KEYWORD) as AllInSchemaKind[])
        facts.open(schemaListingKey(candidate.name, kind));
  }
  if (listed.size > 0) {
    const aclKey = memoizedByRef((ref) => listed.get(objectKey(ref)));
    for (const fact of current.privileges) {
      const key = aclKey(fact.object);
      if (key !== undefined) facts.add(key, fact);
    }
    for (const fact of current.publicPrivileges ?? []) {
      const key = aclKey(fact.object);
      if (key !== undefined) facts.add(key, { ...fact, grantee: null });
    }
  }
  // Row-level security: opened for every existing table, so a table without any reads as
  // "no flags, no policies" rather than as absent.
  for (const candidate of current.objects)
    if (candidate.kind === 'table') facts.open(objectResourceKey(candidate, 'row security'));
  for (const flags of current.rowSecurity?.tables ?? [])
    facts.add(objectResourceKey(flags.table, 'row security'), flags);
  for (const policy of current.rowSecurity?.policies ?? [])
    facts.add(objectResourceKey(policy.table, 'row security'), policy);
  for (const candidate of current.objects) {
    if (candidate.schema === null) continue;
    for (const kind of Object.keys(ALL_IN_SCHEMA_KEYWORD) as AllInSchemaKind[]) {
      if (!catalogKindsFor(kind).includes(candidate.kind)) continue;
      const key = schemaListingKey(candidate.schema, kind);
      if (facts.has(key)) facts.add(key, objectKey(candidate));
    }
  }
  return facts.result();
}

/**
 * `lookup` once per ObjectRef: introspection gives the facts of one object one shared ref, so
 * a catalog of many facts formats each object's key once.
 */
function memoizedByRef<T>(lookup: (ref: ObjectRef) => T): (ref: ObjectRef) => T {
  const seen = new Map<ObjectRef, T>();
  return (ref) => {
    if (seen.has(ref)) return seen.get(ref) as T;
    const value = lookup(ref);
    seen.set(ref, value);
    return value;
  };
}

/**
 * sha256 (hex) of a plan's fingerprints: the one-line identity of the state it depends on;
 * for a cluster plan, of its cluster-wide and per-database fingerprints together.
 */
export function digestOf(
  fingerprints: Fingerprints,
  byDatabase?: Readonly<Record<string, Fingerprints>>,
): string {
  const value = byDatabase === undefined ? fingerprints : { cluster: fingerprints, byDatabase };
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * What changed between a plan's fingerprints and the live ones, one line per resource, in
 * key order: `role "alice": memberships changed`, `table "public.orders": dropped`. A
 * resource created or dropped is said once, not once per aspect.
 */
export function changedResources(saved: Fingerprints, now: Fingerprints): string[] {
  const byResource = new Map<string, string[]>();
  for (const key of Object.keys(saved).sort()) {
    const before = saved[key];
    const after = now[key] ?? ABSENT;
    if (before === after) continue;
    // Every aspect is a word without `"`: the resource ends at the last `": `.
    const split = key.lastIndexOf('": ');
    const resource = split < 0 ? key : key.slice(0, split + 1);
    const aspect = split < 0 ? '' : key.slice(split + 3);
    const change =
      before === ABSENT && EXISTENCE_ASPECTS.has(aspect)
        ? 'created'
        : after === ABSENT && EXISTENCE_ASPECTS.has(aspect)
          ? 'dropped'
          : `${aspect} changed`;
    const changes = byResource.get(resource) ?? [];
    changes.push(change);
    byResource.set(resource, changes);
  }
  return [...byResource].map(([resource, changes]) => {
    const existence = changes.find((change) => change === 'created' || change === 'dropped');
    return `${resource}: ${existence ?? changes.join(', ')}`;
  });
}
