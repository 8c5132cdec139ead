/**
 * How the CLI reports a failure: one line `error: ...` on stderr, details on the lines after,
 * never a stack trace unless PGWARD_DEBUG=1. The engine's errors say what happened, with data;
 * what to run next is said here, in the CLI's words.
 */
import {
  ApplyError,
  ConfigError,
  PgwardError,
  PlanError,
  serverError,
  StalePlanError,
  UsageError,
  formatProblem,
  type Problem,
} from '../errors.js';

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

/** What to run next, after the last line of an engine error's message; '' if nothing. */
function nextStep(error: Error): string {
  if (error instanceof StalePlanError) {
    switch (error.reason.kind) {
      case 'changed_while_confirming':
        return '; run pgward apply again to review the new plan';
      case 'other_database':
        return `, connect to "${error.reason.database}" to apply it, or run pgward plan here`;
      case 'changed_since_planned':
        return ', run pgward plan again';
      case 'no_fingerprints':
      case 'other_scope':
        return '';
    }
  }
  if (error instanceof ApplyError && error.changed === 'unknown')
    return '; run pgward plan to see where the database stands';
  if (error instanceof ApplyError && error.changed === 'partly')
    // A cluster-wide DROP ROLE after every database committed, or a database's COMMIT.
    return error.database === null
      ? '; run pgward apply again to complete the work'
      : '; run pgward plan to see where they stand, and pgward apply to complete the work';
  return '';
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
      const [first = '', ...rest] = `${error.message}${nextStep(error)}`.split('\n');
      // An ApplyError keeps its cause's SQLSTATE, which its message already names.
      const server = error instanceof ApplyError ? undefined : serverError(error);
      const headline = server ? `${first} (SQLSTATE ${server.code})` : first;
      const internal = error instanceof PgwardError || server ? '' : 'internal error: ';
      return [`error: ${internal}${headline}`, ...rest, ...serverDetails(error)];
    }
    return [`error: ${String(error)}`];
  })();
  if (options.debug && error instanceof Error && error.stack) lines.push(error.stack);
  return lines;
}
