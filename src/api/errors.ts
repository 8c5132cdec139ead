/**
 * Errors of the library API. A statement the server rejected keeps the server's SQLSTATE
 * `code`, `detail` and `hint` (as node-postgres' `DatabaseError` does) and the display form of
 * the statement, where passwords read `(sensitive)`.
 */
import { PgwardError } from '../errors.js';

/** An argument the API refuses before sending any SQL (unknown privilege, empty name, ...). */
export class InvalidArgumentError extends PgwardError {
  override readonly name = 'InvalidArgumentError';
}

/** Fields of a server error that a program may branch on. */
export interface ServerErrorFields {
  /** SQLSTATE, e.g. `42704` (undefined_object), `2BP01` (dependent_objects_still_exist). */
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
  readonly hint?: string | undefined;
}

/**
 * The server rejected a statement (or a catalog lookup found nothing to act on); the call's
 * transaction was rolled back, so nothing of the call was kept. The message is the server's
 * first line, then `DETAIL:` and `HINT:` lines when the server gave them.
 */
export class QueryError extends PgwardError {
  override readonly name = 'QueryError';
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
    const lines = [message];
    if (fields.detail) lines.push(`DETAIL: ${fields.detail}`);
    if (fields.hint) lines.push(`HINT: ${fields.hint}`);
    super(lines.join('\n'), options);
    this.code = fields.code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.statement = fields.statement;
  }
}
