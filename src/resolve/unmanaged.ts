/**
 * Roles that exist but that the config does not declare, by `settings.unmanaged_roles`:
 * ignore, report (a finding each, see findings.ts) or drop.
 *
 * Dropping follows ldap2pg's careful sequence: REASSIGN OWNED (objects go to
 * `reassign_owned_to`), DROP OWNED (privileges and default privileges go), DROP ROLE. Both
 * OWNED commands act on the connected database (and shared objects) only, so a role that owns
 * or holds anything in another database is refused here, at plan time, rather than failing
 * DROP ROLE at apply time.
 */
import type { Operation } from '../model/operations.js';
import type { CurrentState, DesiredState, RoleDependency } from '../model/state.js';
import { compareStrings } from '../model/order.js';
import type { Problems } from './problems.js';

export interface UnmanagedRoles {
  readonly operations: Operation[];
  /** Roles this plan drops. */
  readonly dropped: ReadonlySet<string>;
}

export function planUnmanagedRoles(
  current: CurrentState,
  desired: DesiredState,
  isProtected: (role: string) => boolean,
  problems: Problems,
): UnmanagedRoles {
  const operations: Operation[] = [];
  const dropped = new Set<string>();
  if (desired.unmanagedRoles !== 'drop') return { operations, dropped };

  const referenced = referencedRoles(desired);
  const unmanaged = current.roles
    .map((role) => role.name)
    .filter(
      (name) => !desired.managedRoles.has(name) && !isProtected(name) && !referenced.has(name),
    )
    .sort(compareStrings);

  for (const role of unmanaged) {
    const dependencies = current.dependencies.filter(
      (dependency) => dependency.role === role && dependency.count > 0,
    );
    // REASSIGN/DROP OWNED in the connected database also cover shared objects (database null).
    const here = dependencies.filter(
      (dependency) =>
        dependency.database === null || dependency.database === current.server.currentDatabase,
    );
    const elsewhere = dependencies.filter(
      (dependency) =>
        dependency.database !== null &&
        dependency.database !== current.server.currentDatabase &&
        desired.otherManagedDatabases?.has(dependency.database) !== true,
    );
    let refused = false;
    for (const dependency of elsewhere.sort((a, b) =>
      compareStrings(a.database ?? '', b.database ?? ''),
    )) {
      problems.add(
        `role "${role}" ${describe(dependency)} in database "${dependency.database}"; pgward cannot drop it from "${current.server.currentDatabase}"`,
      );
      refused = true;
    }
    const owned = here
      .filter((dependency) => dependency.type === 'owner')
      .reduce((sum, d) => sum + d.count, 0);
    if (owned > 0 && desired.reassignOwnedTo === null) {
      problems.add(
        `role "${role}" owns ${plural(owned, 'object')} in database "${current.server.currentDatabase}"; set settings.reassign_owned_to so that pgward can drop it`,
      );
      refused = true;
    }
    if (refused) continue;
    if (owned > 0 && desired.reassignOwnedTo !== null)
      operations.push({ type: 'reassign_owned', role, to: desired.reassignOwnedTo });
    if (here.length > 0) operations.push({ type: 'drop_owned', role });
    operations.push({ type: 'drop_role', role });
    dropped.add(role);
  }
  return { operations, dropped };
}

/**
 * Roles the config relies on without declaring them (`member_of: [legacy]`, `for_role`,
 * `reassign_owned_to`): never dropped (the plan would break itself), nor reported as merely
 * unmanaged.
 */
export function referencedRoles(desired: DesiredState): ReadonlySet<string> {
  return new Set<string>([
    ...desired.memberships.map((membership) => membership.role),
    ...desired.defaultPrivileges.map((fact) => fact.forRole),
    ...(desired.reassignOwnedTo === null ? [] : [desired.reassignOwnedTo]),
  ]);
}

function describe(dependency: RoleDependency): string {
  switch (dependency.type) {
    case 'owner':
      return `owns ${plural(dependency.count, 'object')}`;
    case 'acl':
      return `holds privileges on ${plural(dependency.count, 'object')}`;
    case 'policy':
      return `is named in ${plural(dependency.count, 'row-level security policy', 'row-level security policies')}`;
    case 'initacl':
      return `holds initial privileges on ${plural(dependency.count, 'extension object')}`;
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
