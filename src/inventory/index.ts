/**
 * The role inventory (spec §5): `takeInventory` reads the database (one introspection plus one
 * query for PUBLIC's privileges) and computes the inventory; `computeInventory` is the pure
 * part; `renderInventoryText` / `inventoryToJson` present it.
 */
import { managedDatabases, withSessions, type OpenDatabase } from '../cluster.js';
import { configForDatabase } from '../config/databases.js';
import type { Config } from '../config/types.js';
import { introspect } from '../introspect/index.js';
import type { Queryable } from '../introspect/queryable.js';
import { withPinnedSearchPath } from '../introspect/search-path.js';
import { computeInventory, configuredSchemas, type Inventory } from './compute.js';
import { introspectPublicPrivileges } from './public-privileges.js';

export {
  computeInventory,
  configuredSchemas,
  inventorySatisfied,
  type ConfiguredRoleStatus,
  type Inventory,
  type InventoryOptions,
  type SchemaPermissionStatus,
  type UnknownRole,
} from './compute.js';
export type { PublicPrivilege } from './effective.js';
export { introspectPublicPrivileges } from './public-privileges.js';
export { inventoryToJson, renderInventoryText } from './report.js';

/**
 * Takes the inventory of the connected database. The two reads run one after the other; for a
 * consistent snapshot while others change roles, call it inside a `REPEATABLE READ`
 * transaction (as `introspect` says).
 *
 * @example
 * const inventory = await takeInventory(client, loadConfig('pgward.yaml'), { suffix: 'lausanne' });
 * process.stdout.write(renderInventoryText(inventory, { color: false }));
 */
export async function takeInventory(
  client: Queryable,
  config: Config,
  options: { readonly suffix?: string | undefined } = {},
): Promise<Inventory> {
  return withPinnedSearchPath(client, async () => {
    const current = await introspect(client);
    const publicPrivileges = await introspectPublicPrivileges(client, configuredSchemas(config));
    return computeInventory(config, current, { suffix: options.suffix, publicPrivileges });
  });
}

/** One managed database's inventory (cluster scope). */
export interface DatabaseInventory {
  readonly database: string;
  readonly inventory: Inventory;
}

/**
 * Cluster scope (spec §8): the inventory of every managed database, each with the config as
 * that database sees it (`databases:` entries, its suffix), read in parallel.
 *
 * @example
 * const inventories = await takeClusterInventory(client, config, (db) => openSibling(client, db));
 */
export async function takeClusterInventory(
  first: Queryable,
  config: Config,
  open: OpenDatabase,
): Promise<readonly DatabaseInventory[]> {
  const managed = await managedDatabases(first, config);
  return withSessions(first, managed, open, (sessions) =>
    Promise.all(
      sessions.map(async (session) => ({
        database: session.name,
        inventory: await takeInventory(session.client, configForDatabase(config, session.name), {
          suffix: session.suffix,
        }),
      })),
    ),
  );
}
