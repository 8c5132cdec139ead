/**
 * `member_of`: entries normalized to `{ role, admin, inherit?, set? }`, and the checks
 * PostgreSQL would otherwise fail on mid-apply (self-membership, cycles among declared roles).
 * Roles named here need not be declared: they may exist in the database, which the planner
 * checks.
 */
import type { ConfigMembership, ConfigRole } from './types.js';
import type { CheckContext } from './context.js';
import { isRecord } from './context.js';
import type { Path } from './describe.js';
import { q } from './describe.js';
import { roleReferenceProblem } from './names.js';

/** Reads and checks the member_of list of role `member`. */
export function readMemberOf(
  member: string,
  raw: unknown,
  path: Path,
  ctx: CheckContext,
): ConfigMembership[] {
  if (!Array.isArray(raw)) return [];
  const memberships: ConfigMembership[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, index) => {
    const entryPath = [...path, index];
    const spec = typeof entry === 'string' ? { role: entry } : isRecord(entry) ? entry : undefined;
    if (!spec || typeof spec.role !== 'string') return;
    const role = spec.role;
    const rolePath = typeof entry === 'string' ? entryPath : [...entryPath, 'role'];
    const problem = roleReferenceProblem(role, 'role');
    if (problem) {
      ctx.report(rolePath, `${problem} (in member_of of ${q(member)})`);
      return;
    }
    if (role === member) {
      ctx.report(rolePath, `role ${q(member)} cannot be a member of itself`);
      return;
    }
    if (seen.has(role)) {
      ctx.report(rolePath, `role ${q(role)} is listed twice in member_of of ${q(member)}`);
      return;
    }
    seen.add(role);
    memberships.push({
      role,
      admin: spec.admin === true,
      ...(typeof spec.inherit === 'boolean' ? { inherit: spec.inherit } : {}),
      ...(typeof spec.set === 'boolean' ? { set: spec.set } : {}),
      position: ctx.position(entryPath),
    });
  });
  return memberships;
}

/**
 * Reports every membership cycle among declared roles (PostgreSQL refuses the GRANT that
 * closes one: `role "a" is a member of role "b"`). The cycle is shown in member -> role order
 * and placed on the member_of entry that closes it.
 */
export function checkMembershipCycles(roles: readonly ConfigRole[], ctx: CheckContext): void {
  const byName = new Map(roles.map((role) => [role.name, role]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const membership of byName.get(name)?.memberOf ?? []) {
      if (!byName.has(membership.role)) continue;
      const seen = state.get(membership.role);
      if (seen === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(membership.role)), membership.role];
        ctx.problems.push({
          message: `membership cycle: ${cycle.map(q).join(' -> ')}`,
          ...(membership.position ? { position: membership.position } : {}),
        });
      } else if (seen === undefined) visit(membership.role);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const role of roles) if (!state.has(role.name)) visit(role.name);
}
