#!/usr/bin/env node
/**
 * The `pgward` command line. This file only wires: global options, the list of commands,
 * error reporting and exit codes. Each command lives in `commands/<name>.ts`; to add one,
 * write that file with `defineCommand` and add it to COMMANDS below.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { printableLines } from '../report/terminal.js';
import { applyCommand } from './commands/apply.js';
import { driftCommand } from './commands/drift.js';
import { explainCommand } from './commands/explain.js';
import { exportCommand } from './commands/export.js';
import { grantsCommand } from './commands/grants.js';
import { graphCommand } from './commands/graph.js';
import { inventoryCommand } from './commands/inventory.js';
import { loginCommand } from './commands/login.js';
import { membersCommand } from './commands/members.js';
import { planCommand } from './commands/plan.js';
import { rolesCommand } from './commands/roles.js';
import { validateCommand } from './commands/validate.js';
import type { GlobalArgs, PgwardCommand, RunState } from './command.js';
import { UsageError, formatError } from './errors.js';
import { processIO, type CliIO } from './io.js';

const COMMANDS: readonly PgwardCommand[] = [
  validateCommand,
  planCommand,
  applyCommand,
  driftCommand,
  inventoryCommand,
  exportCommand,
  rolesCommand,
  membersCommand,
  grantsCommand,
  loginCommand,
  explainCommand,
  graphCommand,
];

function version(): string {
  // Two levels up from both src/cli/main.ts and dist/cli/main.js.
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/**
 * yargs' message for a command line it refuses. Its "Invalid values:" block puts the option on
 * the second line; the first line of stderr (what CI logs show) should name it.
 */
function usageMessage(message: string | null): string {
  if (!message) return 'invalid command line';
  const refused = [...message.matchAll(/Argument: (\S+), Given: (.*), Choices: (.*)$/gm)];
  if (refused.length === 0) return message;
  return refused
    .map(
      ([, option, given, choices]) =>
        `invalid --${option} ${given}: choose one of ${(choices ?? '').replaceAll('"', '')}`,
    )
    .join('\n');
}

function parser(argv: readonly string[], state: RunState): Argv<GlobalArgs> {
  const width = state.io.stdout.columns ?? 100;
  let cli = yargs(argv)
    .scriptName('pgward')
    .usage('$0 <command> [options]\n\nPostgreSQL roles, memberships and privileges as code.')
    .option('config', {
      alias: 'c',
      type: 'string',
      default: 'pgward.yaml',
      describe: 'Config file',
    })
    .option('db', {
      type: 'string',
      describe: 'libpq connection URI (default: DATABASE_URL, then PGHOST, PGUSER, ...)',
    })
    .option('sandbox', {
      type: 'string',
      describe: 'Work in a throwaway PostgreSQL, loaded first with SQL_FILE if given',
    })
    .option('color', {
      type: 'boolean',
      default: true,
      describe: 'Colour output on a terminal (--no-color or NO_COLOR=1 to turn off)',
    })
    .example('$0 validate', 'check ./pgward.yaml')
    .example('$0 plan', 'show what apply would change')
    .example('$0 apply --sandbox schema.sql', 'try a config on a throwaway server')
    .epilogue(
      'Exit codes: 0 success, 1 error (nothing changed), 2 changes/drift (plan --detailed-exitcode, drift).\nSet PGWARD_DEBUG=1 to see stack traces.',
    )
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(version())
    .wrap(Math.min(100, width))
    .exitProcess(false)
    .fail((message: string | null, error: Error | undefined) => {
      throw error ?? new UsageError(usageMessage(message));
    });
  for (const command of COMMANDS) cli = cli.command(command(state));
  return cli as unknown as Argv<GlobalArgs>;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit code: 0 success,
 * 1 error, 2 changes (plan --detailed-exitcode) or drift. Output goes to `io` (default: the
 * process's streams); nothing here exits the process.
 *
 * @example
 * const code = await run(['plan', '--db', url], { stdout, stderr, stdin, env, cwd });
 */
export async function run(argv: readonly string[], io: Partial<CliIO> = {}): Promise<number> {
  const state: RunState = { io: { ...processIO(), ...io }, exitCode: 0 };
  const { stdout, stderr, env } = state.io;
  try {
    await parser(argv, state).parseAsync(argv as string[], {}, (_error, _args, output) => {
      // --help and --version output; errors go through fail() instead.
      if (output) stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    });
    return state.exitCode;
  } catch (error) {
    for (const line of formatError(error, { debug: env.PGWARD_DEBUG === '1' })) {
      // Errors quote names from the catalog and the server's own messages: escaped like
      // every name pgward prints.
      stderr.write(`${printableLines(line)}\n`);
    }
    return 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    // npm installs the bin as a symlink to this file.
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `pgward plan | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  const code = await run(process.argv.slice(2));
  // Exit once stdout is flushed: piped output is written asynchronously.
  process.stdout.write('', () => process.exit(code));
}
