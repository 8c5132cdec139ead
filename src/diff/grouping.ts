/**
 * Groups privilege changes into few, readable GRANT/REVOKE statements, so that a plan on a
 * catalog of thousands of tables reads as a handful of lines:
 *
 * - per grantee, objects of one kind that need the same privileges form one statement;
 * - when those objects are every table (any relkind), sequence, function (not procedures:
 *   ALL FUNCTIONS excludes them) or procedure of a schema, the statement says
 *   `ON ALL ... IN SCHEMA` instead of listing them; a schema with a single object of the kind
 *   keeps its name, which reads better than ALL;
 * - grantees that need exactly the same statement share it;
 * - column privileges make one statement per table and column set.
 */
import type { GrantTarget } from '../model/operations.js';
import { objectKey, type ObjectRef } from '../model/objects.js';
import type { AllInSchemaKind, ObjectKind, Privilege } from '../model/privileges.js';
import type { Catalog } from '../resolve/catalog.js';
import {
  compareObjects,
  compareStrings,
  key,
  sortedPrivileges,
  sortedStrings,
} from '../model/order.js';

export interface PrivilegeChange {
  readonly object: ObjectRef;
  readonly column?: string;
  readonly grantee: string;
  readonly privilege: Privilege;
}

export interface GroupedChange {
  readonly target: GrantTarget;
  readonly privileges: readonly Privilege[];
  readonly columns?: readonly string[];
  readonly grantees: readonly string[];
}

const ALL_IN_SCHEMA_KINDS: ReadonlySet<ObjectKind> = new Set<AllInSchemaKind>([
  'table',
  'sequence',
  'function',
  'procedure',
]);

/** Groups changes that share a grant-option flag; the result is sorted. */
export function groupPrivilegeChanges(
  changes: readonly PrivilegeChange[],
  catalog: Catalog,
): GroupedChange[] {
  const onObjects = new Map<
    string,
    { object: ObjectRef; grantee: string; privileges: Privilege[] }
  >();
  const onColumns = new Map<
    string,
    { object: ObjectRef; grantee: string; columns: Map<string, Privilege[]> }
  >();
  for (const change of changes) {
    if (change.column === undefined) {
      const entryKey = key(objectKey(change.object), change.grantee);
      const entry = onObjects.get(entryKey) ?? {
        object: change.object,
        grantee: change.grantee,
        privileges: [],
      };
      entry.privileges.push(change.privilege);
      onObjects.set(entryKey, entry);
    } else {
      const entryKey = key(objectKey(change.object), change.grantee);
      const entry = onColumns.get(entryKey) ?? {
        object: change.object,
        grantee: change.grantee,
        columns: new Map(),
      };
      entry.columns.set(change.column, [
        ...(entry.columns.get(change.column) ?? []),
        change.privilege,
      ]);
      onColumns.set(entryKey, entry);
    }
  }

  const single: {
    target: GrantTarget;
    privileges: Privilege[];
    columns?: string[];
    grantee: string;
  }[] = [];
  const sameNeeds = new Map<
    string,
    { kind: ObjectKind; grantee: string; privileges: Privilege[]; objects: ObjectRef[] }
  >();
  for (const entry of onObjects.values()) {
    const privileges = sortedPrivileges(entry.privileges);
    const needsKey = key(entry.object.kind, entry.grantee, privileges.join(','));
    const group = sameNeeds.get(needsKey) ?? {
      kind: entry.object.kind,
      grantee: entry.grantee,
      privileges,
      objects: [],
    };
    group.objects.push(entry.object);
    sameNeeds.set(needsKey, group);
  }
  for (const group of sameNeeds.values())
    for (const target of targets(group.kind, group.objects, catalog))
      single.push({ target, privileges: group.privileges, grantee: group.grantee });

  for (const entry of onColumns.values()) {
    const byPrivileges = new Map<string, { privileges: Privilege[]; columns: string[] }>();
    for (const [column, columnPrivileges] of entry.columns) {
      const privileges = sortedPrivileges(columnPrivileges);
      const set = byPrivileges.get(privileges.join(',')) ?? { privileges, columns: [] };
      set.columns.push(column);
      byPrivileges.set(privileges.join(','), set);
    }
    const order = catalog.get(entry.object)?.columns ?? [];
    for (const { privileges, columns } of byPrivileges.values())
      single.push({
        target: { scope: 'objects', kind: entry.object.kind, objects: [entry.object] },
        privileges,
        columns: sortColumns(columns, order),
        grantee: entry.grantee,
      });
  }

  const merged = new Map<string, { change: Omit<GroupedChange, 'grantees'>; grantees: string[] }>();
  for (const { grantee, ...change } of single) {
    const mergeKey = key(
      targetKey(change.target),
      change.privileges.join(','),
      change.columns?.join(','),
    );
    const entry = merged.get(mergeKey) ?? { change, grantees: [] };
    entry.grantees.push(grantee);
    merged.set(mergeKey, entry);
  }
  return [...merged.values()]
    .map(({ change, grantees }) => ({ ...change, grantees: sortedStrings(grantees) }))
    .sort((a, b) => compareStrings(sortKey(a), sortKey(b)));
}

/** ALL ... IN SCHEMA for schemas whose every object of the kind is here; a list for the rest. */
function targets(kind: ObjectKind, objects: readonly ObjectRef[], catalog: Catalog): GrantTarget[] {
  const result: GrantTarget[] = [];
  let listed: ObjectRef[] = [...objects];
  if (ALL_IN_SCHEMA_KINDS.has(kind)) {
    const bySchema = new Map<string, ObjectRef[]>();
    for (const object of objects) {
      if (object.schema === null) continue;
      const inSchema = bySchema.get(object.schema);
      if (inSchema) inSchema.push(object);
      else bySchema.set(object.schema, [object]);
    }
    const covered = new Set<string>();
    for (const [schema, inSchema] of [...bySchema].sort(([a], [b]) => compareStrings(a, b))) {
      const all = catalog.objectsIn([kind], schema);
      const here = new Set(inSchema.map(objectKey));
      if (
        all.length >= 2 &&
        all.length === here.size &&
        all.every((object) => here.has(objectKey(object)))
      ) {
        result.push({ scope: 'all_in_schema', kind: kind as AllInSchemaKind, schema });
        covered.add(schema);
      }
    }
    listed = listed.filter((object) => object.schema === null || !covered.has(object.schema));
  }
  if (listed.length > 0)
    result.push({ scope: 'objects', kind, objects: listed.sort(compareObjects) });
  return result;
}

function targetKey(target: GrantTarget): string {
  return target.scope === 'all_in_schema'
    ? key(target.kind, 0, target.schema)
    : key(target.kind, 1, target.objects.map(objectKey).join('\u0002'));
}

function sortKey(change: GroupedChange): string {
  return key(
    targetKey(change.target),
    change.columns?.join(','),
    change.privileges.join(','),
    change.grantees.join(','),
  );
}

function sortColumns(columns: readonly string[], order: readonly string[]): string[] {
  const position = (column: string): number => {
    const index = order.indexOf(column);
    return index === -1 ? order.length : index;
  };
  return [...columns].sort((a, b) => position(a) - position(b) || compareStrings(a, b));
}
