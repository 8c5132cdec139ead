/**
 * Expands a config's `permissions`, `grants` and `default_privileges` into flat facts: one
 * privilege on one object (or column) for one grantee, and one default-privilege entry per
 * privilege. Every object comes from the catalog, so facts carry the catalog's spelling
 * (routine argument types included), which is what goes into SQL.
 */
import type {
  Config,
  ConfigDefaultPrivilege,
  ConfigGrant,
  ConfigObjectName,
  ConfigPermission,
  ConfigRole,
} from '../config/types.js';
import type { SourcePosition } from '../errors.js';
import {
  describeObjectRef,
  formatObjectName,
  kindLabel,
  objectKey,
  objectKeysOnce,
  ROUTINE_KINDS,
  SCHEMA_SCOPED_KINDS,
  type ObjectRef,
} from '../model/objects.js';
import {
  COLUMN_PRIVILEGES,
  PRIVILEGES_BY_KIND,
  privilegesFor,
  type DefaultPrivilegeObjectType,
  type ObjectKind,
  type Privilege,
} from '../model/privileges.js';
import type { CatalogObject, DefaultPrivilegeFact, PrivilegeFact } from '../model/state.js';
import { Catalog, catalogKindsFor } from './catalog.js';
import type { RoleNames } from './names.js';
import { FactIds } from '../model/fact-ids.js';
import { comparePrivileges, compareStrings, key } from '../model/order.js';
import { majorVersion, type Problems } from './problems.js';
import { normalizeArgs } from './routine-args.js';
import { firstMajorWith } from '../model/versions.js';

export interface ResolveContext {
  readonly config: Config;
  readonly catalog: Catalog;
  readonly names: RoleNames;
  readonly versionNum: number;
  readonly currentDatabase: string;
  readonly existingRoles: ReadonlySet<string>;
  readonly problems: Problems;
  readonly warnings: string[];
}

/** The catalog kinds an `ALTER DEFAULT PRIVILEGES ... ON <type>` entry applies to. */
export const DEFAULT_PRIVILEGE_COVERS: Readonly<
  Record<DefaultPrivilegeObjectType, readonly ObjectKind[]>
> = {
  // One default ACL for relations covers tables, views, materialized views, foreign tables.
  table: ['table'],
  sequence: ['sequence'],
  // PostgreSQL keeps one default ACL for routines: FUNCTIONS covers procedures too.
  function: ['function', 'procedure'],
  // ... and one for types: TYPES covers domains.
  type: ['type', 'domain'],
  schema: ['schema'],
};

/** The privilege vocabulary of a default-privilege object type. */
const DEFAULT_PRIVILEGE_KIND: Readonly<Record<DefaultPrivilegeObjectType, ObjectKind>> = {
  table: 'table',
  sequence: 'sequence',
  function: 'function',
  type: 'type',
  schema: 'schema',
};

const PROFILE_DEFAULT_TYPES = ['table', 'sequence', 'function', 'type'] as const;

export interface ResolvedPrivileges {
  readonly privileges: PrivilegeFact[];
  readonly defaultPrivileges: DefaultPrivilegeFact[];
}

/**
 * Facts for every declared role. `objectCreators` (database names) are the roles whose future
 * objects `permissions` cover; null = each schema's owner.
 */
export function resolvePrivileges(
  ctx: ResolveContext,
  objectCreators: readonly string[] | null,
): ResolvedPrivileges {
  const facts = new FactSet();
  const defaults = new DefaultFactSet();
  for (const role of ctx.config.roles) {
    const grantee = ctx.names.toDatabase(role.name);
    for (const permission of role.permissions)
      addPermission(ctx, role, grantee, permission, objectCreators, facts, defaults);
    for (const grant of role.grants) addGrant(ctx, role, grantee, grant, facts);
    for (const entry of role.defaultPrivileges)
      addDefaultPrivilege(ctx, role, grantee, entry, facts, defaults);
  }
  // An owner's privileges on its objects are PostgreSQL's (spec §4): never the config's.
  const privileges = facts
    .values()
    .filter((fact) => ctx.catalog.owner(fact.object) !== fact.grantee);
  const defaultPrivileges = defaults.values().filter((fact) => fact.forRole !== fact.grantee);
  return { privileges, defaultPrivileges };
}

function addPermission(
  ctx: ResolveContext,
  role: ConfigRole,
  grantee: string,
  permission: ConfigPermission,
  objectCreators: readonly string[] | null,
  facts: FactSet,
  defaults: DefaultFactSet,
): void {
  const profile = ctx.config.profiles[permission.type];
  if (profile === undefined) {
    ctx.problems.add(
      `profile "${permission.type}" is not defined`,
      permission.position,
      role.position,
    );
    return;
  }
  const positions = [permission.position, role.position];
  const schemaPrivileges = available(ctx, 'schema', profile.schema ?? [], positions);
  const typed = PROFILE_DEFAULT_TYPES.map(
    (type) =>
      [type, available(ctx, DEFAULT_PRIVILEGE_KIND[type], profile[type] ?? [], positions)] as const,
  );
  for (const schemaName of permission.schemas) {
    const schema = ctx.catalog.schema(schemaName);
    if (schema === undefined) {
      ctx.problems.add(`schema "${schemaName}" does not exist`, ...positions);
      continue;
    }
    for (const privilege of schemaPrivileges)
      facts.add(ctx.catalog.ref(schema), undefined, grantee, privilege, false);
    const creators = objectCreators ?? [schemaCreator(ctx, schema)];
    for (const [type, privileges] of typed) {
      if (privileges.length === 0) continue;
      for (const object of ctx.catalog.objectsIn(DEFAULT_PRIVILEGE_COVERS[type], schemaName))
        for (const privilege of privileges)
          facts.add(ctx.catalog.ref(object), undefined, grantee, privilege, false);
      for (const forRole of creators)
        for (const privilege of privileges)
          defaults.add({
            forRole,
            schema: schemaName,
            objectType: type,
            grantee,
            privilege,
            grantable: false,
          });
    }
  }
}

function addGrant(
  ctx: ResolveContext,
  role: ConfigRole,
  grantee: string,
  grant: ConfigGrant,
  facts: FactSet,
): void {
  const kind = grant.objectType;
  const positions = [grant.position, role.position];
  const columns =
    grant.columns !== undefined && grant.columns.length > 0 ? grant.columns : undefined;
  const privileges = grantPrivileges(ctx, kind, grant.privileges, columns !== undefined, positions);

  const objects: CatalogObject[] = [];
  const explicit = new Set<string>();
  for (const name of grant.objects ?? []) {
    const object = resolveObject(ctx, kind, name, positions);
    if (object === undefined) continue;
    objects.push(object);
    explicit.add(objectKey(object));
  }
  for (const schemaName of grant.allInSchemas ?? []) {
    if (!SCHEMA_SCOPED_KINDS.has(kind)) {
      ctx.problems.add(`all_in_schemas does not apply to ${kindLabel(kind)}`, ...positions);
      break;
    }
    if (ctx.catalog.schema(schemaName) === undefined) {
      ctx.problems.add(`schema "${schemaName}" does not exist`, ...positions);
      continue;
    }
    objects.push(...ctx.catalog.objectsIn(catalogKindsFor(kind), schemaName));
  }

  for (const object of objects) {
    if (explicit.has(objectKey(object)) && object.owner === grantee)
      ctx.warnings.push(
        `role "${grantee}" owns ${describeObjectRef(object)}: its privileges there are PostgreSQL's, the grant is ignored`,
      );
    if (columns === undefined) {
      for (const privilege of privileges)
        facts.add(ctx.catalog.ref(object), undefined, grantee, privilege, grant.withGrantOption);
      continue;
    }
    if (object.kind !== 'table') {
      ctx.problems.add(
        `columns apply to tables only, not to ${describeObjectRef(object)}`,
        ...positions,
      );
      continue;
    }
    for (const column of columns) {
      if (!(object.columns ?? []).includes(column)) {
        ctx.problems.add(
          `column "${column}" of table "${formatObjectName(object)}" does not exist`,
          ...positions,
        );
        continue;
      }
      for (const privilege of privileges)
        facts.add(ctx.catalog.ref(object), column, grantee, privilege, grant.withGrantOption);
    }
  }
}

function addDefaultPrivilege(
  ctx: ResolveContext,
  role: ConfigRole,
  grantee: string,
  entry: ConfigDefaultPrivilege,
  facts: FactSet,
  defaults: DefaultFactSet,
): void {
  const positions = [entry.position, role.position];
  const forRole = ctx.names.toDatabase(entry.forRole);
  let valid = true;
  if (!ctx.names.isDeclared(entry.forRole) && !ctx.existingRoles.has(forRole)) {
    ctx.problems.add(
      `role "${entry.forRole}" in for_role is not declared and does not exist`,
      ...positions,
    );
    valid = false;
  }
  if (entry.schema !== null && entry.objectType === 'schema') {
    // PostgreSQL: "cannot use IN SCHEMA clause when using GRANT/REVOKE ON SCHEMAS".
    ctx.problems.add('default privileges on schemas cannot name a schema', ...positions);
    valid = false;
  }
  if (entry.schema !== null && ctx.catalog.schema(entry.schema) === undefined) {
    ctx.problems.add(`schema "${entry.schema}" does not exist`, ...positions);
    valid = false;
  }
  const kind = DEFAULT_PRIVILEGE_KIND[entry.objectType];
  const privileges =
    entry.privileges === 'ALL'
      ? privilegesFor(kind, ctx.versionNum)
      : available(ctx, kind, entry.privileges, positions);
  if (!valid) return;
  if (forRole === grantee) {
    ctx.warnings.push(
      `default privileges of role "${grantee}" for its own objects are PostgreSQL's (it owns them): ignored`,
    );
    return;
  }
  for (const privilege of privileges)
    defaults.add({
      forRole,
      schema: entry.schema,
      objectType: entry.objectType,
      grantee,
      privilege,
      grantable: entry.withGrantOption,
    });
  // The existing objects the entry covers are expected to carry the same privileges (spec §4),
  // so that an object created after apply never shows as drift.
  const kinds = DEFAULT_PRIVILEGE_COVERS[entry.objectType];
  const covered =
    entry.objectType === 'schema'
      ? ctx.catalog.schemas()
      : entry.schema === null
        ? ctx.catalog.objectsInEverySchema(kinds)
        : ctx.catalog.objectsIn(kinds, entry.schema);
  for (const object of covered) {
    if (object.owner !== forRole) continue;
    for (const privilege of privileges)
      facts.add(ctx.catalog.ref(object), undefined, grantee, privilege, entry.withGrantOption);
  }
}

/**
 * The role whose future objects a schema's `permissions` cover by default: its owner. From
 * PostgreSQL 15, `public` belongs to `pg_database_owner`, a role nothing is ever created as
 * (objects belong to whoever creates them), so default privileges for it would never apply:
 * the database's owner, whom it stands for, is the one that creates objects there.
 */
function schemaCreator(ctx: ResolveContext, schema: CatalogObject): string {
  if (schema.owner !== 'pg_database_owner') return schema.owner;
  return ctx.catalog.named(['database'], null, ctx.currentDatabase)[0]?.owner ?? schema.owner;
}

/**
 * Resolves a config object name against the catalog, recording a problem when it fails.
 * `kinds`: the catalog kinds the name may match (default: those of `kind`).
 */
export function resolveObject(
  ctx: ResolveContext,
  kind: ObjectKind,
  name: ConfigObjectName,
  grantPositions: readonly (SourcePosition | undefined)[],
  kinds: readonly ObjectKind[] = catalogKindsFor(kind),
): CatalogObject | undefined {
  const positions = [name.position, ...grantPositions];
  if (kind === 'parameter') {
    // Parameter names are case-insensitive and pg_parameter_acl keeps them in lower case; a
    // parameter appears in the catalog only once something was granted on it, and GRANT
    // accepts any valid one.
    const parameter = name.name.toLowerCase();
    return (
      ctx.catalog.named(['parameter'], null, parameter)[0] ?? {
        kind: 'parameter',
        schema: null,
        name: parameter,
        owner: '',
      }
    );
  }
  let candidates = ctx.catalog.named(kinds, name.schema, name.name);
  if (ROUTINE_KINDS.has(kind) && name.args !== undefined) {
    const wanted = normalizeArgs(name.args);
    candidates = candidates.filter((candidate) => normalizeArgs(candidate.args ?? '') === wanted);
  }
  if (candidates.length === 0) {
    ctx.problems.add(`${kindLabel(kind)} "${name.text}" does not exist`, ...positions);
    return undefined;
  }
  if (candidates.length > 1) {
    const listed = candidates.map((candidate) => formatObjectName(candidate)).sort(compareStrings);
    ctx.problems.add(
      `${kindLabel(kind)} "${name.text}" is ambiguous: ${listed.join(', ')}; write its argument types`,
      ...positions,
    );
    return undefined;
  }
  return candidates[0];
}

/**
 * The catalog objects of a spec §9 entry in the connected database: `objects` by name (a
 * database must be the connected one) and every object of `kinds` in `allInSchemas`;
 * `keep` drops objects (with their own problem when named). `where` names the key in messages.
 */
export function resolveTargets(
  ctx: ResolveContext,
  entry: {
    readonly kind: ObjectKind;
    readonly objects?: readonly ConfigObjectName[] | undefined;
    readonly allInSchemas?: readonly string[] | undefined;
    readonly kinds: readonly ObjectKind[];
  },
  where: string,
  positions: readonly (SourcePosition | undefined)[],
  keep: (object: CatalogObject, name?: ConfigObjectName) => boolean = () => true,
): CatalogObject[] {
  const objects: CatalogObject[] = [];
  for (const name of entry.objects ?? []) {
    const object = resolveObject(ctx, entry.kind, name, positions, entry.kinds);
    if (object === undefined || !keep(object, name)) continue;
    if (object.kind === 'database' && object.name !== ctx.currentDatabase) {
      ctx.problems.add(
        `${describeObjectRef(object)} in ${where} is not the connected database "${ctx.currentDatabase}"`,
        name.position,
        ...positions,
      );
      continue;
    }
    objects.push(object);
  }
  for (const schema of entry.allInSchemas ?? []) {
    if (ctx.catalog.schema(schema) === undefined) {
      ctx.problems.add(`schema "${schema}" does not exist`, ...positions);
      continue;
    }
    objects.push(...ctx.catalog.objectsIn(entry.kinds, schema).filter((object) => keep(object)));
  }
  return objects;
}

/** The privileges of a grant, with ALL expanded for this server and the rest checked. */
export function grantPrivileges(
  ctx: ResolveContext,
  kind: ObjectKind,
  written: readonly Privilege[] | 'ALL',
  columns: boolean,
  positions: readonly (SourcePosition | undefined)[],
): readonly Privilege[] {
  if (kind === 'parameter' && privilegesFor('parameter', ctx.versionNum).length === 0) {
    ctx.problems.add(
      `privileges on parameters need PostgreSQL ${firstMajorWith('parameterPrivileges')} (the server runs ${majorVersion(ctx.versionNum)})`,
      ...positions,
    );
    return [];
  }
  if (columns) {
    if (written === 'ALL') return COLUMN_PRIVILEGES;
    for (const privilege of written)
      if (!COLUMN_PRIVILEGES.includes(privilege))
        ctx.problems.add(`privilege ${privilege} does not apply to columns`, ...positions);
    return written.filter((privilege) => COLUMN_PRIVILEGES.includes(privilege));
  }
  return written === 'ALL'
    ? privilegesFor(kind, ctx.versionNum)
    : available(ctx, kind, written, positions);
}

/** The privileges that apply to a kind on this server; a problem for each one that does not. */
function available(
  ctx: ResolveContext,
  kind: ObjectKind,
  privileges: readonly Privilege[],
  positions: readonly (SourcePosition | undefined)[],
): Privilege[] {
  const onServer = privilegesFor(kind, ctx.versionNum);
  return privileges.filter((privilege) => {
    if (onServer.includes(privilege)) return true;
    if (PRIVILEGES_BY_KIND[kind].includes(privilege)) {
      const needs = firstMajorWith(
        privilege === 'MAINTAIN' ? 'maintainPrivilege' : 'parameterPrivileges',
      );
      ctx.problems.add(
        `privilege ${privilege} on ${kindLabel(kind)} needs PostgreSQL ${needs} (the server runs ${majorVersion(ctx.versionNum)})`,
        ...positions,
      );
    } else {
      ctx.problems.add(`privilege ${privilege} does not apply to ${kindLabel(kind)}`, ...positions);
    }
    return false;
  });
}

/** Privilege facts keyed by (object, column, grantee, privilege); repeats merge, grant option ORed. */
class FactSet {
  /**
   * By object key, then by column, grantee and privilege: each object's facts together, so
   * that only the objects are sorted by key (computed once per ref, and refs are shared: see
   * Catalog.ref) and the keys of the facts themselves are short.
   */
  private readonly byObject = new Map<
    string,
    { readonly object: ObjectRef; readonly facts: Map<number | string, PrivilegeFact> }
  >();
  private readonly objectKeyOf = objectKeysOnce();
  private readonly factIds = new FactIds();

  add(
    object: ObjectRef,
    column: string | undefined,
    grantee: string,
    privilege: Privilege,
    grantable: boolean,
  ): void {
    const objectId = this.objectKeyOf(object);
    let entry = this.byObject.get(objectId);
    if (entry === undefined) {
      entry = { object, facts: new Map() };
      this.byObject.set(objectId, entry);
    }
    const factId = this.factIds.of(column, grantee, privilege);
    const existing = entry.facts.get(factId);
    if (existing !== undefined && (existing.grantable || !grantable)) return;
    // One ref per object: the first one given (the same one, or an equal one).
    const shared = entry.object;
    entry.facts.set(
      factId,
      column === undefined
        ? { object: shared, grantee, privilege, grantable }
        : { object: shared, column, grantee, privilege, grantable },
    );
  }

  /** The facts in order: objects by key, each object's facts by column, grantee, privilege. */
  values(): PrivilegeFact[] {
    const sorted: PrivilegeFact[] = [];
    for (const objectId of [...this.byObject.keys()].sort(compareStrings)) {
      const facts = this.byObject.get(objectId)?.facts.values() ?? [];
      for (const fact of [...facts].sort(compareFactsOnObject)) sorted.push(fact);
    }
    return sorted;
  }
}

class DefaultFactSet {
  private readonly facts = new Map<string, DefaultPrivilegeFact>();

  add(fact: DefaultPrivilegeFact): void {
    const factKey = key(fact.forRole, fact.schema, fact.objectType, fact.grantee, fact.privilege);
    const existing = this.facts.get(factKey);
    if (existing !== undefined && (existing.grantable || !fact.grantable)) return;
    this.facts.set(factKey, fact);
  }

  values(): DefaultPrivilegeFact[] {
    return [...this.facts.values()].sort(
      (a, b) =>
        compareStrings(a.forRole, b.forRole) ||
        compareStrings(a.schema ?? '', b.schema ?? '') ||
        compareStrings(a.objectType, b.objectType) ||
        compareStrings(a.grantee, b.grantee) ||
        comparePrivileges(a.privilege, b.privilege),
    );
  }
}

/** Facts on the same object: by column, grantee and privilege. */
function compareFactsOnObject(a: PrivilegeFact, b: PrivilegeFact): number {
  return (
    compareStrings(a.column ?? '', b.column ?? '') ||
    compareStrings(a.grantee, b.grantee) ||
    comparePrivileges(a.privilege, b.privilege)
  );
}
