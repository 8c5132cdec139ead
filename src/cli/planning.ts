/**
 * The plan behind `plan` and `drift` (drift is the plan read the other way round): the
 * config loaded while the catalog is read (withConfigRead, which `apply --yes` uses too), for
 * the connected database or, with settings.databases, for every managed one.
 */
import { planCluster } from '../cluster.js';
import { planConfig, planLoading } from '../engine.js';
import { inReadOnlySnapshot } from '../execute/snapshot.js';
import type { Config } from '../config/types.js';
import { isClusterConfig } from '../config/databases.js';
import { MAX_CONFIG_BYTES, readTextFile } from '../config/read-file.js';
import type { Plan } from '../model/operations.js';
import type { CommandContext, GlobalArgs } from './command.js';
import { clusterScope, siblingsOf } from './cluster.js';
import { readConfig } from './config.js';
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
    { secrets: options.secrets },
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

/**
 * Raised by the config loader of withConfigRead when the config turns out to be a cluster
 * config after all: what was read is let go, and the command plans the cluster.
 */
class ClusterConfigLoaded extends Error {
  constructor() {
    super('the config has settings.databases');
  }
}

/**
 * How plan, drift and `apply --yes` read their config. Without `--sandbox`, it is loaded
 * while the server reads the catalog (engine.ts planLoading and applyLoading: parsing a large
 * config takes about as long as the longest catalog query, issue 13): `whileReading` gets the
 * loader, and the config's errors still come first if the connection fails. A cluster config
 * (settings.databases) is loaded first and given to `ready`, which works on every database:
 * the file is looked at for the word before connecting, and a config that has it anyway
 * (written with escapes) is let go once loaded and given to `ready` too — whatever error the
 * loader's ClusterConfigLoaded became on its way out (an apply's lock wraps what it does not
 * know). `--sandbox` starts a server only for a valid config: loaded first as well.
 */
export async function withConfigRead<T>(
  args: GlobalArgs,
  context: CommandContext,
  options: { readonly secrets: 'required' | 'optional' },
  run: {
    readonly ready: (config: Config) => Promise<T>;
    readonly whileReading: (load: () => Config) => Promise<T>;
  },
): Promise<T> {
  const read = (): Config => readConfig(args, context, options);
  if (args.sandbox !== undefined || mayBeClusterConfig(context.path(args.config)))
    return run.ready(read());
  let loaded = false;
  let cluster: Config | undefined;
  try {
    return await run.whileReading(() => {
      loaded = true;
      const config = read();
      if (isClusterConfig(config)) {
        cluster = config;
        throw new ClusterConfigLoaded();
      }
      return config;
    });
  } catch (error) {
    if (cluster !== undefined) return run.ready(cluster);
    // Not loaded: the connection failed first. A config with errors says so first, as when
    // it was read before connecting.
    if (!loaded) read();
    throw error;
  }
}

/** Whether the file may be a cluster config: it has the word, or cannot be read (ask loadConfig). */
function mayBeClusterConfig(path: string): boolean {
  const read = readTextFile(path, MAX_CONFIG_BYTES);
  return !('text' in read) || read.text.includes('databases');
}
