/**
 * Which live roles an export declares. A declared role is managed, so export leaves out every
 * role the resolver refuses to manage (pg_* roles, the bootstrap superuser, the connecting
 * role, managed-cloud admin roles and their members: see resolve/protection.ts), and names the
 * config format cannot hold.
 */
import { declaredRoleNameProblem } from '../config/names.js';
import { matchesGlob, protectionReason, protectionRules } from '../resolve/protection.js';
import { compareStrings } from '../model/order.js';
import type { CurrentRole, CurrentState } from '../model/state.js';

export interface RoleSelection {
  /** Roles the export declares, sorted by name (byte order). */
  readonly roles: readonly CurrentRole[];
  readonly names: ReadonlySet<string>;
}

/**
 * The roles to export: every role pgward may manage whose name matches one of `include`
 * (shell globs, `*` and `?`; none = every role). Roles a glob selects but pgward cannot
 * declare are reported in `warnings`; protected roles are left out silently unless a glob
 * names them exactly.
 */
export function selectRoles(
  current: CurrentState,
  include: readonly string[],
  warnings: string[],
): RoleSelection {
  const rules = protectionRules(current, []);
  const roles: CurrentRole[] = [];
  for (const role of current.roles) {
    if (include.length > 0 && !include.some((glob) => matchesGlob(role.name, glob))) continue;
    const reason = protectionReason(role.name, rules);
    if (reason !== null) {
      // Saying why a role the user asked for by name is missing; not for every pg_* role.
      if (include.includes(role.name))
        warnings.push(`role "${role.name}" is not exported: it is protected (${reason})`);
      continue;
    }
    const problem = declaredRoleNameProblem(role.name);
    if (problem !== undefined) {
      warnings.push(`role "${role.name}" is not exported: ${problem}`);
      continue;
    }
    roles.push(role);
  }
  roles.sort((a, b) => compareStrings(a.name, b.name));
  return { roles, names: new Set(roles.map((role) => role.name)) };
}
