/**
 * The plan behind `plan` and `drift` (drift is the plan read the other way round): the
 * config loaded while the catalog is read (withConfigRead), for the connected database or,
 * with settings.databases, for every managed one.
 */
import { planCluster } from '../cluster.js';
import { planConfig, planLoading } from '../engine.js';
import { inReadOnlySnapshot } from '../execute/snapshot.js';
import type { Plan } from '../model/operations.js';
import type { CommandContext, GlobalArgs } from './command.js';
import { clusterScope, siblingsOf } from './cluster.js';
import { withConfigRead } from './config.js';
import { withDatabase } from './database.js';

export async function planOfCommand(
  args: GlobalArgs & { readonly suffix?: string | undefined },
  context: CommandContext,
  options: { readonly secrets: 'required' | 'optional'; readonly fingerprint: boolean },
): Promise<Plan> {
  const { fingerprint } = options;
  const planOptions = { suffix: args.suffix, fingerprint };
  return withConfigRead(
    args,
    context,
    { secrets: options.secrets, suffix: args.suffix },
    {
      ready: async (config) => {
        const cluster = clusterScope(config, { suffix: args.suffix });
        return withDatabase(args, context, async (client) =>
          cluster
            ? planCluster(client, config, siblingsOf(client), { fingerprint })
            : (
                await inReadOnlySnapshot(client, (snapshot) =>
                  planConfig(snapshot, config, planOptions),
                )
              ).plan,
        );
      },
      whileReading: async (load) =>
        withDatabase(
          args,
          context,
          async (client) =>
            (
              await inReadOnlySnapshot(client, (snapshot) =>
                planLoading(snapshot, load, planOptions),
              )
            ).plan,
        ),
    },
  );
}
