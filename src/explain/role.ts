/**
 * All of a role's effective access (`pgward explain ROLE`, `grants ROLE --effective`): every
 * privilege it can use without SET ROLE on every database, and on every schema, relation,
 * sequence and routine of the current database, each with where it comes from — the same
 * decision as explain's, made once per (object, privilege) without any path search.
 */
import type { Privilege } from '../model/privileges.js';
import { explainPrivileges, objectName, type ExplainKind, type ExplainObject } from './catalog.js';
import type { ExplainContext, FutureGrant } from './privilege.js';
import { explainSources, futureGrantsFor } from './privilege.js';

/** One privilege the role can use, and who it comes from. */
export interface EffectivePrivilege {
  readonly privilege: Privilege;
  /**
   * Where it comes from: `superuser`, `PUBLIC`, `owner`, a role the role inherits from (or the
   * role itself), a predefined role, or `column` (some columns only).
   */
  readonly via: readonly string[];
}

export interface EffectiveObject {
  readonly kind: ExplainKind;
  /** null for databases and schemas. */
  readonly schema: string | null;
  readonly name: string;
  readonly privileges: readonly EffectivePrivilege[];
}

/** Every object of a kind in a schema with the same privileges: one line instead of N. */
export interface EffectiveAllInSchema {
  readonly kind: ExplainKind;
  readonly schema: string;
  readonly count: number;
  readonly privileges: readonly EffectivePrivilege[];
}

export interface RoleAccess {
  readonly role: string;
  readonly superuser: boolean;
  readonly login: boolean;
  /** Roles whose privileges it uses without SET ROLE (not itself). */
  readonly inherits_from: readonly string[];
  /** Roles it may SET ROLE to whose privileges it does not inherit. */
  readonly set_role_to: readonly string[];
  readonly database: string;
  /** Every database's privileges, then the current database's objects. */
  readonly objects: readonly EffectiveObject[];
  readonly future: readonly FutureGrant[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function kindOf(object: ExplainObject): ExplainKind {
  return object.kind;
}

/**
 * Effective access of `role`. Objects where it can use nothing are left out; a superuser's
 * access is every privilege everywhere (`via: ['superuser']`).
 */
export function roleAccess(context: ExplainContext, role: string): RoleAccess {
  const { catalog, graph } = context;
  const attributes = graph.roles.get(role);
  const holders = graph.holders(role);
  const settable = graph.settable(role);
  const objects: EffectiveObject[] = [];
  for (const object of catalog.objects) {
    const kind = kindOf(object);
    const privileges: EffectivePrivilege[] = [];
    for (const privilege of explainPrivileges(kind, catalog.versionNum)) {
      const via = explainSources(context, role, privilege, { kind, object });
      if (via.length > 0) privileges.push({ privilege, via });
      else if (kind === 'table' && columnPrivilege(context, role, privilege, object))
        privileges.push({ privilege, via: ['column'] });
    }
    if (privileges.length > 0)
      objects.push({
        kind,
        schema: object.schema,
        name: objectName({ ...object, schema: null }),
        privileges,
      });
  }
  return {
    role,
    superuser: attributes?.superuser ?? false,
    login: attributes?.login ?? false,
    inherits_from: [...holders].filter((name) => name !== role).sort(byName),
    set_role_to: [...settable].filter((name) => !holders.has(name)).sort(byName),
    database: catalog.currentDatabase,
    objects,
    future: futureGrantsFor(context, role),
  };
}

function columnPrivilege(
  context: ExplainContext,
  role: string,
  privilege: Privilege,
  object: ExplainObject,
): boolean {
  const holders = context.graph.holders(role);
  return (context.columnAcl.get(`${object.schema ?? ''}\u0000${object.name}`) ?? []).some(
    (entry) =>
      entry.privilege === privilege && (entry.grantee === null || holders.has(entry.grantee)),
  );
}

function samePrivileges(
  a: readonly EffectivePrivilege[],
  b: readonly EffectivePrivilege[],
): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The access as explain ROLE shows it: per schema and kind, one line when every object agrees. */
export interface CompactAccess {
  readonly databases: readonly EffectiveObject[];
  readonly schemas: readonly {
    readonly schema:
      | EffectiveObject
      | {
          readonly kind: 'schema';
          readonly schema: null;
          readonly name: string;
          readonly privileges: readonly EffectivePrivilege[];
        };
    readonly all: readonly EffectiveAllInSchema[];
    readonly objects: readonly EffectiveObject[];
  }[];
}

/**
 * Groups effective access by database and schema: when every object of a kind in a schema
 * (two or more) has the same privileges from the same sources, one `all` line stands for
 * them.
 */
export function compactAccess(context: ExplainContext, access: RoleAccess): CompactAccess {
  const { catalog } = context;
  const databases = access.objects.filter((object) => object.kind === 'database');
  const schemaNames = [
    ...new Set(
      catalog.objects.filter((object) => object.kind === 'schema').map((object) => object.name),
    ),
  ];
  const schemas = [];
  for (const name of schemaNames) {
    const schema = access.objects.find((o) => o.kind === 'schema' && o.name === name) ?? {
      kind: 'schema' as const,
      schema: null,
      name,
      privileges: [],
    };
    const all: EffectiveAllInSchema[] = [];
    const objects: EffectiveObject[] = [];
    for (const kind of ['table', 'sequence', 'function'] as const) {
      const inCatalog = catalog.objects.filter((o) => o.kind === kind && o.schema === name).length;
      const held = access.objects.filter((o) => o.kind === kind && o.schema === name);
      const first = held[0];
      if (
        first !== undefined &&
        inCatalog >= 2 &&
        held.length === inCatalog &&
        held.every((o) => samePrivileges(o.privileges, first.privileges))
      )
        all.push({ kind, schema: name, count: inCatalog, privileges: first.privileges });
      else objects.push(...held);
    }
    if (schema.privileges.length > 0 || all.length > 0 || objects.length > 0)
      schemas.push({ schema, all, objects });
  }
  return { databases, schemas };
}
