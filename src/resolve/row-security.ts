/**
 * Row-level security (spec §9 `tables`): the desired flags and policies of the listed tables,
 * and the policies on other tables that name a managed role (diff/row-security.ts says why).
 */
import type { Config } from '../config/types.js';
import { describeObjectRef, type ObjectRef } from '../model/objects.js';
import type { DesiredRowSecurity, Policy } from '../model/state.js';
import type { ResolveContext } from './desired-privileges.js';
import { compareStrings } from '../model/order.js';

/** The config's `tables` on this database; undefined when it lists none. */
export function resolveRowSecurity(
  ctx: ResolveContext,
  config: Config,
): DesiredRowSecurity | undefined {
  if (config.tables === undefined || config.tables.length === 0) return undefined;
  const tables: DesiredRowSecurity['tables'][number][] = [];
  const policies: Policy[] = [];
  for (const entry of config.tables) {
    const found = ctx.catalog.named(['table'], entry.table.schema, entry.table.name)[0];
    if (found === undefined) {
      ctx.problems.add(
        `table "${entry.table.text}" in tables does not exist`,
        entry.table.position,
      );
      continue;
    }
    if (found.relkind !== 'r' && found.relkind !== 'p') {
      ctx.problems.add(
        `${describeObjectRef(found)} in tables is not a table (row-level security applies to tables only)`,
        entry.table.position,
      );
      continue;
    }
    const table: ObjectRef = { kind: 'table', schema: found.schema, name: found.name };
    tables.push({ table, rowSecurity: entry.rowSecurity });
    for (const policy of entry.policies) {
      const roles: string[] = [];
      for (const role of policy.roles) {
        const name = ctx.names.toDatabase(role);
        if (!ctx.names.isDeclared(role) && !ctx.existingRoles.has(name)) {
          ctx.problems.add(
            `role "${role}" in policy "${policy.name}" on table "${entry.table.text}" is not declared and does not exist`,
            policy.position,
          );
          continue;
        }
        roles.push(name);
      }
      policies.push({
        table,
        name: policy.name,
        command: policy.command,
        permissive: policy.permissive,
        roles: roles.sort(compareStrings),
        using: policy.using,
        withCheck: policy.withCheck,
      });
    }
  }
  return { tables, policies };
}
