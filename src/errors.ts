/**
 * pgward's errors, every class of them in this one file: the engine's, the library API's, the
 * CLI's and the GitHub Action's. Each message is one line naming the thing in quotes and where
 * it is (`pgward.yaml:12:7: role "ghost" in member_of is not declared and does not exist`);
 * details go on the next lines. The engine's errors carry data (what is stale, what changed);
 * what to run next is the CLI's wording (cli/errors.ts). Only the CLI entry point turns them
 * into exit codes.
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

/** Fields of a server error that a program may branch on. */
export interface ServerErrorFields {
  /** SQLSTATE, e.g. `42704` (undefined_object), `2BP01` (dependent_objects_still_exist). */
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
  readonly hint?: string | undefined;
}

/**
 * The server's fields of an error from node-postgres (its DatabaseError), if it is one: what
 * a QueryError or an ApplyError keeps of its cause.
 */
export function serverError(
  error: unknown,
): (ServerErrorFields & { readonly message: string; readonly code: string }) | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  // node-postgres's DatabaseError carries a five-character SQLSTATE; Node's own errors
  // (ECONNRESET, ...) carry a code too, but not of that shape.
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const { detail, hint } = error as { detail?: unknown; hint?: unknown };
  return {
    message: error.message,
    code,
    ...(typeof detail === 'string' && detail ? { detail } : {}),
    ...(typeof hint === 'string' && hint ? { hint } : {}),
  };
}

/** A server message with the `DETAIL:` and `HINT:` lines the server gave, as psql shows them. */
export function withServerDetails(message: string, fields: ServerErrorFields): string {
  const lines = [message];
  if (fields.detail) lines.push(`DETAIL: ${fields.detail}`);
  if (fields.hint) lines.push(`HINT: ${fields.hint}`);
  return lines.join('\n');
}

/**
 * A call of the library failed at a statement, or around one: the server's SQLSTATE `code`,
 * `detail` and `hint` when the server rejected it (as node-postgres' `DatabaseError` keeps
 * them), and `statement`, the display SQL that failed (passwords read `(sensitive)`). The
 * role functions (`db.grant`, `db.createRole`, ...) throw it as it is: their transaction was
 * rolled back, so nothing of the call was kept. `db.apply` throws its subclass ApplyError.
 */
export class QueryError extends PgwardError {
  override readonly name: string = 'QueryError';
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  /** The statement that failed, as shown to people: passwords read `(sensitive)`. */
  readonly statement: string | undefined;

  constructor(
    message: string,
    fields: ServerErrorFields & { readonly statement?: string | undefined } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = fields.code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.statement = fields.statement;
  }
}

/** A change an error reports: a plan step's action and summary. */
export interface ReportedChange {
  readonly action: 'create' | 'update' | 'delete';
  readonly summary: string;
}

/**
 * What a failed apply left in the database: `nothing` (it rolled back), `unknown` (the
 * connection was lost at COMMIT, which may or may not have committed), `partly` (a cluster
 * apply: some databases committed, or all of them and a DROP ROLE after them failed).
 */
export type AppliedChanges = 'nothing' | 'unknown' | 'partly';

export interface ApplyErrorOptions {
  readonly cause?: unknown;
  /** Default `nothing`. */
  readonly changed?: AppliedChanges;
  /** The database it failed in (cluster scope), null for a cluster-wide statement. */
  readonly database?: string | null;
  /** The changes still left after the plan ran (an apply that did not converge). */
  readonly remaining?: readonly ReportedChange[];
}

/**
 * Applying failed. A QueryError (the same fields as the role functions' errors: the server's
 * `code`, `detail` and `hint` from its cause, and `statement`, the display SQL that failed),
 * plus what the apply left behind: `changed`, `database`, `remaining`.
 */
export class ApplyError extends QueryError {
  override readonly name = 'ApplyError';
  readonly changed: AppliedChanges;
  readonly database: string | null | undefined;
  readonly remaining: readonly ReportedChange[];
  constructor(message: string, statement?: string, options: ApplyErrorOptions = {}) {
    const server = serverError(options.cause);
    super(
      message,
      { code: server?.code, detail: server?.detail, hint: server?.hint, statement },
      'cause' in options ? { cause: options.cause } : undefined,
    );
    this.changed = options.changed ?? 'nothing';
    this.database = options.database;
    this.remaining = options.remaining ?? [];
  }
}

/**
 * Why a plan is stale:
 * - `changed_while_confirming`: applying the config now would make other changes than the
 *   ones confirmed; `changes` are the ones it would make now;
 * - `other_database`: the plan was made for `database`, not the one connected to;
 * - `changed_since_planned`: the server, the catalog or the plan file changed since the plan
 *   was made (the message says what);
 * - `no_fingerprints`: the plan was not saved with its fingerprints.
 * - `other_scope`: a one-database plan given with a cluster config, or the reverse.
 */
export type StaleReason =
  | { readonly kind: 'changed_while_confirming'; readonly changes: readonly ReportedChange[] }
  | { readonly kind: 'other_database'; readonly database: string }
  | { readonly kind: 'changed_since_planned' }
  | { readonly kind: 'no_fingerprints' }
  | { readonly kind: 'other_scope' };

/** A plan no longer matches the database; nothing was changed. Message always contains "stale". */
export class StalePlanError extends PgwardError {
  override readonly name = 'StalePlanError';
  constructor(
    message: string,
    readonly reason: StaleReason,
  ) {
    super(message);
  }
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

// ------------------------------------------------------------------------------ library API

/** An argument the API refuses before sending any SQL (unknown privilege, empty name, ...). */
export class InvalidArgumentError extends PgwardError {
  override readonly name = 'InvalidArgumentError';
}

/**
 * An error of one step of an apply, raised by runSteps (execute/apply.ts) and turned into an
 * ApplyError by the transaction around it; never shown as it is.
 */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    /** Which step and statement, for people: "step 3 of 5 (GRANT ...)" (display SQL). */
    readonly where: string,
    /** Display SQL of the statement that failed (passwords as (sensitive)). */
    readonly statement: string,
    override readonly cause: unknown,
  ) {
    super(`${where}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

// ------------------------------------------------------------------------------ CLI and action

/** A command line pgward cannot run (unknown option, missing confirmation, ...). */
export class UsageError extends PgwardError {
  override readonly name = 'UsageError';
}

/** A role named on the command line that does not exist, or that the command refuses. */
export class RoleCommandError extends PgwardError {
  override readonly name = 'RoleCommandError';
}

/** Why the `--sandbox` server could not be started or set up. */
export class SandboxError extends PgwardError {
  override readonly name = 'SandboxError';
}

/** A GitHub REST call of the action failed; `status` is the HTTP status when there was one. */
export class GitHubError extends PgwardError {
  override readonly name = 'GitHubError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An input of the GitHub Action that is missing or invalid. */
export class InputError extends PgwardError {
  override readonly name = 'InputError';
}
