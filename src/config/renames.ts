/**
 * The rules `renamed_from` entries must keep between them. The config check reports them at
 * the YAML node; the resolver checks them again for a Config built in code (the library takes
 * one), at the role's position: one list of rules for both.
 */
import { q } from './describe.js';
import type { ConfigRole } from './types.js';

export interface RenameConflict {
  /** The role whose `renamed_from` breaks a rule. */
  readonly role: ConfigRole;
  readonly message: string;
}

/**
 * A role cannot be renamed from itself nor from a role the config declares, and each old name
 * can be claimed by one role only (each would become the same role).
 */
export function renameConflicts(roles: readonly ConfigRole[]): RenameConflict[] {
  const declared = new Set(roles.map((role) => role.name));
  const claimed = new Map<string, string>();
  const conflicts: RenameConflict[] = [];
  for (const role of roles) {
    const from = role.renamedFrom;
    if (from === undefined) continue;
    if (from === role.name) {
      conflicts.push({ role, message: `role ${q(role.name)} cannot be renamed from itself` });
      continue;
    }
    if (declared.has(from))
      conflicts.push({
        role,
        message: `role ${q(role.name)} is renamed_from ${q(from)}, which is declared in roles too; remove one of them`,
      });
    const other = claimed.get(from);
    if (other !== undefined)
      conflicts.push({
        role,
        message: `roles ${q(other)} and ${q(role.name)} are both renamed_from ${q(from)}`,
      });
    else claimed.set(from, role.name);
  }
  return conflicts;
}
