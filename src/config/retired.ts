/**
 * `absent: true` on a role: the role is retired. pgward drops it, if it exists, with the same
 * safe sequence as `unmanaged_roles: drop` (REASSIGN OWNED to `reassign_owned_to`, DROP OWNED,
 * DROP ROLE), without dropping every other role the config does not declare. The entry says
 * only that: any other key beside it is a config error, and so is any reference to the role
 * from the rest of the config (a membership in it, its future objects, taking over objects).
 */
import type { CheckContext } from './context.js';
import { isRecord } from './context.js';
import { q } from './describe.js';
import type { ConfigRole, ConfigSettings, RetiredRole } from './types.js';

/**
 * The roles written `absent: true`, in file order. Reports every other key of such an entry.
 * `absent: false` is a declared role like any other.
 */
export function readRetiredRoles(
  rawRoles: Readonly<Record<string, unknown>>,
  names: Iterable<string>,
  ctx: CheckContext,
): RetiredRole[] {
  const retired: RetiredRole[] = [];
  for (const name of names) {
    const spec = rawRoles[name];
    if (!isRecord(spec) || spec.absent !== true) continue;
    for (const key of Object.keys(spec).filter((k) => k !== 'absent'))
      ctx.report(
        ['roles', name, key],
        `role ${q(name)} is absent: true (retired, to be dropped), so it cannot have ${q(key)}; remove the key, or absent: true to keep the role`,
        'key',
      );
    retired.push({ name, position: ctx.position(['roles', name], 'key') });
  }
  return retired;
}

/** Every place the rest of the config names a retired role: each is an error. */
export function checkRetiredReferences(
  retired: readonly RetiredRole[],
  roles: readonly ConfigRole[],
  settings: ConfigSettings,
  ctx: CheckContext,
): void {
  const names = new Set(retired.map((role) => role.name));
  if (names.size === 0) return;
  const problem = (name: string, where: string): string =>
    `role ${q(name)} is absent: true (retired, to be dropped) but ${where}; remove one of them`;
  roles.forEach((role) => {
    role.memberOf.forEach((membership, index) => {
      if (names.has(membership.role))
        ctx.report(
          ['roles', role.name, 'member_of', index],
          problem(membership.role, `role ${q(role.name)} is a member of it`),
        );
    });
    role.defaultPrivileges.forEach((fact, index) => {
      if (names.has(fact.forRole))
        ctx.report(
          ['roles', role.name, 'default_privileges', index, 'for_role'],
          problem(fact.forRole, 'default privileges are given for its future objects'),
        );
    });
    if (role.renamedFrom !== undefined && names.has(role.renamedFrom))
      ctx.report(
        ['roles', role.name, 'renamed_from'],
        problem(role.renamedFrom, `role ${q(role.name)} is renamed_from it`),
      );
  });
  if (settings.reassignOwnedTo !== null && names.has(settings.reassignOwnedTo))
    ctx.report(
      ['settings', 'reassign_owned_to'],
      problem(settings.reassignOwnedTo, 'it is reassign_owned_to'),
    );
  (settings.objectCreators ?? []).forEach((creator) => {
    if (names.has(creator))
      ctx.report(
        ['settings', 'object_creators', (settings.objectCreators ?? []).indexOf(creator)],
        problem(creator, 'it is one of object_creators'),
      );
  });
}
