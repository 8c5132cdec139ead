/**
 * Export in cluster scope (spec §8): one config for several databases. Roles and memberships
 * are the cluster's, written once; each grant and default privilege found in every exported
 * database is written as is, and one found in only some of them gets `databases:` naming
 * those. `settings.databases` lists the databases, so applying the file back changes nothing.
 */
import { canonicalJson } from '../plan/fingerprint.js';
import type { CurrentState } from '../model/state.js';
import { exportConfig, type ExportedRole, type ExportOptions, type ExportResult } from './index.js';
import { exportedYaml } from './yaml.js';

/** One database's state, in the order the config should list them. */
export interface DatabaseState {
  readonly database: string;
  readonly current: CurrentState;
}

type Scoped<T> = T & { databases?: readonly string[] };

/** Entries of every database, each once, with `databases:` where not in all of them. */
function merged<T>(lists: readonly (readonly T[] | undefined)[], names: readonly string[]) {
  const found = new Map<string, { entry: T; databases: string[] }>();
  lists.forEach((list, index) => {
    for (const entry of list ?? []) {
      const key = canonicalJson(entry);
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
    const entry: ExportedRole = { ...role };
    delete entry.grants;
    delete entry.default_privileges;
    // Each database's IN DATABASE settings, from that database's reading.
    const databaseConfig = Object.assign(
      {},
      ...results.map((result) => result.config.roles.get(name)?.database_config ?? {}),
    ) as Record<string, Record<string, string>>;
    delete entry.database_config;
    if (Object.keys(databaseConfig).length > 0) entry.database_config = databaseConfig;
    if (grants.length > 0) entry.grants = grants;
    if (defaults.length > 0) entry.default_privileges = defaults;
    roles.set(name, entry);
  }
  const config = { version: 1 as const, settings: { databases: names }, roles };
  return {
    yaml: exportedYaml(config),
    config,
    warnings: [...new Set(results.flatMap((result) => result.warnings))],
  };
}
