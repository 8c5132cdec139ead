/**
 * Keeps pgward's own access through the plan: resolve/needed-roles.ts says which roles and
 * membership rows pgward needs (and why); this drops the operations that would take them away.
 */
import type { CurrentState } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import type { NeededRoles } from '../resolve/needed-roles.js';

/**
 * Takes out of `operations` the changes that would cut pgward off from a role it needs: a
 * membership revoked or an option removed from a row whose member is on one of its chains,
 * and (before 16, where a role's INHERIT attribute decides whether it passes on its groups'
 * privileges) NOINHERIT on such a role. A warning for each.
 */
export function keepPgwardAccess(
  operations: readonly Operation[],
  needed: NeededRoles,
  current: CurrentState,
): { operations: Operation[]; warnings: string[] } {
  const warnings: string[] = [];
  const kept = operations.flatMap((operation): Operation[] => {
    if (operation.type === 'alter_role') {
      const need = needed.get(operation.role);
      // SET ROLE ignores INHERIT: only the roles the connecting role acts through need it.
      if (need?.power !== true || operation.changes.inherit !== false) return [operation];
      if (current.server.versionNum >= 160000 || !passesOnPrivileges(current, operation.role))
        return [operation];
      warnings.push(
        `role "${operation.role}" keeps INHERIT: ${need.why}, and before PostgreSQL 16 NOINHERIT would stop it passing on the privileges of the roles it is a member of`,
      );
      const { inherit: _kept, ...changes } = operation.changes;
      return Object.keys(changes).length === 0 ? [] : [{ ...operation, changes }];
    }
    if (operation.type !== 'revoke_membership' && operation.type !== 'alter_membership')
      return [operation];
    const need = needed.get(operation.member);
    if (need === undefined || need.inRoles?.has(operation.role) === false) return [operation];
    const warning = `membership of "${operation.member}" in "${operation.role}" is kept as it is: ${need.why}`;
    if (operation.type === 'revoke_membership') {
      warnings.push(warning);
      return [];
    }
    const { type, role, member, grantor, admin, inherit, set } = operation;
    if (admin !== false && inherit !== false && set !== false) return [operation];
    warnings.push(warning);
    // Options being added stay: they take nothing away.
    const adds = {
      ...(admin === true ? { admin } : {}),
      ...(inherit === true ? { inherit } : {}),
      ...(set === true ? { set } : {}),
    };
    if (Object.keys(adds).length === 0) return [];
    return [{ type, role, member, ...(grantor === undefined ? {} : { grantor }), ...adds }];
  });
  return { operations: kept, warnings };
}

/** Whether `role` is a member of any role: what it inherits, it passes on to its members. */
function passesOnPrivileges(current: CurrentState, role: string): boolean {
  return current.memberships.some((row) => row.member === role);
}
