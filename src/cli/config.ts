/** The config a command reads: `-c FILE` (default ./pgward.yaml), relative to the working directory. */
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
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
