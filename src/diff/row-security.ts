/**
 * Row-level security (spec §9 `tables`): the desired flags and policies, and the operations
 * that bring the catalog to them.
 *
 * Scope. A listed table's flags and policies are managed completely: a policy on it that the
 * config does not list is dropped. A policy on any other table is left alone unless it names
 * a managed role: then it is part of that role's desired state, which the config declares
 * completely, so undeclared it is drift and apply drops it — to keep it, list its table.
 *
 * Comparison. Expressions are compared as PostgreSQL stores them: equal to the stored text, or
 * found equivalent by the server at plan time (introspect/row-security.ts). Roles, command and
 * kind are compared as data. ALTER POLICY changes roles, USING and WITH CHECK in place; the
 * command and PERMISSIVE/RESTRICTIVE cannot be altered, nor an expression removed, so those
 * changes drop the policy and create it again, in the same transaction (plan/order.ts).
 */
import { describeObjectRef, objectKey, type ObjectRef } from '../model/objects.js';
import type { CurrentState, DesiredState } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import { expressionKey } from '../model/policies.js';
import { rolesActingAs } from '../resolve/member-of.js';
import type { Problems } from '../resolve/problems.js';

type RowSecurityOperation = Extract<
  Operation,
  { type: 'set_row_security' | 'create_policy' | 'alter_policy' | 'drop_policy' }
>;

const policyId = (table: ObjectRef, name: string): string =>
  JSON.stringify([objectKey(table), name]);

export function diffRowSecurity(
  current: CurrentState,
  desired: DesiredState,
): RowSecurityOperation[] {
  const now = current.rowSecurity;
  if (now === undefined) return [];
  const wanted = desired.rowSecurity ?? { tables: [], policies: [] };
  const operations: RowSecurityOperation[] = [];
  const flags = new Map(now.tables.map((entry) => [objectKey(entry.table), entry]));
  for (const { table, rowSecurity } of wanted.tables) {
    const held = flags.get(objectKey(table));
    const enabled = held?.enabled ?? false;
    const forced = held?.forced ?? false;
    const enable = rowSecurity !== 'disabled';
    const force = rowSecurity === 'forced';
    if (enable === enabled && force === forced) continue;
    operations.push({
      type: 'set_row_security',
      table,
      to: rowSecurity,
      ...(enable !== enabled && { enable }),
      ...(force !== forced && { force }),
    });
  }

  const listed = new Set(wanted.tables.map((entry) => objectKey(entry.table)));
  const wantedPolicies = new Map(wanted.policies.map((p) => [policyId(p.table, p.name), p]));
  for (const policy of now.policies) {
    const id = policyId(policy.table, policy.name);
    const target = wantedPolicies.get(id);
    if (target === undefined) {
      const namesManaged = policy.roles.some((role) => desired.managedRoles.has(role));
      if (listed.has(objectKey(policy.table)) || namesManaged)
        operations.push({ type: 'drop_policy', table: policy.table, name: policy.name });
      continue;
    }
    const same = (which: 'using' | 'with_check'): boolean => {
      const text = which === 'using' ? target.using : target.withCheck;
      const stored = which === 'using' ? policy.using : policy.withCheck;
      if (text === null || stored === null) return text === stored;
      return (
        text === stored || now.equivalent.has(expressionKey(policy.table, policy.name, which, text))
      );
    };
    const rolesSame = policy.roles.join('\0') === target.roles.join('\0');
    const usingSame = same('using');
    const checkSame = same('with_check');
    if (
      rolesSame &&
      usingSame &&
      checkSame &&
      policy.command === target.command &&
      policy.permissive === target.permissive
    )
      continue;
    const recreate =
      policy.command !== target.command ||
      policy.permissive !== target.permissive ||
      (!usingSame && target.using === null) ||
      (!checkSame && target.withCheck === null);
    if (recreate) {
      operations.push({ type: 'drop_policy', table: policy.table, name: policy.name });
      operations.push({ type: 'create_policy', policy: target });
      continue;
    }
    operations.push({
      type: 'alter_policy',
      table: policy.table,
      name: policy.name,
      ...(!rolesSame && { roles: target.roles }),
      ...(!usingSame && target.using !== null && { using: target.using }),
      ...(!checkSame && target.withCheck !== null && { withCheck: target.withCheck }),
    });
  }
  const existing = new Set(now.policies.map((p) => policyId(p.table, p.name)));
  for (const policy of wanted.policies)
    if (!existing.has(policyId(policy.table, policy.name)))
      operations.push({ type: 'create_policy', policy });
  return operations;
}

/** A non-superuser connecting role can change row security and policies only on tables it owns. */
export function checkRowSecurityOwners(
  current: CurrentState,
  operations: readonly Operation[],
  problems: Problems,
): void {
  const { server } = current;
  if (server.currentUserIsSuperuser) return;
  const actingAs = rolesActingAs(current);
  const owners = new Map(current.objects.map((object) => [objectKey(object), object.owner]));
  const refused = new Set<string>();
  for (const op of operations) {
    const table =
      op.type === 'create_policy'
        ? op.policy.table
        : op.type === 'alter_policy' || op.type === 'drop_policy' || op.type === 'set_row_security'
          ? op.table
          : undefined;
    if (table === undefined) continue;
    const owner = owners.get(objectKey(table));
    if (owner === undefined || actingAs.has(owner) || refused.has(objectKey(table))) continue;
    refused.add(objectKey(table));
    problems.add(
      `cannot change row-level security or policies of ${describeObjectRef(table)}: the connecting role "${server.currentUser}" is not a superuser and does not have the privileges of its owner "${owner}" (a member through INHERIT)`,
    );
  }
}
