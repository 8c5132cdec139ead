/**
 * `renamed_from`: ALTER ROLE ... RENAME keeps the role's OID, so its ownerships, grants and
 * memberships carry over. The diff therefore renames first, then compares the desired role
 * with the old role's state under its new name.
 */
import type { Operation } from '../model/operations.js';
import type { CurrentState, DesiredState } from '../model/state.js';
import { compareStrings } from '../model/order.js';

export interface Renames {
  /** Old name → new name. */
  readonly map: ReadonlyMap<string, string>;
  readonly operations: Operation[];
  readonly warnings: string[];
}

/**
 * Renames to make: the target does not exist and the old role does (if the target exists,
 * `renamed_from` is history and is ignored). Protected and managed roles are never renamed.
 */
export function planRenames(
  current: CurrentState,
  desired: DesiredState,
  isProtected: (role: string) => boolean,
): Renames {
  const existing = new Map(current.roles.map((role) => [role.name, role]));
  const map = new Map<string, string>();
  const warnings: string[] = [];
  const candidates = desired.roles
    .filter((role) => role.renamedFrom !== undefined)
    .sort((a, b) => compareStrings(a.name, b.name));
  for (const role of candidates) {
    const from = role.renamedFrom as string;
    const old = existing.get(from);
    if (existing.has(role.name) || old === undefined) continue;
    if (isProtected(from) || desired.managedRoles.has(from) || map.has(from)) continue;
    map.set(from, role.name);
    // PostgreSQL salts MD5 passwords with the role name, so RENAME clears them.
    if (
      role.password === undefined &&
      typeof old.password === 'string' &&
      old.password.startsWith('md5')
    )
      warnings.push(
        `renaming role "${from}" to "${role.name}" clears its MD5 password (PostgreSQL salts MD5 with the role name); set a password in the config`,
      );
  }
  const operations: Operation[] = [...map].map(([from, to]) => ({ type: 'rename_role', from, to }));
  return { map, operations, warnings };
}

/** The current state as it will be right after the renames: every role name mapped. */
export function applyRenames(
  current: CurrentState,
  map: ReadonlyMap<string, string>,
): CurrentState {
  if (map.size === 0) return current;
  const rename = (name: string): string => map.get(name) ?? name;
  return {
    ...current,
    roles: current.roles.map((role) => ({ ...role, name: rename(role.name) })),
    memberships: current.memberships.map((membership) => ({
      ...membership,
      role: rename(membership.role),
      member: rename(membership.member),
      grantor: rename(membership.grantor),
    })),
    objects: current.objects.map((object) => ({ ...object, owner: rename(object.owner) })),
    privileges: current.privileges.map((fact) => ({
      ...fact,
      grantee: rename(fact.grantee),
      ...(fact.grantors !== undefined && { grantors: fact.grantors.map(rename) }),
    })),
    defaultPrivileges: current.defaultPrivileges.map((fact) => ({
      ...fact,
      forRole: rename(fact.forRole),
      grantee: rename(fact.grantee),
    })),
    dependencies: current.dependencies.map((dependency) => ({
      ...dependency,
      role: rename(dependency.role),
    })),
  };
}
