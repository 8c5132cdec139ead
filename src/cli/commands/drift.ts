/** `pgward drift`: what in the database differs from the config, for cron jobs and alerts. */
import { planCluster } from '../../cluster.js';
import { driftOf, planLoading } from '../../engine.js';
import type { Plan } from '../../model/operations.js';
import { inReadOnlySnapshot } from '../../execute/snapshot.js';
import { defineCommand } from '../command.js';
import { clusterScope, siblingsOf } from '../cluster.js';
import { withConfigRead } from '../config.js';
import { withDatabase } from '../database.js';
import { hasDrift } from '../../report/wording.js';
import { renderPlanAs } from '../output.js';

const DRIFT_FORMATS = ['text', 'json', 'markdown'] as const;

export const driftCommand = defineCommand({
  command: 'drift',
  describe:
    'Report differences between the config and the database, and access it does not account for: exit 0 in sync, 2 drift',
  examples: [
    ['$0 drift', 'exit 2 and show what differs when someone changed access by hand'],
    ['$0 drift --format json', 'the differences as a JSON plan with findings, for alerting'],
  ],
  builder: (yargs) =>
    yargs
      .option('format', {
        choices: DRIFT_FORMATS,
        default: 'text' as const,
        describe: 'How to print the differences',
      })
      .option('suffix', {
        type: 'string',
        describe: 'Compare DB-specific roles <role>_<suffix>',
      }),
  run: async (args, context) => {
    const show = (plan: Plan): number => {
      for (const warning of plan.warnings) context.warn(warning);
      context.out(renderPlanAs(plan, args.format, { color: context.color, mode: 'drift' }));
      return hasDrift(plan) ? 2 : 0;
    };
    const options = { secrets: 'optional' as const, suffix: args.suffix };
    return withConfigRead(args, context, options, {
      ready: async (config) => {
        const cluster = clusterScope(config, { suffix: args.suffix });
        return withDatabase(args, context, async (client) =>
          show(
            cluster
              ? await planCluster(client, config, siblingsOf(client))
              : await inReadOnlySnapshot(client, (snapshot) =>
                  driftOf(snapshot, config, { suffix: args.suffix }),
                ),
          ),
        );
      },
      // Drift is the plan read the other way round (engine.ts driftOf).
      whileReading: async (load) =>
        withDatabase(args, context, async (client) =>
          show(
            (
              await inReadOnlySnapshot(client, (snapshot) =>
                planLoading(snapshot, load, { suffix: args.suffix }),
              )
            ).plan,
          ),
        ),
    });
  },
});
