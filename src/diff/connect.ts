/**
 * CONNECT on the connected database, for the role pgward logs in as.
 *
 * PostgreSQL checks CONNECT at login for the session user, before a `role` setting (ALTER
 * ROLE ... SET role, PGOPTIONS=-c role=...) makes it the connecting role, and a superuser
 * session user needs none. A session user that is no superuser holds CONNECT directly, from
 * PUBLIC, or from a role whose privileges it has (16+: through rows with INHERIT; before 16:
 * through members with the INHERIT attribute). Revoking CONNECT from the last of those would
 * let this apply commit and refuse every later login ("permission denied for database"). So
 * such a revoke is kept out of the plan, with a warning, while no other source would remain.
 */
import type { CurrentState } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import { rolesPrivilegesOf } from '../resolve/member-of.js';

type RevokePrivileges = Extract<Operation, { type: 'revoke_privileges' }>;

/** Where a privilege comes from: a role's name, or null for PUBLIC (as introspection has it). */
type Source = string | null;

/**
 * The source a revoke's grantee names. Every grantee is a role today; the one place to map
 * PUBLIC when revokes from it are planned.
 */
function sourceOf(grantee: string): Source {
  return grantee;
}

function label(source: Source): string {
  return source === null ? 'PUBLIC' : `"${source}"`;
}

/** The sources of the session user's CONNECT on the connected database; null if it needs none. */
function connectSources(current: CurrentState): Set<Source> | null {
  const { sessionUser, currentDatabase } = current.server;
  const session = current.roles.find((role) => role.name === sessionUser);
  if (session?.attributes.superuser !== false) return null;
  const inherits = rolesPrivilegesOf(current, sessionUser);
  const onDatabase = (object: { kind: string; name: string }, column?: string): boolean =>
    object.kind === 'database' && object.name === currentDatabase && column === undefined;
  const sources = new Set<Source>();
  for (const fact of current.privileges)
    if (
      fact.privilege === 'CONNECT' &&
      onDatabase(fact.object, fact.column) &&
      inherits.has(fact.grantee)
    )
      sources.add(fact.grantee);
  for (const fact of current.publicPrivileges ?? [])
    if (fact.privilege === 'CONNECT' && onDatabase(fact.object, fact.column)) sources.add(null);
  return sources;
}

/** Whether `operation` revokes CONNECT on the connected database (grant option aside). */
function revokesConnect(
  operation: Operation,
  database: string,
): operation is RevokePrivileges & { readonly target: { readonly scope: 'objects' } } {
  return (
    operation.type === 'revoke_privileges' &&
    !operation.grantOptionOnly &&
    operation.privileges.includes('CONNECT') &&
    operation.target.scope === 'objects' &&
    operation.target.kind === 'database' &&
    operation.target.objects.some((object) => object.name === database)
  );
}

/**
 * Takes CONNECT on the connected database out of the revokes that would leave the session
 * user without it (all of them, when together they take its every source), with a warning
 * naming each role kept.
 */
export function keepSessionConnect(
  operations: readonly Operation[],
  current: CurrentState,
): { operations: Operation[]; warnings: string[] } {
  const { sessionUser, currentDatabase } = current.server;
  const sources = connectSources(current);
  if (sources === null) return { operations: [...operations], warnings: [] };
  const revoked = new Set<Source>(
    operations.flatMap((operation) =>
      revokesConnect(operation, currentDatabase)
        ? operation.grantees.map(sourceOf).filter((source) => sources.has(source))
        : [],
    ),
  );
  if (revoked.size === 0 || [...sources].some((source) => !revoked.has(source)))
    return { operations: [...operations], warnings: [] };
  const warnings = [...revoked].map(
    (source) =>
      `CONNECT on database "${currentDatabase}" is kept for ${label(source)}: the session user "${sessionUser}" needs CONNECT to log in (checked before any role setting applies) and holds it ${source === sessionUser ? 'directly' : 'through it'}, with no other source left`,
  );
  const kept = operations.flatMap((operation): Operation[] => {
    if (!revokesConnect(operation, currentDatabase)) return [operation];
    const keep = operation.grantees.filter((grantee) => revoked.has(sourceOf(grantee)));
    if (keep.length === 0) return [operation];
    const others = operation.grantees.filter((grantee) => !keep.includes(grantee));
    const rest = operation.privileges.filter((privilege) => privilege !== 'CONNECT');
    const { target } = operation;
    const here = target.objects.filter((object) => object.name === currentDatabase);
    const elsewhere = target.objects.filter((object) => object.name !== currentDatabase);
    return [
      ...(others.length > 0 ? [{ ...operation, grantees: others }] : []),
      ...(elsewhere.length > 0
        ? [{ ...operation, target: { ...target, objects: elsewhere }, grantees: keep }]
        : []),
      ...(rest.length > 0
        ? [{ ...operation, target: { ...target, objects: here }, grantees: keep, privileges: rest }]
        : []),
    ];
  });
  return { operations: kept, warnings: [...new Set(warnings)].sort() };
}
