/**
 * `dropLogin`: drops a login role the careful way a plan drops one (REASSIGN OWNED, DROP
 * OWNED, DROP ROLE), in one transaction, after checking what the role still owns and where.
 * It refuses protected roles and group roles (no LOGIN, or with members): those are retired
 * in the config, where the roles that reach through them are declared too.
 */
import { compareStrings, sortedStrings } from '../model/order.js';
import { protectionReason, protectionRules } from '../resolve/protection.js';
import { DropLoginError, type DatabaseDependencies, type DropLoginRefusal } from '../errors.js';
import { readDependencies } from '../introspect/dependencies.js';
import { readMemberships } from '../introspect/roles.js';
import { readServer } from '../introspect/server.js';
import type { RoleDependency } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import { printable } from '../report/terminal.js';
import { catalogQuery } from './catalog.js';
import { queryableOf, type Session, type Transaction } from './session.js';

export interface DropLoginOptions {
  /** Role that takes over the objects it owns here (`REASSIGN OWNED BY ... TO ...`). */
  readonly reassignTo?: string | undefined;
}

/** How many owned objects a refusal lists. */
const SHOWN_OBJECTS = 20;

function quoted(name: string): string {
  return `"${printable(name)}"`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * The lines under a refusal's first line: what the role has in each other database, or the
 * objects it owns here. Every caller's wording of the refusal shows them.
 */
export function refusalDetails(refusal: DropLoginRefusal): string[] {
  if (refusal.kind === 'owns_in_other_databases')
    return refusal.databases.map(({ database, owned, other }) => {
      const what = [
        ...(owned > 0 ? [`owns ${count(owned, 'object')}`] : []),
        ...(other > 0 ? [`holds privileges on or is named in ${count(other, 'object')}`] : []),
      ];
      return `  database ${quoted(database)}: ${what.join(' and ')}`;
    });
  if (refusal.kind === 'owns_objects') {
    const more = refusal.count - refusal.objects.length;
    return [
      ...refusal.objects.map((object) => `  ${printable(object)}`),
      ...(more > 0 ? [`  ... and ${more} more`] : []),
    ];
  }
  return [];
}

/** The library's wording of a refusal: the option is `reassignTo`. */
function refusalMessage(role: string, refusal: DropLoginRefusal): string {
  const headline = ((): string => {
    switch (refusal.kind) {
      case 'protected':
        return `role ${quoted(role)} is protected (${refusal.reason}): pgward never drops it`;
      case 'missing':
        return `role ${quoted(role)} does not exist`;
      case 'not_login':
        return `role ${quoted(role)} cannot log in: dropLogin only drops login roles; retire a group role with \`absent: true\` in the config`;
      case 'group_role':
        return `role ${quoted(role)} has members (${refusal.members.map(quoted).join(', ')}), so it is a group role: dropLogin only drops login roles that are nobody's group`;
      case 'reassign_to_itself':
        return `reassignTo names the role being dropped, ${quoted(role)}`;
      case 'reassign_target_missing':
        return `role ${quoted(refusal.target)} (reassignTo) does not exist`;
      case 'owns_in_other_databases':
        return `role ${quoted(role)} still owns or holds privileges in other databases; run REASSIGN OWNED BY / DROP OWNED BY there first`;
      case 'owns_objects':
        return `role ${quoted(role)} owns ${count(refusal.count, 'object')} in database ${quoted(refusal.database)}; give reassignTo to hand them over before dropping it`;
    }
  })();
  return [headline, ...refusalDetails(refusal)].join('\n');
}

function refuse(role: string, refusal: DropLoginRefusal): never {
  throw new DropLoginError(refusalMessage(role, refusal), role, refusal);
}

/** Per database other than `here`, sorted by name: what the role owns and holds there. */
function otherDatabases(
  dependencies: readonly RoleDependency[],
  here: string,
): DatabaseDependencies[] {
  const byDatabase = new Map<string, { owned: number; other: number }>();
  for (const d of dependencies) {
    if (d.database === null || d.database === here) continue;
    const counts = byDatabase.get(d.database) ?? { owned: 0, other: 0 };
    if (d.type === 'owner') counts.owned += d.count;
    else counts.other += d.count;
    byDatabase.set(d.database, counts);
  }
  return [...byDatabase]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([database, counts]) => ({ database, ...counts }));
}

/** Checks, inside the drop's transaction, what stands in the way, and returns the statements. */
async function dropOperations(
  tx: Transaction,
  name: string,
  reassignTo: string | undefined,
): Promise<Operation[]> {
  const client = queryableOf(tx);
  const server = await readServer(client);
  const memberships = await readMemberships(client, server);
  const [role] = await tx.query<{ login: boolean }>(
    'SELECT rolcanlogin AS login FROM pg_catalog.pg_roles WHERE rolname = $1',
    [name],
  );
  // pg_* roles, the bootstrap superuser, the connecting role, managed-cloud admin roles and
  // their members: the roles a plan never drops either.
  const reason = protectionReason(name, protectionRules({ server, memberships }, []));
  if (reason !== null) refuse(name, { kind: 'protected', reason });
  if (role === undefined) refuse(name, { kind: 'missing' });
  // A group role is retired in the config, where the roles that reach through it are
  // declared too: dropping it here would silently take their access away.
  if (!role.login) refuse(name, { kind: 'not_login' });
  const members = [...new Set(memberships.filter((m) => m.role === name).map((m) => m.member))];
  if (members.length > 0) refuse(name, { kind: 'group_role', members: sortedStrings(members) });

  if (reassignTo !== undefined) {
    if (reassignTo === name) refuse(name, { kind: 'reassign_to_itself' });
    const target = await tx.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [
      reassignTo,
    ]);
    if (target.length === 0) refuse(name, { kind: 'reassign_target_missing', target: reassignTo });
  }

  const dependencies = (await readDependencies(client)).filter((d) => d.role === name);
  // REASSIGN OWNED and DROP OWNED act on the connected database (and shared objects) only.
  const elsewhere = otherDatabases(dependencies, server.currentDatabase);
  if (elsewhere.length > 0) refuse(name, { kind: 'owns_in_other_databases', databases: elsewhere });
  const owned = dependencies.filter((d) => d.type === 'owner').reduce((n, d) => n + d.count, 0);
  if (owned > 0 && reassignTo === undefined) {
    const objects = await tx.query<{ object: string }>(catalogQuery('login-owned-objects'), [
      name,
      SHOWN_OBJECTS,
    ]);
    refuse(name, {
      kind: 'owns_objects',
      database: server.currentDatabase,
      count: owned,
      objects: objects.map((row) => row.object),
    });
  }
  return [
    ...(reassignTo === undefined
      ? []
      : [{ type: 'reassign_owned', role: name, to: reassignTo } as const]),
    // Revokes its privileges and default privileges here (nothing it owns is left to drop:
    // checked above, or reassigned just before).
    { type: 'drop_owned', role: name },
    { type: 'drop_role', role: name },
  ];
}

/**
 * Drops the login role `name` in one transaction: with `reassignTo`, REASSIGN OWNED BY it TO
 * that role first; then DROP OWNED (its privileges and default privileges here) and DROP
 * ROLE. Throws DropLoginError, with nothing changed, for a protected role, a group role, a
 * missing one, or one that still owns objects here (without `reassignTo`) or anything in
 * another database.
 */
export async function dropLogin(
  session: Session,
  name: string,
  options: DropLoginOptions = {},
): Promise<void> {
  await session.transaction(async (tx) => {
    for (const op of await dropOperations(tx, name, options.reassignTo)) await tx.execute(op);
  });
}
