/**
 * `tables` of the export (spec §9): every table with row security on or a policy, with its
 * policies as the catalog stores them (pg_get_expr's text, which compares equal to itself).
 */
import { formatObjectName, objectKey } from '../model/objects.js';
import type { CurrentState } from '../model/state.js';

export interface ExportedPolicy {
  command?: string;
  permissive?: boolean;
  roles?: string[];
  using?: string;
  with_check?: string;
}

export interface ExportedTable {
  row_security?: string;
  policies?: Map<string, ExportedPolicy>;
}

/** Table name (config form) → entry, sorted by name; empty when no table uses RLS. */
export function exportTables(current: CurrentState): Map<string, ExportedTable> {
  const rowSecurity = current.rowSecurity;
  const tables = new Map<string, ExportedTable>();
  if (rowSecurity === undefined) return tables;
  const entries = new Map<string, { name: string; entry: ExportedTable }>();
  const entryOf = (table: Parameters<typeof objectKey>[0]): ExportedTable => {
    const id = objectKey(table);
    let found = entries.get(id);
    if (found === undefined) {
      found = { name: formatObjectName(table), entry: {} };
      entries.set(id, found);
    }
    return found.entry;
  };
  for (const { table, enabled, forced } of rowSecurity.tables) {
    // FORCE without ENABLE does nothing; `disabled` (the default) describes it.
    if (enabled) entryOf(table).row_security = forced ? 'forced' : 'enabled';
  }
  for (const policy of rowSecurity.policies) {
    const entry = entryOf(policy.table);
    const exported: ExportedPolicy = {};
    if (policy.command !== 'all') exported.command = policy.command;
    if (!policy.permissive) exported.permissive = false;
    if (policy.roles.length > 0) exported.roles = [...policy.roles];
    if (policy.using !== null) exported.using = policy.using;
    if (policy.withCheck !== null) exported.with_check = policy.withCheck;
    entry.policies ??= new Map();
    entry.policies.set(policy.name, exported);
  }
  for (const { name, entry } of [...entries.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  ))
    tables.set(name, entry);
  return tables;
}
