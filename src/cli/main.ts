#!/usr/bin/env node
/**
 * The `pgward` command line. This file only wires: global options, the list of commands,
 * error reporting and exit codes. Each command lives in `commands/<name>.ts`; to add one,
 * write that file with `defineCommand` and add it to COMMANDS below.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import type Yargs from 'yargs';
import { editDistance } from '../config/describe.js';
import { printableLines } from '../report/terminal.js';
import type { GlobalArgs, PgwardCommand, RunState } from './command.js';
import { UsageError } from '../errors.js';
import { formatError } from './errors.js';
import { processIO, type CliIO } from './io.js';

/**
 * The commands, each loaded only when the command line may need it: a command's module pulls
 * in most of pgward (engine, catalog queries, config schema), which `--version` and
 * `validate` do not need. The key is the command's name (the first word of its yargs
 * `command`); the order is the order of `--help`.
 */
const COMMANDS: Readonly<Record<string, () => Promise<PgwardCommand>>> = {
  validate: async () => (await import('./commands/validate.js')).validateCommand,
  plan: async () => (await import('./commands/plan.js')).planCommand,
  apply: async () => (await import('./commands/apply.js')).applyCommand,
  drift: async () => (await import('./commands/drift.js')).driftCommand,
  inventory: async () => (await import('./commands/inventory.js')).inventoryCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  roles: async () => (await import('./commands/roles.js')).rolesCommand,
  members: async () => (await import('./commands/members.js')).membersCommand,
  grants: async () => (await import('./commands/grants.js')).grantsCommand,
  login: async () => (await import('./commands/login.js')).loginCommand,
  explain: async () => (await import('./commands/explain.js')).explainCommand,
  graph: async () => (await import('./commands/graph.js')).graphCommand,
};

/**
 * The commands yargs must know to parse `argv` as if it knew them all: those named anywhere
 * in it (a superset of the one that runs: a word may also be an option's value); with none
 * named, all of them (for `--help`, "did you mean", "name a command").
 */
async function commandsFor(argv: readonly string[]): Promise<PgwardCommand[]> {
  const all = Object.entries(COMMANDS);
  const named = all.filter(([name]) => argv.includes(name));
  return Promise.all((named.length > 0 ? named : all).map(([, load]) => load()));
}

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
function usageMessage(message: string | null, argv: readonly string[]): string {
  if (!message) return 'invalid command line';
  // recommendCommands' message is only "Did you mean plan?": say first what was wrong.
  const suggestion = /^Did you mean (.+)\?$/.exec(message)?.[1];
  if (suggestion !== undefined) {
    // The word typed is the one on the command line nearest to the suggestion.
    const typed = argv
      .filter((token) => !token.startsWith('-'))
      .map((token) => ({ token, distance: editDistance(token, suggestion) }))
      .sort((a, b) => a.distance - b.distance)[0]?.token;
    return `unknown command${typed === undefined ? '' : ` "${typed}"`}; did you mean "${suggestion}"?`;
  }
  const refused = [...message.matchAll(/Argument: (\S+), Given: (.*), Choices: (.*)$/gm)];
  if (refused.length === 0) return message;
  return refused
    .map(
      ([, option, given, choices]) =>
        `invalid --${option} ${given}: choose one of ${(choices ?? '').replaceAll('"', '')}`,
    )
    .join('\n');
}

function parser(
  argv: readonly string[],
  state: RunState,
  commands: readonly PgwardCommand[],
  yargs: typeof Yargs,
): Argv<GlobalArgs> {
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
      throw error ?? new UsageError(usageMessage(message, argv));
    });
  for (const command of commands) cli = cli.command(command(state));
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
    // A bare `--version` is answered before loading yargs and any command.
    if (argv.length === 1 && argv[0] === '--version') {
      stdout.write(`${version()}\n`);
      return 0;
    }
    const [{ default: yargs }, commands] = await Promise.all([import('yargs'), commandsFor(argv)]);
    await parser(argv, state, commands, yargs).parseAsync(
      argv as string[],
      {},
      (_error, _args, output) => {
        // --help and --version output; errors go through fail() instead.
        if (output) stdout.write(output.endsWith('\n') ? output : `${output}\n`);
      },
    );
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
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Runs the CLI as this process: its arguments, its streams, its exit code. */
export async function runProcess(): Promise<void> {
  // `pgward plan | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  const code = await run(process.argv.slice(2));
  // Exit once stdout is flushed: piped output is written asynchronously.
  process.stdout.write('', () => process.exit(code));
}

// `node dist/cli/main.js` (`npm run quickstart`, a build without the bundle); the published
// bin is bin.ts, bundled (scripts/build.mjs).
if (isEntryPoint()) await runProcess();
