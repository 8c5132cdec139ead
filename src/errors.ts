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

/** What a role still has in one database, for a refusal to drop it. */
export interface DatabaseDependencies {
  readonly database: string;
  /** Objects it owns there. */
  readonly owned: number;
  /** Objects it holds privileges on or is named in (policies, initial privileges) there. */
  readonly other: number;
}

/** Why `dropLogin` refused to drop a role. */
export type DropLoginRefusal =
  /** pg_* roles, the bootstrap superuser, the connecting role, managed-cloud admin roles, ... */
  | { readonly kind: 'protected'; readonly reason: string }
  | { readonly kind: 'missing' }
  /** A role without LOGIN is a group role. */
  | { readonly kind: 'not_login' }
  /** A role others are members of is a group role. */
  | { readonly kind: 'group_role'; readonly members: readonly string[] }
  | { readonly kind: 'reassign_to_itself' }
  | { readonly kind: 'reassign_target_missing'; readonly target: string }
  /** REASSIGN OWNED and DROP OWNED act on the connected database only. */
  | {
      readonly kind: 'owns_in_other_databases';
      readonly databases: readonly DatabaseDependencies[];
    }
  /** Owns objects in the connected database, and no role to reassign them to was given. */
  | {
      readonly kind: 'owns_objects';
      readonly database: string;
      readonly count: number;
      /** The first objects, as PostgreSQL describes them (`table app.orders`), sorted. */
      readonly objects: readonly string[];
    };

/**
 * `dropLogin` refused to drop `role`; nothing was changed. `refusal` says why, with the data
 * a caller needs to word its own message (the CLI names its flags).
 */
export class DropLoginError extends PgwardError {
  override readonly name = 'DropLoginError';
  constructor(
    message: string,
    readonly role: string,
    readonly refusal: DropLoginRefusal,
  ) {
    super(message);
  }
}
