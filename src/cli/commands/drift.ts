/** `pgward drift`: what in the database differs from the config, for cron jobs and alerts. */
import { defineCommand } from '../command.js';
import { hasDrift } from '../../report/wording.js';
import { renderPlanAs } from '../output.js';
import { planOfCommand } from '../planning.js';

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
    const plan = await planOfCommand(args, context, { secrets: 'optional', fingerprint: false });
    for (const warning of plan.warnings) context.warn(warning);
    context.out(renderPlanAs(plan, args.format, { color: context.color, mode: 'drift' }));
    return hasDrift(plan) ? 2 : 0;
  },
});
