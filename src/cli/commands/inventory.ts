/** `pgward inventory`: PUM-style audit of the configured roles and who else reaches their schemas. */
import { inReadOnlySnapshot } from '../../execute/snapshot.js';
import {
  inventorySatisfied,
  inventoryToJson,
  renderInventoryText,
  takeClusterInventory,
  takeInventory,
} from '../../inventory/index.js';
import { clusterScope, siblingsOf } from '../cluster.js';
import { defineCommand } from '../command.js';
import { readConfig } from '../config.js';
import { withDatabase } from '../database.js';
import { printable } from '../../report/terminal.js';

const INVENTORY_FORMATS = ['text', 'json'] as const;

export const inventoryCommand = defineCommand({
  command: 'inventory',
  describe:
    'Audit the configured roles: missing ones, unsatisfied permissions, unknown roles with access, other login roles',
  examples: [
    ['$0 inventory', '✓ / ✗ for each configured role and schema, ? for roles outside the config'],
    ['$0 inventory --format json', 'the same as JSON, for scripts'],
    ['$0 inventory --suffix lausanne', 'report generic roles R and DB-specific roles R_lausanne'],
    [
      '$0 inventory --detailed-exitcode',
      'exit 2 when a configured role is missing or not satisfied',
    ],
  ],
  builder: (yargs) =>
    yargs
      .option('format', {
        choices: INVENTORY_FORMATS,
        default: 'text' as const,
        describe: 'How to print the inventory',
      })
      .option('suffix', {
        type: 'string',
        describe: 'Also report DB-specific roles <role>_<suffix>',
      })
      .option('detailed-exitcode', {
        type: 'boolean',
        default: false,
        describe: 'Exit 2 when a configured role is missing or a permission is not satisfied (✗)',
      }),
  run: async (args, context) => {
    const config = readConfig(args, context, { secrets: 'optional' });
    const cluster = clusterScope(config, { suffix: args.suffix });
    return withDatabase(args, context, async (client) => {
      if (cluster) {
        // One inventory per managed database, in the order of settings.databases.
        const inventories = await takeClusterInventory(client, config, siblingsOf(client));
        context.out(
          args.format === 'json'
            ? JSON.stringify(
                {
                  databases: inventories.map(({ database, inventory }) => ({
                    database,
                    ...inventoryToJson(inventory),
                  })),
                },
                null,
                2,
              )
            : inventories
                .map(
                  ({ database, inventory }) =>
                    `Database ${printable(`"${database}"`)}:\n\n${renderInventoryText(inventory, { color: context.color })}`,
                )
                .join('\n'),
        );
        return args.detailedExitcode &&
          inventories.some(({ inventory }) => !inventorySatisfied(inventory))
          ? 2
          : 0;
      }
      const inventory = await inReadOnlySnapshot(client, (snapshot) =>
        takeInventory(snapshot, config, { suffix: args.suffix }),
      );
      context.out(
        args.format === 'json'
          ? JSON.stringify(inventoryToJson(inventory), null, 2)
          : renderInventoryText(inventory, { color: context.color }),
      );
      return args.detailedExitcode && !inventorySatisfied(inventory) ? 2 : 0;
    });
  },
});
