/**
 * `pgward apply [PLANFILE]`: make the database match the config (or apply a saved plan), in
 * one transaction. Without --yes it asks on a terminal and refuses without one.
 */
import { applyCluster, applyClusterPlanFile, type ClusterApplyResult } from '../../cluster.js';
import { MAX_PLAN_FILE_BYTES, readTextFile } from '../../config/read-file.js';
import { applyConfig, applyLoading, applyPlanFile, type ApplyResult } from '../../engine.js';
import { PgwardError, UsageError } from '../../errors.js';
import { DEFAULT_LOCK_TIMEOUT, isLockTimeout } from '../../execute/transaction.js';
import { warningsOf, type Plan, type PlanSummary } from '../../model/operations.js';
import { planFromJson } from '../../plan/planfile.js';
import { defineCommand, type CommandContext } from '../command.js';
import { clusterScope, siblingsOf } from '../cluster.js';
import { readConfig } from '../config.js';
import type { Config } from '../../config/types.js';
import { withConfigRead } from '../planning.js';
import { withDatabase } from '../database.js';
import { renderPlanAs } from '../output.js';
import { confirmApply } from '../prompt.js';

/** How the databases committed, for cluster scope (spec §8): said, never left to guess. */
const COMMITTED = {
  'two-phase': (count: number) =>
    `Committed ${count} database${count === 1 ? '' : 's'} together with two-phase commit (PREPARE TRANSACTION, then COMMIT PREPARED).`,
  'one-by-one': (count: number) =>
    `Committed ${count} database${count === 1 ? '' : 's'} one after the other, without two-phase commit (max_prepared_transactions is 0 on this server).`,
} as const;

function completed({ add, change, destroy }: PlanSummary): string {
  return `Apply complete: ${add} added, ${change} changed, ${destroy} destroyed.`;
}

/** The plan in `path`: a regular file of bounded size (not /dev/zero, not a FIFO), UTF-8. */
function readPlanFile(path: string, name: string): Plan {
  const read = readTextFile(path, MAX_PLAN_FILE_BYTES);
  if (!('text' in read)) throw new PgwardError(`cannot read plan file ${name}: ${read.reason}`);
  const { text } = read;
  try {
    return planFromJson(JSON.parse(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PgwardError(`${name} is not a pgward plan file: ${reason}`, { cause: error });
  }
}

function warnRolledBack(result: ClusterApplyResult, context: CommandContext): void {
  for (const gid of result.rolledBack)
    context.warn(`rolled back prepared transaction "${gid}" left by an earlier pgward apply`);
}

function report(result: ApplyResult | ClusterApplyResult, context: CommandContext): number {
  switch (result.outcome) {
    case 'applied':
      context.out(completed(result.plan.summary));
      if ('commit' in result && result.commit !== undefined)
        context.out(COMMITTED[result.commit](result.plan.databases?.length ?? 1));
      return 0;
    case 'no_changes':
      // The plan shown had changes, but once the apply lock was ours there were none left.
      if (result.plan.steps.length > 0) {
        context.out('Nothing to do: another apply made these changes meanwhile.');
      }
      return 0;
    case 'cancelled':
      throw new PgwardError('apply cancelled; nothing was changed');
  }
}

export const applyCommand = defineCommand({
  command: 'apply [planfile]',
  describe:
    'Make the database match the config, in one transaction; or apply a plan saved by `plan --out`',
  examples: [
    ['$0 apply', 'show the plan, ask for confirmation, apply'],
    ['$0 apply --yes', 'apply without asking (deployments, CI)'],
    ['$0 apply plan.json', 'apply exactly the plan saved by `pgward plan --out plan.json`'],
    ['$0 apply --yes --lock-timeout 30s', 'wait up to 30s for locks held by other sessions'],
    [
      '$0 apply --yes --sandbox schema.sql',
      'check that the config applies to a copy of the schema',
    ],
  ],
  builder: (yargs) =>
    yargs
      .positional('planfile', {
        type: 'string',
        describe:
          'A plan saved by `pgward plan --out`: applied only if it is still exactly the plan for the config (-c) and the database',
      })
      .option('yes', {
        type: 'boolean',
        default: false,
        describe: 'Apply without asking for confirmation',
      })
      .option('lock-timeout', {
        type: 'string',
        default: DEFAULT_LOCK_TIMEOUT,
        describe:
          'Longest wait for a lock (another apply, a busy table), e.g. 500ms, 10s, 1min; 0 waits without limit',
      })
      .option('suffix', {
        type: 'string',
        describe: 'Apply DB-specific roles <role>_<suffix>',
      }),
  run: async (args, context) => {
    const lockTimeout = args.lockTimeout;
    if (!isLockTimeout(lockTimeout)) {
      throw new UsageError(
        `invalid --lock-timeout "${lockTimeout}": expected a number with an optional unit ms, s, min or h (e.g. 10s)`,
      );
    }

    if (args.planfile !== undefined) {
      if (args.suffix !== undefined) {
        throw new UsageError(
          '--suffix cannot be used with a PLANFILE: the plan records its suffix',
        );
      }
      const plan = readPlanFile(context.path(args.planfile), args.planfile);
      // The config is planned again under the lock: the file runs only if it is exactly that
      // plan (and the config supplies the passwords, which plan files never hold).
      const config = readConfig(args, context);
      const cluster = clusterScope(config, {});
      return withDatabase(args, context, async (client) => {
        const shown = renderPlanAs(plan, 'text', { color: context.color });
        // An empty file says "No changes": true only once every check has passed.
        if (plan.steps.length > 0) context.out(shown);
        let result: ApplyResult | ClusterApplyResult;
        if (cluster) {
          const applied = await applyClusterPlanFile(client, plan, config, siblingsOf(client), {
            lockTimeout,
          });
          warnRolledBack(applied, context);
          result = applied;
        } else
          result = await applyPlanFile(client, plan, config, {
            lockTimeout,
            openDatabase: siblingsOf(client),
          });
        if (plan.steps.length === 0) context.out(shown);
        return report(result, context);
      });
    }

    const onPlan = (plan: Plan): void => {
      for (const warning of warningsOf(plan)) context.warn(warning);
      context.out(renderPlanAs(plan, 'text', { color: context.color }));
    };
    const applyLoaded = async (config: Config): Promise<number> => {
      const cluster = clusterScope(config, { suffix: args.suffix });
      if (!args.yes && context.io.stdin.isTTY !== true) {
        throw new UsageError(
          'apply asks for confirmation, but stdin is not a terminal: pass --yes to apply without asking, or apply a reviewed plan file (pgward plan --out plan.json, then pgward apply plan.json)',
        );
      }
      const shown = {
        onPlan,
        ...(args.yes ? {} : { confirm: () => confirmApply(context.io.stdin, context.io.stdout) }),
      };
      return withDatabase(args, context, async (client) => {
        if (cluster) {
          const result = await applyCluster(client, config, siblingsOf(client), {
            lockTimeout,
            ...shown,
          });
          warnRolledBack(result, context);
          return report(result, context);
        }
        const result = await applyConfig(client, config, {
          lockTimeout,
          suffix: args.suffix,
          openDatabase: siblingsOf(client),
          ...shown,
        });
        return report(result, context);
      });
    };
    // Asked for confirmation, the plan is shown before the lock: the config comes first.
    if (!args.yes) return applyLoaded(readConfig(args, context));
    // With --yes the plan is made once, under the lock: the config is loaded while the
    // catalog is read (or before waiting for another apply's lock; engine.ts applyLoading).
    return withConfigRead(
      args,
      context,
      { secrets: 'required' },
      {
        ready: applyLoaded,
        whileReading: (load) =>
          withDatabase(args, context, async (client) =>
            report(
              await applyLoading(client, load, {
                lockTimeout,
                suffix: args.suffix,
                openDatabase: siblingsOf(client),
                onPlan,
              }),
              context,
            ),
          ),
      },
    );
  },
});
