/** `pgward export`: print a config describing the live roles; applying it back is a no-op. */
import { exportConfig } from '../../export/index.js';
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
    ['$0 export --sandbox schema.sql', 'what a setup script leaves behind, on a throwaway server'],
  ],
  // It writes a config rather than reading one: -c is not its own.
  builder: (yargs) =>
    yargs.hide('config').option('include', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe:
        'Export only roles matching this glob (* and ?); repeat for several. Default: every role except pg_*, the bootstrap superuser and the connecting role',
    }),
  run: async (args, context) =>
    withDatabase(args, context, async (client) => {
      const current = await inReadOnlySnapshot(client, introspect);
      const result = exportConfig(current, { include: args.include.map(String) });
      for (const warning of result.warnings) context.warn(warning);
      if (args.include.length > 0 && result.config.roles.size === 0)
        context.warn(`no role matches --include ${args.include.join(', ')}`);
      context.out(result.yaml);
      return 0;
    }),
});
