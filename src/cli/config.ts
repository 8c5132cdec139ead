/** The config a command reads: `-c FILE` (default ./pgward.yaml), relative to the working directory. */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { CommandContext, GlobalArgs } from './command.js';

/** Loads and validates `-c FILE`; throws ConfigError with every problem found. */
export function readConfig(args: GlobalArgs, context: CommandContext): Config {
  return loadConfig(args.config, { env: context.io.env, cwd: context.io.cwd });
}
