/**
 * All of a role's effective access (`pgward explain ROLE`, `grants ROLE --effective`): every
 * privilege it can use without SET ROLE on every database, and on every schema, relation,
 * sequence and routine of the current database, each with where it comes from — the same
 * decision as explain's, made once per (object, privilege) without any path search.
 */
import type { Privilege } from '../model/privileges.js';
import { explainPrivileges, objectName, type ExplainKind } from '../model/explain-catalog.js';
import type { ExplainContext, FutureGrant } from './privilege.js';
import { explainSources, futureGrantsFor, heldColumns } from './privilege.js';

/** One privilege the role can use, and who it comes from. */
export interface EffectivePrivilege {
  readonly privilege: Privilege;
  /**
   * Where it comes from: `superuser`, `PUBLIC`, `owner` (`R (owner)` through a role R it
   * inherits from), the role holding the grant (the role itself or one it inherits from), a
   * predefined role.
   */
  readonly via: readonly string[];
  /** Tables: the privilege is held on these columns only. */
  readonly columns?: readonly string[];
}

export interface EffectiveObject {
  readonly kind: ExplainKind;
  /** null for databases and schemas. */
  readonly schema: string | null;
  /** Without the schema; a routine with its argument types. */
  readonly name: string;
  readonly privileges: readonly EffectivePrivilege[];
}

/** Every object of a kind in a schema with the same privileges: one line instead of N. */
export interface EffectiveAllInSchema {
  readonly kind: ExplainKind;
  readonly count: number;
  readonly privileges: readonly EffectivePrivilege[];
}

export interface SchemaAccess {
  readonly name: string;
  /** On the schema itself. */
  readonly privileges: readonly EffectivePrivilege[];
  readonly all: readonly EffectiveAllInSchema[];
  readonly objects: readonly EffectiveObject[];
}

/** `pgward explain ROLE`: everything the role can use, compact. */
export interface RoleAccess {
  readonly role: string;
  readonly superuser: boolean;
  readonly login: boolean;
  /** Roles whose privileges it uses without SET ROLE (not itself). */
  readonly inherits_from: readonly string[];
  /** Roles it may SET ROLE to whose privileges it does not inherit. */
  readonly set_role_to: readonly string[];
  /** The database whose schemas and objects are listed (the connection's). */
  readonly database: string;
  /** Every database it can use something on. */
  readonly databases: readonly EffectiveObject[];
  readonly schemas: readonly SchemaAccess[];
  /** Default privileges that will give it privileges on objects created later. */
  readonly future: readonly FutureGrant[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every object of the catalog read on which `role` can use something, with each privilege's
 * sources, in catalog order (databases, schemas, relations, sequences, routines). A superuser
 * has every privilege everywhere (`via: ['superuser']`).
 */
export function effectiveObjects(context: ExplainContext, role: string): EffectiveObject[] {
  const { catalog } = context;
  const objects: EffectiveObject[] = [];
  for (const object of catalog.objects) {
    const kind: ExplainKind = object.kind;
    const privileges: EffectivePrivilege[] = [];
    for (const privilege of explainPrivileges(kind, catalog.versionNum)) {
      const via = explainSources(context, role, privilege, { kind, object });
      if (via.length > 0) {
        privileges.push({ privilege, via });
        continue;
      }
      if (kind !== 'table') continue;
      const columns = heldColumns(context, role, privilege, object);
      if (columns.columns.length > 0)
        privileges.push({ privilege, via: columns.via, columns: columns.columns });
    }
    if (privileges.length > 0)
      objects.push({
        kind,
        schema: object.schema,
        name: objectName({ ...object, schema: null }),
        privileges,
      });
  }
  return objects;
}

function samePrivileges(
  a: readonly EffectivePrivilege[],
  b: readonly EffectivePrivilege[],
): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const IN_SCHEMA_KINDS = ['table', 'sequence', 'function'] as const;

/**
 * All of `role`'s effective access, grouped by database and schema. When every object of a
 * kind in a schema (two or more) has the same privileges from the same sources, one `all`
 * entry stands for them: a schema-wide grant on 5,000 tables is one line.
 */
export function roleAccess(context: ExplainContext, role: string): RoleAccess {
  const { catalog, graph } = context;
  const attributes = graph.roles.get(role);
  const holders = graph.holders(role);
  const settable = graph.settable(role);
  const objects = effectiveObjects(context, role);
  const inCatalog = new Map<string, number>();
  for (const object of catalog.objects) {
    const key = `${object.kind}\u0000${object.schema ?? ''}`;
    inCatalog.set(key, (inCatalog.get(key) ?? 0) + 1);
  }
  const schemas: SchemaAccess[] = [];
  for (const schema of catalog.objects.filter((object) => object.kind === 'schema')) {
    const own = objects.find((o) => o.kind === 'schema' && o.name === schema.name);
    const all: EffectiveAllInSchema[] = [];
    const listed: EffectiveObject[] = [];
    for (const kind of IN_SCHEMA_KINDS) {
      const held = objects.filter((o) => o.kind === kind && o.schema === schema.name);
      const count = inCatalog.get(`${kind}\u0000${schema.name}`) ?? 0;
      const first = held[0];
      if (
        first !== undefined &&
        count >= 2 &&
        held.length === count &&
        held.every((o) => samePrivileges(o.privileges, first.privileges))
      )
        all.push({ kind, count, privileges: first.privileges });
      else listed.push(...held);
    }
    if (own !== undefined || all.length > 0 || listed.length > 0)
      schemas.push({ name: schema.name, privileges: own?.privileges ?? [], all, objects: listed });
  }
  return {
    role,
    superuser: attributes?.superuser ?? false,
    login: attributes?.login ?? false,
    inherits_from: [...holders].filter((name) => name !== role).sort(byName),
    set_role_to: [...settable].filter((name) => !holders.has(name)).sort(byName),
    database: catalog.currentDatabase,
    databases: objects.filter((object) => object.kind === 'database'),
    schemas,
    future: futureGrantsFor(context, role),
  };
}
