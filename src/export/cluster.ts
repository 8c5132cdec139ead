/**
 * Export in cluster scope (spec §8): one config for several databases. Roles and memberships
 * are the cluster's, written once; each grant, default privilege, `owns` entry and table entry
 * (§9) found in every exported database is written as is, and one found in only some of them
 * gets `databases:` naming those. `settings.databases` lists the databases, so applying the
 * file back changes nothing.
 */
import { canonicalJson } from '../plan/fingerprint.js';
import type { CurrentState } from '../model/state.js';
import { exportConfig, type ExportedRole, type ExportOptions, type ExportResult } from './index.js';
import { compareStrings } from '../model/order.js';
import type { ExportedTable } from './row-security.js';
import { exportedYaml } from './yaml.js';

/** One database's state, in the order the config should list them. */
export interface DatabaseState {
  readonly database: string;
  readonly current: CurrentState;
}

type Scoped<T> = T & { databases?: readonly string[] };

/** Entries of every database, each once, with `databases:` where not in all of them. */
function merged<T>(
  lists: readonly (readonly T[] | undefined)[],
  names: readonly string[],
  keyOf: (entry: T) => string = canonicalJson,
) {
  const found = new Map<string, { entry: T; databases: string[] }>();
  lists.forEach((list, index) => {
    for (const entry of list ?? []) {
      const key = keyOf(entry);
      const seen = found.get(key) ?? { entry, databases: [] };
      seen.databases.push(names[index] as string);
      found.set(key, seen);
    }
  });
  return [...found.values()].map(({ entry, databases }): Scoped<T> =>
    databases.length === names.length ? (entry as Scoped<T>) : { ...entry, databases },
  );
}

/**
 * The config that describes every database of `states`; roles as the first one reads them.
 *
 * @example
 * const { yaml } = exportCluster([{ database: 'shop', current: shop }, { database: 'crm', current: crm }]);
 */
export function exportCluster(
  states: readonly DatabaseState[],
  options: ExportOptions = {},
): ExportResult {
  const names = states.map((state) => state.database);
  const results = states.map((state) => exportConfig(state.current, options));
  const [first] = results;
  const roles = new Map<string, ExportedRole>();
  for (const [name, role] of first?.config.roles ?? []) {
    const grants = merged(
      results.map((result) => result.config.roles.get(name)?.grants),
      names,
    );
    const defaults = merged(
      results.map((result) => result.config.roles.get(name)?.default_privileges),
      names,
    );
    const owns = merged(
      results.map((result) => result.config.roles.get(name)?.owns),
      names,
    );
    const entry: ExportedRole = { ...role };
    delete entry.grants;
    delete entry.default_privileges;
    delete entry.owns;
    // Each database's IN DATABASE settings, from that database's reading.
    const databaseConfig = Object.assign(
      {},
      ...results.map((result) => result.config.roles.get(name)?.database_config ?? {}),
    ) as Record<string, Record<string, string>>;
    delete entry.database_config;
    if (Object.keys(databaseConfig).length > 0) entry.database_config = databaseConfig;
    if (grants.length > 0) entry.grants = grants;
    if (defaults.length > 0) entry.default_privileges = defaults;
    if (owns.length > 0) entry.owns = owns;
    roles.set(name, entry);
  }
  const warnings = results.flatMap((result) => result.warnings);
  const tables = mergedTables(results, names, warnings);
  const config = {
    version: 1 as const,
    settings: { databases: names },
    roles,
    ...(tables.size > 0 && { tables }),
  };
  return { yaml: exportedYaml(config), config, warnings: [...new Set(warnings)] };
}

/**
 * Each table's entry, with `databases:` where only some databases have it. A table whose
 * row security differs between databases cannot be one entry of the `tables` mapping: the
 * first database's is written, limited to the databases that have the same, with a warning.
 */
function mergedTables(
  results: readonly ExportResult[],
  names: readonly string[],
  warnings: string[],
): Map<string, Scoped<ExportedTable>> {
  const byName = new Map<string, { name: string; entry: ExportedTable }[][]>();
  results.forEach((result, index) => {
    for (const [name, entry] of result.config.tables ?? []) {
      const lists = byName.get(name) ?? names.map(() => []);
      lists[index]?.push({ name, entry });
      byName.set(name, lists);
    }
  });
  const tables = new Map<string, Scoped<ExportedTable>>();
  for (const [name, lists] of [...byName].sort(([a], [b]) => compareStrings(a, b))) {
    const [first, ...others] = merged(lists, names, ({ entry }) =>
      canonicalJson({ ...entry, policies: entry.policies && [...entry.policies] }),
    );
    if (first === undefined) continue;
    if (others.length > 0)
      warnings.push(
        `table "${name}" has different row security in ${quotedNames(others.flatMap((other) => other.databases ?? []))} than in ${quotedNames(first.databases ?? names)}: only the latter is exported`,
      );
    tables.set(name, {
      ...first.entry,
      ...(first.databases !== undefined && { databases: first.databases }),
    });
  }
  return tables;
}

function quotedNames(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}
