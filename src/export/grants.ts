/**
 * `grants` of exported roles: the privileges they hold on objects, written so that the
 * resolver expands them back to exactly these facts (resolve/desired-privileges.ts).
 *
 * - An owner's privileges on its own objects are PostgreSQL's: never exported.
 * - Privileges that a default-privilege entry already implies are not repeated.
 * - When every object of a kind in a schema (those the role does not own, as the resolver
 *   counts them) carries a privilege, the grant is written `all_in_schemas`: 5,000 granted
 *   tables are one line. A schema with a single such object keeps the object's name, because
 *   `all_in_schemas` also claims the schema's future objects, which one object hardly shows.
 * - Column privileges are written with `columns`, tables with the same columns together.
 * - Database privileges are exported for the connected database only: the diff manages other
 *   databases only where the config names them, and an export describes this database.
 */
import { hasControlCharacter } from '../config/names.js';
import type { Catalog } from '../resolve/catalog.js';
import { compareStrings, key, sortedPrivileges, sortedStrings } from '../model/order.js';
import { describeObjectRef, formatObjectName, kindLabel, objectKey } from '../model/objects.js';
import {
  ALL_IN_SCHEMA_CATALOG_KINDS,
  isSystemSchema,
  OBJECT_KINDS,
  privilegePlace,
  type ObjectKind,
  type Privilege,
} from '../model/privileges.js';
import type { CatalogObject, CurrentState, PrivilegeFact } from '../model/state.js';
import { impliedKey, type ImpliedPrivilege } from './default-privileges.js';

export interface ExportedGrant {
  readonly privileges: readonly Privilege[];
  readonly object_type: ObjectKind;
  readonly objects?: readonly string[];
  readonly all_in_schemas?: readonly string[];
  readonly columns?: readonly string[];
  readonly with_grant_option?: true;
}

/** Fewer objects than this in a schema are listed by name rather than as all_in_schemas. */
const ALL_IN_SCHEMAS_MINIMUM = 2;

interface Held {
  readonly object: CatalogObject;
  readonly privilege: Privilege;
  readonly grantable: boolean;
}

interface ColumnHeld extends Held {
  readonly column: string;
}

/** What one grantee holds, table level and column level, keyed like the resolver's facts. */
interface Holdings {
  readonly objects: Map<string, Held>;
  readonly columns: ColumnHeld[];
}

function heldKey(object: CatalogObject, privilege: Privilege): string {
  return key(objectKey(object), privilege);
}

function unprintableName(object: CatalogObject, column?: string): boolean {
  return [object.schema ?? '', object.name, object.args ?? '', column ?? ''].some(
    hasControlCharacter,
  );
}

/** Privilege facts of exported grantees that the config can describe, per grantee. */
function collectHoldings(
  current: CurrentState,
  catalog: Catalog,
  exported: ReadonlySet<string>,
  warnings: string[],
): Map<string, Holdings> {
  const byGrantee = new Map<string, Holdings>();
  const skipped = new Set<string>();
  for (const fact of current.privileges) {
    if (!exported.has(fact.grantee)) continue;
    // Only the system-schema objects grants may name are in the catalog; the facts on them are
    // those beyond the initial privileges (spec §10), exported like any other grant.
    const object = catalog.get(fact.object);
    if (object === undefined) continue;
    if (object.owner === fact.grantee) continue;
    if (object.kind === 'database' && object.name !== current.server.currentDatabase) continue;
    if (unprintableName(object, fact.column)) {
      const name = formatObjectName(object);
      if (!skipped.has(name))
        warnings.push(
          `privileges on ${kindLabel(object.kind)} ${JSON.stringify(name)} are not exported: its name contains a control character`,
        );
      skipped.add(name);
      continue;
    }
    const holdings = byGrantee.get(fact.grantee) ?? { objects: new Map(), columns: [] };
    byGrantee.set(fact.grantee, holdings);
    addFact(holdings, object, fact);
  }
  return byGrantee;
}

function addFact(holdings: Holdings, object: CatalogObject, fact: PrivilegeFact): void {
  if (fact.column !== undefined) {
    holdings.columns.push({
      object,
      column: fact.column,
      privilege: fact.privilege,
      grantable: fact.grantable,
    });
    return;
  }
  const factKey = heldKey(object, fact.privilege);
  const seen = holdings.objects.get(factKey);
  if (seen !== undefined && (seen.grantable || !fact.grantable)) return;
  holdings.objects.set(factKey, { object, privilege: fact.privilege, grantable: fact.grantable });
}

/**
 * The `grants` of every exported role. `implied` are the privileges its default privileges
 * imply on existing objects (see default-privileges.ts); those the catalog lacks, or holds
 * without the grant option the entry gives, are reported in `warnings`.
 */
export function exportGrants(
  current: CurrentState,
  catalog: Catalog,
  exported: ReadonlySet<string>,
  implied: ReadonlyMap<string, ImpliedPrivilege>,
  warnings: string[],
): Map<string, ExportedGrant[]> {
  const holdings = collectHoldings(current, catalog, exported, warnings);
  reportUnheldImplications(holdings, implied, warnings);
  const result = new Map<string, ExportedGrant[]>();
  for (const grantee of sortedStrings(holdings.keys())) {
    const held = holdings.get(grantee) as Holdings;
    const needed = explicitlyNeeded(grantee, held, implied);
    const grants = [
      ...compressIntoSchemas(grantee, catalog, held, needed),
      ...objectGrants(needed),
      ...columnGrants(held.columns),
    ];
    if (grants.length > 0) result.set(grantee, sortGrants(grants));
  }
  return result;
}

/**
 * Table-level privileges the config must state: held, and not already given (with the same
 * grant option) by a default-privilege entry.
 */
function explicitlyNeeded(
  grantee: string,
  held: Holdings,
  implied: ReadonlyMap<string, ImpliedPrivilege>,
): Map<string, Held> {
  const needed = new Map<string, Held>();
  for (const [factKey, fact] of held.objects) {
    const byDefault = implied.get(impliedKey(grantee, fact.object, fact.privilege));
    // A default entry with the grant option on a privilege held without it cannot be
    // described; it was reported, and stating the privilege again would change nothing.
    if (byDefault !== undefined && (byDefault.grantable || !fact.grantable)) continue;
    needed.set(factKey, fact);
  }
  return needed;
}

/** Warns about existing objects a default-privilege entry covers but that lack its privilege. */
function reportUnheldImplications(
  holdings: ReadonlyMap<string, Holdings>,
  implied: ReadonlyMap<string, ImpliedPrivilege>,
  warnings: string[],
): void {
  const counts = new Map<string, { example: ImpliedPrivilege; count: number; option: boolean }>();
  for (const fact of implied.values()) {
    const held = holdings.get(fact.grantee)?.objects.get(heldKey(fact.object, fact.privilege));
    const missing = held === undefined;
    const missingOption = !missing && fact.grantable && !held.grantable;
    if (!missing && !missingOption) continue;
    const source = fact.source;
    const groupKey = key(
      fact.grantee,
      source.forRole,
      source.schema,
      source.objectType,
      fact.privilege,
      missingOption,
    );
    const seen = counts.get(groupKey);
    counts.set(groupKey, {
      example: seen?.example ?? fact,
      count: (seen?.count ?? 0) + 1,
      option: missingOption,
    });
  }
  for (const { example, count, option } of [...counts.values()].sort((a, b) =>
    compareStrings(warningSortKey(a.example), warningSortKey(b.example)),
  )) {
    const source = example.source;
    const where = source.schema === null ? '' : ` in schema "${source.schema}"`;
    const others = count > 1 ? ` and ${count - 1} more` : '';
    warnings.push(
      `default privileges of "${source.forRole}"${where} give "${example.grantee}" ${example.privilege}${option ? ' WITH GRANT OPTION' : ''} on its ${source.objectType === 'schema' ? 'schemas' : `${source.objectType}s`}, but ${describeObjectRef(example.object)}${others} lack${count > 1 ? '' : 's'} it: applying this export would grant it`,
    );
  }
}

function warningSortKey(fact: ImpliedPrivilege): string {
  return key(
    fact.grantee,
    fact.source.forRole,
    fact.source.schema,
    fact.source.objectType,
    privilegePlace(fact.privilege),
    objectKey(fact.object),
  );
}

/**
 * `all_in_schemas` grants: for each (kind, schema) with privileges to state, each privilege
 * that every object there holds (except those the grantee owns, which the resolver skips).
 * The facts it covers leave `needed`; one held WITH GRANT OPTION where the schema-wide grant
 * is without it stays, as an object grant with the option.
 */
function compressIntoSchemas(
  grantee: string,
  catalog: Catalog,
  held: Holdings,
  needed: Map<string, Held>,
): ExportedGrant[] {
  const wanted = new Map<
    string,
    { kind: ObjectKind; schema: string; privileges: Set<Privilege> }
  >();
  for (const fact of needed.values()) {
    const { kind, schema } = fact.object;
    // Objects of system schemas are named one by one: a config cannot claim a whole one.
    if (schema === null || !ALL_IN_SCHEMA_CATALOG_KINDS.has(kind) || isSystemSchema(schema))
      continue;
    const groupKey = key(kind, schema);
    const group = wanted.get(groupKey) ?? { kind, schema, privileges: new Set<Privilege>() };
    group.privileges.add(fact.privilege);
    wanted.set(groupKey, group);
  }

  // (kind, grant option) -> schema -> privileges stated for all its objects.
  const perSchema = new Map<string, Map<string, Privilege[]>>();
  for (const { kind, schema, privileges } of wanted.values()) {
    const objects = catalog.objectsIn([kind], schema).filter((object) => object.owner !== grantee);
    if (objects.length < ALL_IN_SCHEMAS_MINIMUM) continue;
    for (const privilege of privileges) {
      const facts = objects.map((object) => held.objects.get(heldKey(object, privilege)));
      if (facts.some((fact) => fact === undefined)) continue;
      const grantable = facts.every((fact) => fact?.grantable === true);
      for (const object of objects) {
        const factKey = heldKey(object, privilege);
        if (needed.get(factKey)?.grantable === grantable) needed.delete(factKey);
      }
      const groupKey = key(kind, grantable);
      const schemas = perSchema.get(groupKey) ?? new Map<string, Privilege[]>();
      perSchema.set(groupKey, schemas);
      schemas.set(schema, [...(schemas.get(schema) ?? []), privilege]);
    }
  }

  const grants: ExportedGrant[] = [];
  for (const [groupKey, schemas] of perSchema) {
    const [kind, grantable] = groupKey.split('\0') as [ObjectKind, string];
    // Privileges granted in the same schemas share one grant.
    const schemasOf = new Map<Privilege, string[]>();
    for (const [schema, privileges] of schemas)
      for (const privilege of privileges)
        schemasOf.set(privilege, [...(schemasOf.get(privilege) ?? []), schema]);
    const bySchemas = new Map<string, { privileges: Privilege[]; schemas: string[] }>();
    for (const [privilege, unsorted] of schemasOf) {
      const names = sortedStrings(unsorted);
      const setKey = names.join('\0');
      const group = bySchemas.get(setKey) ?? { privileges: [], schemas: names };
      group.privileges.push(privilege);
      bySchemas.set(setKey, group);
    }
    for (const { privileges, schemas: names } of bySchemas.values())
      grants.push({
        privileges: sortedPrivileges(privileges),
        object_type: kind,
        all_in_schemas: names,
        ...(grantable === 'true' ? { with_grant_option: true as const } : {}),
      });
  }
  return grants;
}

/** Grants on named objects: objects with the same kind, privileges and grant option together. */
function objectGrants(needed: ReadonlyMap<string, Held>): ExportedGrant[] {
  const perObject = new Map<
    string,
    { object: CatalogObject; grantable: boolean; privileges: Privilege[] }
  >();
  for (const fact of needed.values()) {
    const objectGroup = key(objectKey(fact.object), fact.grantable);
    const group = perObject.get(objectGroup) ?? {
      object: fact.object,
      grantable: fact.grantable,
      privileges: [],
    };
    group.privileges.push(fact.privilege);
    perObject.set(objectGroup, group);
  }
  const grouped = new Map<
    string,
    { kind: ObjectKind; grantable: boolean; privileges: Privilege[]; objects: string[] }
  >();
  for (const { object, grantable, privileges: unsorted } of perObject.values()) {
    const privileges = sortedPrivileges(unsorted);
    const groupKey = key(object.kind, grantable, privileges.join(','));
    const group = grouped.get(groupKey) ?? {
      kind: object.kind,
      grantable,
      privileges,
      objects: [],
    };
    group.objects.push(formatObjectName(object));
    grouped.set(groupKey, group);
  }
  return [...grouped.values()].map(({ kind, grantable, privileges, objects }) => ({
    privileges,
    object_type: kind,
    objects: sortedStrings(objects),
    ...(grantable ? { with_grant_option: true as const } : {}),
  }));
}

/** Column grants: per table the columns sharing privileges, then tables sharing all of it. */
function columnGrants(columns: readonly ColumnHeld[]): ExportedGrant[] {
  // (table, column) -> privilege -> grantable, merging grantors.
  const perColumn = new Map<string, { held: ColumnHeld; privileges: Map<Privilege, boolean> }>();
  for (const fact of columns) {
    const columnKey = key(objectKey(fact.object), fact.column);
    const entry = perColumn.get(columnKey) ?? { held: fact, privileges: new Map() };
    entry.privileges.set(
      fact.privilege,
      entry.privileges.get(fact.privilege) === true || fact.grantable,
    );
    perColumn.set(columnKey, entry);
  }
  // (table, grant option, privileges) -> columns.
  const perTable = new Map<
    string,
    { object: CatalogObject; grantable: boolean; privileges: Privilege[]; columns: string[] }
  >();
  for (const { held, privileges } of perColumn.values()) {
    for (const grantable of [false, true]) {
      const chosen = sortedPrivileges(
        [...privileges]
          .filter(([, option]) => option === grantable)
          .map(([privilege]) => privilege),
      );
      if (chosen.length === 0) continue;
      const tableKey = key(objectKey(held.object), grantable, chosen.join(','));
      const entry = perTable.get(tableKey) ?? {
        object: held.object,
        grantable,
        privileges: chosen,
        columns: [],
      };
      entry.columns.push(held.column);
      perTable.set(tableKey, entry);
    }
  }
  // (grant option, privileges, columns) -> tables.
  const grouped = new Map<
    string,
    { grantable: boolean; privileges: Privilege[]; columns: string[]; objects: string[] }
  >();
  for (const { object, grantable, privileges, columns: unsorted } of perTable.values()) {
    const columnNames = sortedStrings(unsorted);
    const groupKey = key(grantable, privileges.join(','), columnNames.join('\u0001'));
    const entry = grouped.get(groupKey) ?? {
      grantable,
      privileges,
      columns: columnNames,
      objects: [],
    };
    entry.objects.push(formatObjectName(object));
    grouped.set(groupKey, entry);
  }
  return [...grouped.values()].map(({ grantable, privileges, columns: names, objects }) => ({
    privileges,
    object_type: 'table' as const,
    objects: sortedStrings(objects),
    columns: names,
    ...(grantable ? { with_grant_option: true as const } : {}),
  }));
}

/** Object kinds in the spec's order; schema-wide before named before column grants. */
function sortGrants(grants: ExportedGrant[]): ExportedGrant[] {
  const sortKey = (grant: ExportedGrant): string =>
    key(
      String(OBJECT_KINDS.indexOf(grant.object_type)).padStart(2, '0'),
      grant.all_in_schemas !== undefined ? 0 : grant.columns === undefined ? 1 : 2,
      grant.with_grant_option === true ? 1 : 0,
      grant.privileges.map((p) => String(privilegePlace(p)).padStart(2, '0')).join(','),
      (grant.all_in_schemas ?? grant.objects ?? []).join('\u0001'),
      (grant.columns ?? []).join('\u0001'),
    );
  return grants
    .map((grant) => [sortKey(grant), grant] as const)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, grant]) => grant);
}
