/**
 * `owns` and `public` of the export (spec §9): the objects each exported role owns, and
 * PUBLIC's privileges on the kinds where they differ from what a fresh database has.
 */
import { formatObjectName, objectKey } from '../model/objects.js';
import type { ObjectKind, Privilege } from '../model/privileges.js';
import type { CurrentState } from '../model/state.js';
import { PUBLIC_KIND_OF } from '../config/public.js';
import { sortedPrivileges } from '../model/order.js';

export interface ExportedOwn {
  object_type: string;
  objects?: string[];
  all_in_schemas?: string[];
}

/** `owns` entry types per catalog kind (domains are owned as types). */
const OWNS_TYPE: Readonly<Partial<Record<ObjectKind, string>>> = {
  database: 'database',
  schema: 'schema',
  table: 'table',
  sequence: 'sequence',
  function: 'function',
  procedure: 'procedure',
  type: 'type',
  domain: 'type',
};
const OWNS_ORDER = ['database', 'schema', 'table', 'sequence', 'function', 'procedure', 'type'];

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Role → its `owns`, for the roles in `names`; the connected database only. A schema whose
 * every object of a type the role owns is written `all_in_schemas`, the rest by name.
 */
export function exportOwns(
  current: CurrentState,
  names: ReadonlySet<string>,
): Map<string, ExportedOwn[]> {
  const linked = new Set((current.linkedSequences ?? []).map((link) => objectKey(link.sequence)));
  // [type, schema] -> owners of its objects: a schema is "all" of one role's when it is the only one.
  const ownersIn = new Map<string, Set<string>>();
  const owned = new Map<string, Map<string, { schema: string | null; name: string }[]>>();
  for (const object of current.objects) {
    const type = OWNS_TYPE[object.kind];
    if (type === undefined || linked.has(objectKey(object))) continue;
    if (object.kind === 'database' && object.name !== current.server.currentDatabase) continue;
    if (object.schema !== null) {
      const id = JSON.stringify([type, object.schema]);
      const owners = ownersIn.get(id) ?? new Set<string>();
      owners.add(object.owner);
      ownersIn.set(id, owners);
    }
    if (!names.has(object.owner)) continue;
    const byType =
      owned.get(object.owner) ?? new Map<string, { schema: string | null; name: string }[]>();
    const list = byType.get(type) ?? [];
    list.push({ schema: object.schema, name: formatObjectName(object) });
    byType.set(type, list);
    owned.set(object.owner, byType);
  }
  const result = new Map<string, ExportedOwn[]>();
  for (const [role, byType] of owned)
    result.set(
      role,
      OWNS_ORDER.flatMap((type) => {
        const objects = byType.get(type) ?? [];
        const whole = (schema: string | null): boolean =>
          schema !== null && ownersIn.get(JSON.stringify([type, schema]))?.size === 1;
        const schemas = [
          ...new Set(objects.filter((o) => whole(o.schema)).map((o) => o.schema as string)),
        ];
        const named = objects.filter((o) => !whole(o.schema)).map((o) => o.name);
        const entries: ExportedOwn[] = [];
        if (schemas.length > 0)
          entries.push({ object_type: type, all_in_schemas: schemas.sort(byText) });
        if (named.length > 0) entries.push({ object_type: type, objects: named.sort(byText) });
        return entries;
      }),
    );
  return result;
}

export interface ExportedPublicGrant {
  privileges: Privilege[];
  object_type: string;
  objects: string[];
  columns?: string[];
}

export interface ExportedPublic {
  manage: string[];
  grants?: ExportedPublicGrant[];
}

/** PUBLIC's built-in privileges per kind (acldefault), which a fresh database has. */
const BUILT_IN: Readonly<Partial<Record<ObjectKind, readonly Privilege[]>>> = {
  database: ['CONNECT', 'TEMPORARY'],
  function: ['EXECUTE'],
  procedure: ['EXECUTE'],
  language: ['USAGE'],
  type: ['USAGE'],
  domain: ['USAGE'],
};
const MANAGED_KIND = PUBLIC_KIND_OF;
const MANAGED_ORDER = ['database', 'schema', 'table', 'sequence', 'function', 'language', 'type'];

/**
 * `public` for the kinds where PUBLIC holds other than a fresh database gives it (schema
 * `public`'s initdb ACL — USAGE, and CREATE before 15 — counts as fresh); undefined if none.
 */
export function exportPublic(current: CurrentState): ExportedPublic | undefined {
  // A state built by hand, without PUBLIC's entries, says nothing about them.
  if (current.publicPrivileges === undefined) return undefined;
  const inScope = (kind: ObjectKind, name: string): boolean =>
    MANAGED_KIND[kind] !== undefined &&
    (kind !== 'database' || name === current.server.currentDatabase);
  const held = new Map<
    string,
    { kind: ObjectKind; name: string; column?: string; privileges: Privilege[] }
  >();
  for (const fact of current.publicPrivileges ?? []) {
    if (!inScope(fact.object.kind, fact.object.name)) continue;
    const id = `${objectKey(fact.object)}\0${fact.column ?? ''}`;
    const entry = held.get(id) ?? {
      kind: fact.object.kind,
      name: formatObjectName(fact.object),
      ...(fact.column !== undefined && { column: fact.column }),
      privileges: [],
    };
    if (!entry.privileges.includes(fact.privilege)) entry.privileges.push(fact.privilege);
    held.set(id, entry);
  }
  const fresh = (kind: ObjectKind, name: string): readonly Privilege[] => {
    if (kind === 'schema' && name === 'public')
      return current.server.versionNum >= 150000 ? ['USAGE'] : ['USAGE', 'CREATE'];
    return BUILT_IN[kind] ?? [];
  };
  const differing = new Set<string>();
  const heldPlain = new Map<string, Privilege[]>();
  for (const [id, entry] of held) {
    if (entry.column !== undefined) differing.add(MANAGED_KIND[entry.kind] as string);
    else heldPlain.set(id.split('\0')[0] as string, entry.privileges);
  }
  for (const object of current.objects) {
    if (!inScope(object.kind, object.name)) continue;
    if (object.schema !== null && ['pg_catalog', 'information_schema'].includes(object.schema))
      continue;
    const now = sortedPrivileges(heldPlain.get(objectKey(object)) ?? []).join(',');
    if (now !== sortedPrivileges(fresh(object.kind, object.name)).join(','))
      differing.add(MANAGED_KIND[object.kind] as string);
  }
  if (differing.size === 0) return undefined;
  const groups = new Map<string, ExportedPublicGrant>();
  for (const entry of held.values()) {
    const kind = MANAGED_KIND[entry.kind] as string;
    if (!differing.has(kind)) continue;
    const privileges = sortedPrivileges(entry.privileges);
    const id = JSON.stringify([entry.kind, privileges, entry.column ?? null]);
    const group = groups.get(id) ?? {
      privileges,
      object_type: entry.kind,
      objects: [],
      ...(entry.column !== undefined && { columns: [entry.column] }),
    };
    group.objects.push(entry.name);
    groups.set(id, group);
  }
  const grants = [...groups.values()]
    .map((group) => ({ ...group, objects: group.objects.sort(byText) }))
    .sort((a, b) =>
      byText(
        JSON.stringify([a.object_type, a.objects]),
        JSON.stringify([b.object_type, b.objects]),
      ),
    );
  return {
    manage: MANAGED_ORDER.filter((kind) => differing.has(kind)),
    ...(grants.length > 0 && { grants }),
  };
}
