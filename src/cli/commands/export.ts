/** `pgward export`: print a config describing the live roles; applying it back is a no-op. */
import type pg from 'pg';
import { exportCluster, type DatabaseState } from '../../export/cluster.js';
import type { CurrentState } from '../../model/state.js';
import { exportConfig } from '../../export/index.js';
import { openSibling } from '../../execute/connection.js';
import { introspect } from '../../introspect/index.js';
import { inReadOnlySnapshot } from '../../execute/snapshot.js';
import { defineCommand } from '../command.js';
import { withDatabase } from '../database.js';

export const exportCommand = defineCommand({
  command: 'export',
  describe:
    'Print a config (YAML) describing the live roles, memberships and privileges; applying it back changes nothing',
  examples: [
    [
      '$0 export > pgward.yaml',
      'start managing an existing database: every role pgward may manage',
    ],
    ["$0 export --include 'app_*'", 'only the roles matching a glob; repeat --include for more'],
    [
      '$0 export --database shop --database crm',
      'one config for several databases of the cluster (settings.databases)',
    ],
    ['$0 export --sandbox schema.sql', 'what a setup script leaves behind, on a throwaway server'],
  ],
  // It writes a config rather than reading one: -c is not its own.
  builder: (yargs) =>
    yargs
      .hide('config')
      .option('include', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe:
          'Export only roles matching this glob (* and ?); repeat for several. Default: every role except pg_*, the bootstrap superuser and the connecting role',
      })
      .option('database', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe:
          'Describe these databases of the cluster in one config (settings.databases, spec §8); repeat for several. Default: the connected database only',
      }),
  run: async (args, context) =>
    withDatabase(args, context, async (client) => {
      const include = { include: args.include.map(String) };
      const databases = args.database.map(String);
      const current = await inReadOnlySnapshot(client, introspect);
      const result =
        databases.length === 0
          ? exportConfig(current, include)
          : exportCluster(await readDatabases(client, current, databases), include);
      for (const warning of result.warnings) context.warn(warning);
      if (args.include.length > 0 && result.config.roles.size === 0)
        context.warn(`no role matches --include ${args.include.join(', ')}`);
      context.out(result.yaml);
      return 0;
    }),
});

/** Each database's state: the connected one's as read, the others' through a connection each. */
async function readDatabases(
  client: pg.Client,
  current: CurrentState,
  databases: readonly string[],
): Promise<DatabaseState[]> {
  return Promise.all(
    databases.map(async (database): Promise<DatabaseState> => {
      if (database === current.server.currentDatabase) return { database, current };
      const sibling = await openSibling(client, database);
      try {
        return { database, current: await inReadOnlySnapshot(sibling, introspect) };
      } finally {
        await sibling.end().catch(() => undefined);
      }
    }),
  );
}
