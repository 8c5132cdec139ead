/**
 * The shape of a pgward command. A command file exports `defineCommand({...})`: its yargs
 * command line, description, examples and a `run` that returns the exit code. `main.ts` lists
 * the commands; nothing else is needed to add one.
 */
import { resolve } from 'node:path';
import type { Argv, ArgumentsCamelCase, CommandModule } from 'yargs';
import { printableLines } from '../report/terminal.js';
import type { CliIO } from './io.js';

/** Options every command accepts (defined once, in main.ts). */
export interface GlobalArgs {
  readonly config: string;
  readonly db: string | undefined;
  /** `--sandbox` alone is '', `--sandbox setup.sql` is the file. */
  readonly sandbox: string | undefined;
  readonly color: boolean;
}

/** What a command's `run` gets besides its arguments. */
export interface CommandContext {
  readonly io: CliIO;
  /** Whether output may use colours: not `--no-color`, stdout is a terminal, NO_COLOR unset. */
  readonly color: boolean;
  /** Writes to stdout; a missing final newline is added. */
  out(text: string): void;
  /** Writes `warning: message` to stderr. */
  warn(message: string): void;
  /** Writes a note for people (progress, where a file was saved) to stderr. */
  note(message: string): void;
  /** A path given on the command line, resolved against the working directory. */
  path(file: string): string;
}

export interface CommandSpec<A> {
  /** yargs command line, e.g. `apply [planfile]`. */
  readonly command: string;
  readonly describe: string;
  /** Runnable examples shown by `--help`: [command line, what it does]. */
  readonly examples: readonly (readonly [string, string])[];
  readonly builder: (yargs: Argv<GlobalArgs>) => Argv<A>;
  /** Does the work; returns the exit code. Throws PgwardErrors for failures (exit 1). */
  readonly run: (args: ArgumentsCamelCase<A>, context: CommandContext) => Promise<number>;
}

/** One CLI run's mutable state: where output goes and the exit code the command chose. */
export interface RunState {
  readonly io: CliIO;
  exitCode: number;
}

/** A command as main.ts registers it: a yargs module bound to one run. */
export type PgwardCommand = (state: RunState) => CommandModule<GlobalArgs, unknown>;

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

export function commandContext(io: CliIO, args: GlobalArgs): CommandContext {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return {
    io,
    color: args.color && io.stdout.isTTY === true && !noColor,
    out: (text) => void io.stdout.write(withNewline(text)),
    // Warnings and notes quote role and object names from the catalog: escaped, so that a
    // name holding a terminal escape sequence cannot rewrite what the operator sees.
    warn: (message) => void io.stderr.write(withNewline(printableLines(`warning: ${message}`))),
    note: (message) => void io.stderr.write(withNewline(printableLines(message))),
    path: (file) => resolve(io.cwd, file),
  };
}

/** Turns a command spec into the yargs module main.ts registers. */
export function defineCommand<A>(spec: CommandSpec<A>): PgwardCommand {
  return (state) =>
    ({
      command: spec.command,
      describe: spec.describe,
      builder: (yargs: Argv<GlobalArgs>) =>
        spec.examples.reduce(
          (built, [line, what]) => built.example(line, what),
          spec.builder(yargs),
        ),
      handler: async (args: ArgumentsCamelCase<A>) => {
        const context = commandContext(state.io, args as unknown as GlobalArgs);
        state.exitCode = await spec.run(args, context);
      },
    }) as CommandModule<GlobalArgs, unknown>;
}
