/**
 * pgward's errors. Each message is one line naming the thing in quotes and where it is
 * (`pgward.yaml:12:7: role "ghost" in member_of is not declared and does not exist`); details
 * go on the next lines. Only the CLI entry point turns them into exit codes.
 */

/** A place in a config file, 1-based. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function formatPosition(position: SourcePosition | undefined): string {
  return position ? `${position.file}:${position.line}:${position.column}` : '';
}

export interface Problem {
  readonly message: string;
  readonly position?: SourcePosition;
}

export function formatProblem(problem: Problem): string {
  const where = formatPosition(problem.position);
  return where ? `${where}: ${problem.message}` : problem.message;
}

export class PgwardError extends Error {
  override readonly name: string = 'PgwardError';
}

/** The config is invalid; `problems` lists every error found, each with its position. */
export class ConfigError extends PgwardError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** The config cannot be planned against this database (unknown object, role that can't be dropped, ...). */
export class PlanError extends PgwardError {
  override readonly name = 'PlanError';
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** Applying failed; the transaction was rolled back. `statement` is the display SQL that failed. */
export class ApplyError extends PgwardError {
  override readonly name = 'ApplyError';
  constructor(
    message: string,
    readonly statement?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A saved plan no longer matches the database. Message always contains "stale". */
export class StalePlanError extends PgwardError {
  override readonly name = 'StalePlanError';
}

/** Connecting failed; message says where and why, never with a password. */
export class ConnectionError extends PgwardError {
  override readonly name = 'ConnectionError';
}
