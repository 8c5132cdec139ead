/**
 * `db.explain(...)` and `db.graph(...)`: one catalog read (introspect/sql/explain.sql), then
 * the pure answers of src/explain/.
 */
import { type ExplainKind } from '../model/explain-catalog.js';
import {
  membershipDiagram,
  type DiagramFormat,
  type MembershipDiagram,
} from '../explain/diagram.js';
import {
  explainContext,
  explainPrivilege,
  type ExplainContext,
  type PrivilegeExplanation,
} from '../explain/privilege.js';
import {
  resolveKind,
  resolvePrivilege,
  resolveTarget,
  targetSchema,
  type Resolved,
} from '../explain/resolve.js';
import { roleAccess, type RoleAccess } from '../explain/role.js';
import { readExplainCatalog } from '../introspect/explain.js';
import { InvalidArgumentError } from './errors.js';
import { checkName } from './names.js';
import type { Queryable } from '../introspect/queryable.js';
import type { Session } from './session.js';

/** The session as introspection's Queryable: the explain read is one statement. */
function queryableOf(session: Session): Queryable {
  return {
    query: async <R extends object>(sql: string, params: unknown[] = []) => ({
      rows: await session.read<R>(sql, params),
    }),
  };
}

export type { PrivilegeExplanation } from '../explain/privilege.js';
export type { RoleAccess } from '../explain/role.js';

function ok<T>(resolved: Resolved<T>): T {
  if ('error' in resolved) throw new InvalidArgumentError(resolved.error);
  return resolved.ok;
}

/**
 * The one catalog read of an explain, ready for the pure functions of src/explain/; throws
 * InvalidArgumentError when `role` does not exist.
 */
export async function readExplainContext(
  session: Session,
  role: string,
  schema?: string,
): Promise<ExplainContext> {
  checkName('role name', role);
  const context = explainContext(
    await readExplainCatalog(queryableOf(session), { withObjects: true, schema }),
  );
  if (!context.graph.roles.has(role))
    throw new InvalidArgumentError(`role "${role}" does not exist`);
  return context;
}

/** See {@link PgwardDatabase.explain}. */
export async function explain(
  session: Session,
  role: string,
  privilege?: string,
  objectType?: string,
  object?: string,
): Promise<PrivilegeExplanation | RoleAccess> {
  checkName('role name', role);
  const asked = [privilege, objectType, object].filter((part) => part !== undefined).length;
  if (asked !== 0 && asked !== 3)
    throw new InvalidArgumentError(
      'explain takes a role alone, or a role, a privilege, an object type and an object',
    );
  if (privilege === undefined || objectType === undefined || object === undefined)
    return roleAccess(await readExplainContext(session, role), role);
  const kind: ExplainKind = ok(resolveKind(objectType));
  // One object needs the objects of its own schema only.
  const context = await readExplainContext(session, role, targetSchema(kind, object));
  const { catalog } = context;
  return explainPrivilege(
    context,
    role,
    ok(resolvePrivilege(catalog, kind, privilege)),
    ok(resolveTarget(catalog, kind, object)),
  );
}

export interface GraphOptions {
  /** Only these roles' neighbourhood: their members and memberships, transitively. */
  readonly roles?: readonly string[] | undefined;
  /** `mermaid` (default) or `dot`. */
  readonly format?: DiagramFormat | undefined;
}

/** See {@link PgwardDatabase.graph}. */
export async function graph(
  session: Session,
  options: GraphOptions = {},
): Promise<MembershipDiagram> {
  const catalog = await readExplainCatalog(queryableOf(session), { withObjects: false });
  const known = new Set(catalog.roles.map((role) => role.name));
  for (const role of options.roles ?? []) {
    checkName('role name', role);
    if (!known.has(role)) throw new InvalidArgumentError(`role "${role}" does not exist`);
  }
  return membershipDiagram(catalog, {
    roles: options.roles ?? [],
    format: options.format ?? 'mermaid',
  });
}
