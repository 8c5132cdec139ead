/** The config a command reads: `-c FILE` (default ./pgward.yaml), relative to the working directory. */
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { MAX_CONFIG_BYTES, readTextFile } from '../config/read-file.js';
import { isClusterConfig } from '../config/databases.js';
import type { Config } from '../config/types.js';
import { ConfigError } from '../errors.js';
import type { CommandContext, GlobalArgs } from './command.js';

/**
 * Loads and validates `-c FILE`; throws ConfigError with every problem found. With
 * `secrets: 'optional'` (commands that only read: a PR or cron job must not need production
 * passwords), a password that cannot be read is a note on stderr instead of an error.
 */
export function readConfig(
  args: GlobalArgs,
  context: CommandContext,
  options: { readonly secrets?: 'required' | 'optional' } = {},
): Config {
  try {
    const config = loadConfig(args.config, {
      env: context.io.env,
      cwd: context.io.cwd,
      secrets: options.secrets ?? 'required',
    });
    for (const unread of config.unreadPasswords ?? []) context.note(unread.note);
    return config;
  } catch (error) {
    // A newcomer's first run is often in the wrong directory, or before any config exists.
    if (error instanceof ConfigError && !existsSync(context.path(args.config))) {
      throw new ConfigError([
        ...error.problems,
        {
          message:
            'hint: name the config with -c FILE, or start one from the database with `pgward export > pgward.yaml`',
        },
      ]);
    }
    throw error;
  }
}

/**
 * Raised by the config loader of loadWhileReading when the config turns out to be a cluster
 * config after all: what was read is let go, and the command plans the cluster.
 */
export class ClusterConfigLoaded extends Error {
  constructor(readonly config: Config) {
    super('the config has settings.databases');
  }
}

/**
 * How plan and drift read their config. Without `--sandbox`, it is loaded while the server
 * reads the catalog (engine.ts planLoading: parsing a large config takes about as long as
 * the longest catalog query, issue 13): `whileReading` gets the loader, and the config's
 * errors still come first if the connection fails. A cluster config (settings.databases) is
 * loaded first and given to `cluster`, which plans every database; the file is looked at for
 * the word before connecting, and a config that has it anyway (written with escapes) is let
 * go and planned the same way. `--sandbox` starts a server only for a valid config: loaded
 * first too, given to `ready`.
 */
export async function withConfigRead<T>(
  args: GlobalArgs,
  context: CommandContext,
  options: { readonly secrets?: 'required' | 'optional'; readonly suffix?: string | undefined },
  run: {
    readonly ready: (config: Config) => Promise<T>;
    readonly whileReading: (load: () => Config) => Promise<T>;
  },
): Promise<T> {
  const read = (): Config => readConfig(args, context, options);
  if (args.sandbox !== undefined || mayBeClusterConfig(context.path(args.config)))
    return run.ready(read());
  let loaded = false;
  try {
    return await run.whileReading(() => {
      loaded = true;
      const config = read();
      if (isClusterConfig(config)) throw new ClusterConfigLoaded(config);
      return config;
    });
  } catch (error) {
    if (error instanceof ClusterConfigLoaded) return run.ready(error.config);
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
