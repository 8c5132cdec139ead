/**
 * Why a role can (or cannot) use one privilege on one object: the same decision as the
 * server's `has_*_privilege` (pg_class_aclmask, pg_namespace_aclmask, ... in
 * src/backend/catalog/aclchk.c), with every path that leads to it.
 *
 * The server's rules, in the order it applies them:
 * - a SUPERUSER has every privilege (its own attribute: members of a superuser do not);
 * - an ACL entry (the object's, or its built-in default when the ACL is NULL) to PUBLIC, to the
 *   role, or to a role whose privileges it has (`has_privs_of_role`: inheriting memberships).
 *   The owner is no exception: its privileges are the ACL's owner entries, which it can revoke;
 * - predefined roles: pg_read_all_data gives SELECT on relations and USAGE on schemas,
 *   pg_write_all_data INSERT/UPDATE/DELETE on relations and USAGE on schemas, pg_maintain
 *   (17+) MAINTAIN on relations (https://www.postgresql.org/docs/current/predefined-roles.html);
 * - a column privilege is the table's privilege or the column's own ACL entry.
 */
import { COLUMN_PRIVILEGES, type Privilege } from '../model/privileges.js';
import {
  DEFAULT_ACL_KIND,
  explainPrivileges,
  objectName,
  type AclEntry,
  type ExplainCatalog,
  type ExplainKind,
  type ExplainObject,
  type ExplainPolicy,
} from '../model/explain-catalog.js';
import {
  chainUse,
  membershipGraph,
  type MembershipEdge,
  type MembershipGraph,
} from './memberships.js';

/** One step of a path, from the role to the privilege. */
export type ExplainStep =
  | { readonly kind: 'superuser'; readonly role: string }
  | {
      readonly kind: 'membership';
      readonly member: string;
      readonly role: string;
      readonly inherit: boolean;
      readonly set: boolean;
      readonly admin: boolean;
      /** The database owner's implicit membership in pg_database_owner. */
      readonly implicit: boolean;
    }
  /** The privileges after this step are usable only after `SET ROLE role`. */
  | { readonly kind: 'set_role'; readonly role: string }
  | {
      readonly kind: 'grant';
      readonly grantee: string;
      readonly grantor: string;
      readonly grantable: boolean;
    }
  | { readonly kind: 'owner'; readonly role: string }
  | { readonly kind: 'public'; readonly grantor: string }
  | { readonly kind: 'predefined'; readonly role: string }
  | {
      readonly kind: 'column_grant';
      readonly column: string;
      /** null: PUBLIC. */
      readonly grantee: string | null;
      readonly grantor: string;
    };

export type ExplainPath = readonly ExplainStep[];

/** Something that stands between the role and using the privilege. */
export interface MissingItem {
  readonly kind:
    'privilege' | 'inherit' | 'membership' | 'columns_only' | 'schema_usage' | 'database_connect';
  readonly message: string;
}

/** A default privilege that will give the privilege on future objects. */
export interface FutureGrant {
  /** Objects created by this role (ALTER DEFAULT PRIVILEGES FOR ROLE ...). */
  readonly for_role: string;
  readonly object_type: 'database' | 'schema' | 'table' | 'sequence' | 'function';
  /** null: in every schema. */
  readonly schema: string | null;
  /** null: PUBLIC. */
  readonly grantee: string | null;
  readonly privilege: Privilege;
}

export interface RowSecurity {
  readonly forced: boolean;
  /** Why rows are not filtered for this role, or null when they are. */
  readonly bypass: 'superuser' | 'bypassrls' | 'owner' | null;
  /** Policies for this command that apply to the role. */
  readonly policies: readonly {
    readonly name: string;
    readonly command: string;
    readonly permissive: boolean;
    readonly roles: readonly string[];
  }[];
}

export interface PrivilegeExplanation {
  readonly role: string;
  readonly privilege: Privilege;
  readonly object_type: ExplainKind;
  readonly object: string;
  /** What `has_*_privilege(role, object, privilege)` answers. */
  readonly allowed: boolean;
  /** Every path that gives the privilege, usable ones first (SET ROLE ones marked). */
  readonly paths: readonly ExplainPath[];
  readonly missing: readonly MissingItem[];
  /**
   * Tables: columns the role holds the privilege on when it does not hold it on the whole
   * table (what makes `has_any_column_privilege` true).
   */
  readonly columns: readonly string[];
  /** Row-level security of the table, for row privileges; null when it does not apply. */
  readonly row_security: RowSecurity | null;
  readonly future: readonly FutureGrant[];
}

/** A privilege source: who holds it (null = PUBLIC) and the step that states it. */
interface Source {
  readonly holder: string | null;
  readonly step: ExplainStep;
}

/** Predefined roles that stand for a privilege on every object of a kind. */
function predefinedFor(kind: ExplainKind, privilege: Privilege, versionNum: number): string[] {
  const relation = kind === 'table' || kind === 'sequence' || kind === 'column';
  if (relation && privilege === 'SELECT') return ['pg_read_all_data'];
  if (relation && (privilege === 'INSERT' || privilege === 'UPDATE' || privilege === 'DELETE'))
    return ['pg_write_all_data'];
  if (relation && privilege === 'MAINTAIN' && versionNum >= 170000) return ['pg_maintain'];
  if (kind === 'schema' && privilege === 'USAGE') return ['pg_read_all_data', 'pg_write_all_data'];
  return [];
}

function aclSources(object: ExplainObject, privilege: Privilege): Source[] {
  return object.acl
    .filter((entry) => entry.privilege === privilege)
    .map((entry: AclEntry): Source => {
      if (entry.grantee === null)
        return { holder: null, step: { kind: 'public', grantor: entry.grantor } };
      if (entry.grantee === object.owner)
        return { holder: entry.grantee, step: { kind: 'owner', role: entry.grantee } };
      return {
        holder: entry.grantee,
        step: {
          kind: 'grant',
          grantee: entry.grantee,
          grantor: entry.grantor,
          grantable: entry.grantable,
        },
      };
    });
}

function membershipStep(edge: MembershipEdge): ExplainStep {
  return {
    kind: 'membership',
    member: edge.member,
    role: edge.role,
    inherit: edge.inherit,
    set: edge.set,
    admin: edge.admin,
    implicit: edge.implicit,
  };
}

/** The paths from `role` to one source, classified. */
function pathsTo(
  graph: MembershipGraph,
  role: string,
  source: Source,
): { usable: ExplainPath[]; setRole: ExplainPath[]; blocked: MembershipEdge[] } {
  const result = {
    usable: [] as ExplainPath[],
    setRole: [] as ExplainPath[],
    blocked: [] as MembershipEdge[],
  };
  if (source.holder === null) {
    result.usable.push([source.step]);
    return result;
  }
  for (const chain of graph.chains(role, source.holder)) {
    const use = chainUse(chain);
    const steps = chain.map(membershipStep);
    if (use.use === 'inherited') result.usable.push([...steps, source.step]);
    else if (use.use === 'set_role') {
      const at = chain.findIndex((edge) => edge.role === use.role) + 1;
      result.setRole.push([
        ...steps.slice(0, at),
        { kind: 'set_role', role: use.role },
        ...steps.slice(at),
        source.step,
      ]);
    } else result.blocked.push(use.blocking);
  }
  return result;
}

/** An object a catalog read holds, with the column when the kind is `column`. */
export interface ExplainTarget {
  readonly kind: ExplainKind;
  readonly object: ExplainObject;
  readonly column?: string;
}

/** Everything explain derives once per catalog read and reuses for every question. */
export interface ExplainContext {
  readonly catalog: ExplainCatalog;
  readonly graph: MembershipGraph;
  readonly databaseOwner: string | null;
  /** Column ACL entries by `schema\0table`. */
  readonly columnAcl: ReadonlyMap<string, readonly (AclEntry & { readonly column: string })[]>;
}

export function explainContext(catalog: ExplainCatalog): ExplainContext {
  const databaseOwner =
    catalog.objects.find(
      (object) => object.kind === 'database' && object.name === catalog.currentDatabase,
    )?.owner ?? null;
  const columnAcl = new Map<string, (AclEntry & { column: string })[]>();
  for (const entry of catalog.columnAcl) {
    const key = `${entry.schema}\u0000${entry.table}`;
    columnAcl.set(key, [...(columnAcl.get(key) ?? []), entry]);
  }
  return { catalog, graph: membershipGraph(catalog, databaseOwner), databaseOwner, columnAcl };
}

/** The sources of a privilege on a target, PUBLIC and predefined roles included. */
function sourcesOf(context: ExplainContext, target: ExplainTarget, privilege: Privilege): Source[] {
  const { object } = target;
  const sources = aclSources(object, privilege);
  for (const role of predefinedFor(target.kind, privilege, context.catalog.versionNum))
    if (context.graph.roles.has(role))
      sources.push({ holder: role, step: { kind: 'predefined', role } });
  if (target.kind === 'column' && target.column !== undefined)
    sources.push(...columnSources(context, object, privilege, target.column));
  return sources;
}

function columnSources(
  context: ExplainContext,
  object: ExplainObject,
  privilege: Privilege,
  column: string | undefined,
): Source[] {
  const entries = context.columnAcl.get(`${object.schema ?? ''}\u0000${object.name}`) ?? [];
  return entries
    .filter(
      (entry) => entry.privilege === privilege && (column === undefined || entry.column === column),
    )
    .map((entry) => ({
      holder: entry.grantee,
      step: {
        kind: 'column_grant',
        column: entry.column,
        grantee: entry.grantee,
        grantor: entry.grantor,
      },
    }));
}

/** Columns of a table `role` holds `privilege` on through column grants, and from whom. */
export function heldColumns(
  context: ExplainContext,
  role: string,
  privilege: Privilege,
  object: ExplainObject,
): { columns: string[]; via: string[] } {
  const held = columnSources(context, object, privilege, undefined).filter((source) =>
    reaches(context, role, source),
  );
  return {
    columns: [
      ...new Set(held.flatMap(({ step }) => (step.kind === 'column_grant' ? [step.column] : []))),
    ],
    via: [...new Set(held.map((source) => source.holder ?? 'PUBLIC'))],
  };
}

/** Whether a source's holder is PUBLIC or a role whose privileges `role` has. */
function reaches(context: ExplainContext, role: string, source: Source): boolean {
  return source.holder === null || context.graph.holders(role).has(source.holder);
}

/**
 * Whether `role` holds `privilege` on `target` — the server's answer, without paths. Used by
 * `explain ROLE` for every object, so it does no path search.
 */
export function isAllowed(
  context: ExplainContext,
  role: string,
  privilege: Privilege,
  target: ExplainTarget,
): boolean {
  if (context.graph.roles.get(role)?.superuser === true) return true;
  return sourcesOf(context, target, privilege).some((source) => reaches(context, role, source));
}

const POLICY_COMMAND: Readonly<Partial<Record<Privilege, string>>> = {
  SELECT: 'r',
  INSERT: 'a',
  UPDATE: 'w',
  DELETE: 'd',
};
const POLICY_COMMAND_NAME: Readonly<Record<string, string>> = {
  r: 'SELECT',
  a: 'INSERT',
  w: 'UPDATE',
  d: 'DELETE',
  '*': 'ALL',
};

/**
 * Row-level security for a row privilege: bypassed by superusers, BYPASSRLS roles and the
 * owner (a role with the owner's privileges) unless FORCE; otherwise the policies for the
 * command whose roles include PUBLIC or a role whose privileges the role has
 * (https://www.postgresql.org/docs/current/ddl-rowsecurity.html).
 */
function rowSecurity(
  context: ExplainContext,
  role: string,
  privilege: Privilege,
  object: ExplainObject,
): RowSecurity | null {
  const command = POLICY_COMMAND[privilege];
  if (!object.rowSecurity || command === undefined) return null;
  const attributes = context.graph.roles.get(role);
  const holders = context.graph.holders(role);
  const bypass = attributes?.superuser
    ? 'superuser'
    : attributes?.bypassrls
      ? 'bypassrls'
      : holders.has(object.owner) && !object.forceRowSecurity
        ? 'owner'
        : null;
  const applies = (policy: ExplainPolicy): boolean =>
    policy.schema === object.schema &&
    policy.table === object.name &&
    (policy.command === '*' || policy.command === command) &&
    policy.roles.some((name) => name === null || holders.has(name));
  return {
    forced: object.forceRowSecurity,
    bypass,
    policies: context.catalog.policies.filter(applies).map((policy) => ({
      name: policy.name,
      command: POLICY_COMMAND_NAME[policy.command] ?? policy.command,
      permissive: policy.permissive,
      roles: policy.roles.map((name) => name ?? 'PUBLIC'),
    })),
  };
}

function futureGrants(
  context: ExplainContext,
  role: string,
  privilege: Privilege,
  object: ExplainObject,
): FutureGrant[] {
  const schema = object.kind === 'schema' ? null : object.schema;
  return futureGrantsFor(context, role).filter(
    (grant) =>
      grant.object_type === object.kind &&
      grant.privilege === privilege &&
      (grant.schema === null || grant.schema === schema),
  );
}

/**
 * Default privileges (ALTER DEFAULT PRIVILEGES) that will give `role` privileges on objects
 * created later: granted to PUBLIC or to a role whose privileges it has.
 */
export function futureGrantsFor(context: ExplainContext, role: string): FutureGrant[] {
  const holders = context.graph.holders(role);
  return context.catalog.defaultAcl.flatMap((entry) => {
    const kind = DEFAULT_ACL_KIND[entry.objectType];
    if (kind === undefined || (entry.grantee !== null && !holders.has(entry.grantee))) return [];
    return [
      {
        for_role: entry.forRole,
        object_type: kind,
        schema: entry.schema,
        grantee: entry.grantee,
        privilege: entry.privilege,
      },
    ];
  });
}

/**
 * Where `role`'s privilege on `target` comes from, as labels (`superuser`, `PUBLIC`, `owner`,
 * the holding role's name): empty when the role does not have it.
 */
export function explainSources(
  context: ExplainContext,
  role: string,
  privilege: Privilege,
  target: ExplainTarget,
): string[] {
  if (context.graph.roles.get(role)?.superuser === true) return ['superuser'];
  const labels = new Set<string>();
  for (const source of sourcesOf(context, target, privilege)) {
    if (!reaches(context, role, source)) continue;
    if (source.holder === null) labels.add('PUBLIC');
    else if (source.step.kind !== 'owner') labels.add(source.holder);
    else labels.add(source.holder === role ? 'owner' : `${source.holder} (owner)`);
  }
  return [...labels];
}

/** Looks an object up by kind and schema/name, or returns null. */
export function findObject(
  catalog: ExplainCatalog,
  kind: 'database' | 'schema' | 'table' | 'sequence' | 'function',
  schema: string | null,
  name: string,
): ExplainObject[] {
  return catalog.objects.filter(
    (object) => object.kind === kind && object.schema === schema && object.name === name,
  );
}

/**
 * Explains one privilege on one object. `target` comes from the same catalog read (see
 * resolve.ts); `privilege` must be one of the kind's privileges on this server.
 */
export function explainPrivilege(
  context: ExplainContext,
  role: string,
  privilege: Privilege,
  target: ExplainTarget,
): PrivilegeExplanation {
  const { graph, catalog } = context;
  const { object } = target;
  const display =
    target.kind === 'column' ? `${objectName(object)}.${target.column ?? ''}` : objectName(object);
  const usable: ExplainPath[] = [];
  const setRole: ExplainPath[] = [];
  const blocked: MembershipEdge[] = [];
  if (graph.roles.get(role)?.superuser === true) usable.push([{ kind: 'superuser', role }]);
  for (const source of sourcesOf(context, target, privilege)) {
    const found = pathsTo(graph, role, source);
    usable.push(...found.usable);
    setRole.push(...found.setRole);
    blocked.push(...found.blocked);
  }
  const allowed = isAllowed(context, role, privilege, target);
  const columns =
    !allowed && target.kind === 'table' && COLUMN_PRIVILEGES.includes(privilege)
      ? heldColumns(context, role, privilege, object).columns
      : [];
  const missing: MissingItem[] = [];
  if (!allowed) {
    missing.push({
      kind: 'privilege',
      message: `no ${privilege} on ${target.kind} "${display}" granted to "${role}", to a role whose privileges it inherits, or to PUBLIC${heldBy(context, target, privilege)}`,
    });
    for (const path of setRole) {
      const at = path.find((step) => step.kind === 'set_role');
      const links = path.flatMap((step) =>
        step.kind === 'membership' && !step.inherit
          ? [
              catalog.versionNum >= 160000
                ? `the membership of "${step.member}" in "${step.role}" has INHERIT FALSE`
                : `"${step.member}" is NOINHERIT`,
            ]
          : [],
      );
      if (at?.kind === 'set_role')
        missing.push({
          kind: 'inherit',
          message: `${links.join(' and ')}: usable only after SET ROLE "${at.role}"`,
        });
    }
    for (const edge of blocked)
      missing.push({
        kind: 'membership',
        message: `"${edge.member}" is a member of "${edge.role}" WITH INHERIT FALSE, SET FALSE: it gives no privileges`,
      });
    if (columns.length > 0)
      missing.push({
        kind: 'columns_only',
        message: `${privilege} is granted on some columns only: ${columns.join(', ')}`,
      });
  }
  missing.push(...prerequisites(context, role, target));
  return {
    role,
    privilege,
    object_type: target.kind,
    object: display,
    allowed,
    paths: [...usable, ...setRole],
    missing: dedupe(missing),
    columns,
    row_security: target.kind === 'table' ? rowSecurity(context, role, privilege, object) : null,
    future: futureGrants(context, role, privilege, object),
  };
}

/** `; held by "a", "b" (owner)`: who does hold the privilege, to show what membership is missing. */
function heldBy(context: ExplainContext, target: ExplainTarget, privilege: Privilege): string {
  const holders = [
    ...new Set(
      sourcesOf(context, target, privilege).flatMap((source) =>
        source.holder === null || source.step.kind === 'column_grant'
          ? []
          : [`"${source.holder}"${source.step.kind === 'owner' ? ' (owner)' : ''}`],
      ),
    ),
  ];
  return holders.length === 0 ? '' : `; held by ${holders.join(', ')}`;
}

function dedupe(items: readonly MissingItem[]): MissingItem[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.message) && Boolean(seen.add(item.message)));
}

/**
 * What else the role needs to use the object at all, which `has_*_privilege` does not check:
 * USAGE on its schema and CONNECT on the current database.
 */
function prerequisites(
  context: ExplainContext,
  role: string,
  target: ExplainTarget,
): MissingItem[] {
  const { catalog } = context;
  const missing: MissingItem[] = [];
  const schemaName = target.object.schema;
  if (schemaName !== null) {
    const schema = findObject(catalog, 'schema', null, schemaName)[0];
    if (schema && !isAllowed(context, role, 'USAGE', { kind: 'schema', object: schema }))
      missing.push({
        kind: 'schema_usage',
        message: `no USAGE on schema "${schemaName}": "${role}" cannot reach objects in it`,
      });
  }
  if (target.kind !== 'database') {
    const database = findObject(catalog, 'database', null, catalog.currentDatabase)[0];
    if (database && !isAllowed(context, role, 'CONNECT', { kind: 'database', object: database }))
      missing.push({
        kind: 'database_connect',
        message: `no CONNECT on database "${catalog.currentDatabase}": "${role}" cannot connect to it`,
      });
  }
  return missing;
}

/** The privileges explain accepts for a kind on this server. */
export function privilegesOf(catalog: ExplainCatalog, kind: ExplainKind): readonly Privilege[] {
  return explainPrivileges(kind, catalog.versionNum);
}
