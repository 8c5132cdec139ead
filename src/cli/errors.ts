/**
 * How the CLI reports a failure: one line `error: ...` on stderr, details on the lines after,
 * never a stack trace unless PGWARD_DEBUG=1.
 */
import {
  ConfigError,
  PgwardError,
  PlanError,
  UsageError,
  formatProblem,
  type Problem,
} from '../errors.js';
import { serverError } from '../execute/transaction.js';

/** `detail:` and `hint:` lines of the server error behind `error`, if any. */
function serverDetails(error: Error): string[] {
  const server = serverError(error) ?? serverError(error.cause);
  if (!server) return [];
  return [
    ...(server.detail ? [`detail: ${server.detail}`] : []),
    ...(server.hint ? [`hint: ${server.hint}`] : []),
  ];
}

/**
 * The first problem is the headline, so that the first line of stderr (what CI logs and
 * chat alerts show) says where and what: `error: pgward.yaml:12:7: role "ghost" ...`.
 * The other problems follow, one a line, each with its own position.
 */
function problemLines(problems: readonly Problem[], what: string): string[] {
  const [first, ...rest] = problems;
  if (first === undefined) return [`error: ${what}`];
  return [`error: ${formatProblem(first)}`, ...rest.map(formatProblem)];
}

/** The lines to print on stderr for an error that ends a command. */
export function formatError(error: unknown, options: { debug: boolean }): string[] {
  const lines = ((): string[] => {
    if (error instanceof ConfigError) {
      return problemLines(error.problems, 'the configuration is not valid');
    }
    if (error instanceof PlanError) {
      return problemLines(
        error.problems,
        'the configuration cannot be planned against this database',
      );
    }
    if (error instanceof UsageError) {
      return [`error: ${error.message}`, 'Run "pgward --help" for usage.'];
    }
    if (error instanceof Error) {
      const [first = '', ...rest] = error.message.split('\n');
      const server = serverError(error);
      const headline = server ? `${first} (SQLSTATE ${server.code})` : first;
      const internal = error instanceof PgwardError || server ? '' : 'internal error: ';
      return [`error: ${internal}${headline}`, ...rest, ...serverDetails(error)];
    }
    return [`error: ${String(error)}`];
  })();
  if (options.debug && error instanceof Error && error.stack) lines.push(error.stack);
  return lines;
}
