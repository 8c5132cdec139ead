/**
 * Cluster scope in the CLI (spec §8): with `settings.databases`, plan, drift and apply reach
 * every managed database through connections opened like the command's own.
 */
import type pg from 'pg';
import type { OpenDatabase } from '../cluster.js';
import { isClusterConfig } from '../config/databases.js';
import type { Config } from '../config/types.js';
import { openSibling } from '../execute/connection.js';
import { UsageError } from '../errors.js';

/** Opens the other managed databases with the command connection's credentials. */
export function siblingsOf(client: pg.Client): OpenDatabase {
  return (database) => openSibling(client, database);
}

/**
 * Whether the command runs in cluster scope; refuses `--suffix`, which does not combine with
 * it (each database's suffix is in settings.databases).
 */
export function clusterScope(
  config: Config,
  options: { readonly suffix?: string | undefined },
): boolean {
  if (!isClusterConfig(config)) return false;
  if (options.suffix !== undefined)
    throw new UsageError(
      '--suffix cannot be used with settings.databases: give each database its suffix there (databases: { name: { suffix: S } })',
    );
  return true;
}
