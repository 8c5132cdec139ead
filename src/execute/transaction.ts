/**
 * The apply transaction: BEGIN, a bounded wait for locks, one advisory lock that serializes
 * applies, the work, COMMIT — or ROLLBACK and an ApplyError that says nothing was changed.
 * Everything an apply does (re-introspection, staleness check, statements, convergence
 * check) happens inside it, on one client, as node-postgres recommends for transactions.
 */
import { ApplyError, PgwardError, serverError, StepFailure } from '../errors.js';
import type { Queryable } from '../introspect/queryable.js';
import { PIN_SEARCH_PATH_LOCAL } from '../introspect/search-path.js';
import { quoteLiteral } from '../sql/quote.js';

/**
 * Key of the transaction-level advisory lock every apply takes: the bytes of "pgward".
 * Advisory locks are per database, so applies to different databases of one cluster are not
 * serialized against each other; each still runs in one transaction of its own.
 */
export const APPLY_LOCK_KEY = '123623034385508';

/**
 * How every transaction that writes begins: each statement sees what committed before it, not
 * a snapshot from the transaction's start (see inApplyTransaction). Read-only plans use
 * REPEATABLE READ READ ONLY instead (snapshot.ts): one consistent view, nothing written.
 */
export const BEGIN_READ_COMMITTED = 'BEGIN ISOLATION LEVEL READ COMMITTED';

/** PostgreSQL's duration syntax we accept for `--lock-timeout`: digits with an optional unit. */
const DURATION = /^\d+(ms|s|min|h)?$/;

/** Default `--lock-timeout` (spec §3). */
export const DEFAULT_LOCK_TIMEOUT = '10s';

/** Whether `value` is a duration `--lock-timeout` accepts (`500ms`, `10s`, `2min`, `1h`, `0`). */
export function isLockTimeout(value: string): boolean {
  return DURATION.test(value);
}

export interface TransactionOptions {
  /** `lock_timeout` for the whole transaction, advisory lock included, e.g. `10s`. */
  readonly lockTimeout: string;
  /** Runs before waiting for the apply lock, only if another session holds it (takeAdvisoryLock). */
  readonly beforeWaiting?: () => Promise<void>;
}

/** The advisory lock functions, by how long the lock lasts: a closed set, never pasted names. */
const ADVISORY_LOCK = {
  session: {
    wait: 'SELECT pg_catalog.pg_advisory_lock($1::bigint)',
    attempt: 'SELECT 1 WHERE pg_catalog.pg_try_advisory_lock($1::bigint)',
  },
  transaction: {
    wait: 'SELECT pg_catalog.pg_advisory_xact_lock($1::bigint)',
    attempt: 'SELECT 1 WHERE pg_catalog.pg_try_advisory_xact_lock($1::bigint)',
  },
} as const;

/**
 * Takes an advisory lock, waiting for it (up to `lock_timeout`) if another session holds it.
 * With `beforeWaiting`, the lock is first tried without waiting, and `beforeWaiting` runs only
 * when it is held elsewhere, before the wait: the CLI's `apply --yes` loads its config while
 * the catalog is read (issue 13), so that a broken config says so at once instead of after
 * another apply finishes. One statement either way when the lock is free.
 */
export async function takeAdvisoryLock(
  client: Queryable,
  lasting: keyof typeof ADVISORY_LOCK,
  key: string,
  beforeWaiting?: () => Promise<void>,
): Promise<void> {
  const statements = ADVISORY_LOCK[lasting];
  if (beforeWaiting !== undefined) {
    // Taken when a row comes back: read without parsing a boolean, which a client's global
    // type parsers could change — a taken session lock misread as busy would be taken twice
    // and outlive its one unlock.
    const { rows } = await client.query(statements.attempt, [key]);
    if (rows.length === 1) return;
    await beforeWaiting();
  }
  await client.query(statements.wait, [key]);
}

/** SQLSTATE 55P03 lock_not_available: what `lock_timeout` raises. */
const LOCK_NOT_AVAILABLE = '55P03';

const NOTHING_CHANGED = 'rolled back, nothing was changed';

/** The server's message with its SQLSTATE, e.g. `relation "t" does not exist (SQLSTATE 42P01)`. */
export function describeServerError(error: unknown): string {
  const fields = serverError(error);
  if (fields) return `${fields.message} (SQLSTATE ${fields.code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether the error means the session is gone (server restarted, backend terminated, network
 * cut). The server then rolls the open transaction back by itself.
 */
export function isConnectionLoss(error: unknown): boolean {
  const fields = serverError(error);
  // Class 08 connection exceptions; 57P01-57P03 admin, crash and cannot-connect-now shutdowns.
  if (fields?.code) return /^08|^57P0[1-3]$/.test(fields.code);
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && ['ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
  // node-postgres's own messages (pg/lib/client.js) for a connection that ended or broke.
  return /^Connection terminated|is not queryable$/.test(error.message);
}

function lockTimeoutStatement(lockTimeout: string): string {
  if (!isLockTimeout(lockTimeout)) {
    throw new ApplyError(
      `invalid lock timeout "${lockTimeout}": expected a number with an optional unit ms, s, min or h (e.g. 10s)`,
    );
  }
  return `SET LOCAL lock_timeout = ${quoteLiteral(lockTimeout)}`;
}

type Phase = 'begin' | 'lock' | 'work' | 'commit';

const PHASE_DOING: Readonly<Record<Phase, string>> = {
  begin: 'while starting the transaction',
  lock: 'while taking the apply lock',
  work: 'while applying',
  commit: 'at COMMIT',
};

/** Why it failed and what became of the transaction, as the end of a one-line message. */
function reasonAndOutcome(error: unknown, lockTimeout: string): string {
  if (isConnectionLoss(error)) {
    return `the connection was lost (${describeServerError(error)}); the server rolled the transaction back, nothing was changed`;
  }
  if (serverError(error)?.code === LOCK_NOT_AVAILABLE) {
    return `${describeServerError(error)}: another session held a lock it needs for longer than --lock-timeout ${lockTimeout}; ${NOTHING_CHANGED}`;
  }
  return `${describeServerError(error)}; ${NOTHING_CHANGED}`;
}

function toApplyError(error: unknown, phase: Phase, lockTimeout: string): PgwardError {
  if (error instanceof StepFailure) {
    return new ApplyError(
      `apply failed at ${error.where}: ${reasonAndOutcome(error.cause, lockTimeout)}`,
      error.statement,
      { cause: error.cause },
    );
  }
  // Stale plans, non-convergence and config problems found mid-apply are already ours.
  if (error instanceof PgwardError) return error;
  if (phase === 'commit' && isConnectionLoss(error)) {
    // The COMMIT was sent but its answer never came: it may or may not have committed.
    return new ApplyError(
      `the connection was lost during COMMIT (${describeServerError(error)}): the changes may or may not have been applied`,
      'COMMIT',
      { cause: error, changed: 'unknown' },
    );
  }
  if (phase === 'lock' && serverError(error)?.code === LOCK_NOT_AVAILABLE) {
    return new ApplyError(
      `another pgward apply is running on this database and did not finish within --lock-timeout ${lockTimeout}; ${NOTHING_CHANGED}`,
      undefined,
      { cause: error },
    );
  }
  return new ApplyError(
    `apply failed ${PHASE_DOING[phase]}: ${reasonAndOutcome(error, lockTimeout)}`,
    undefined,
    { cause: error },
  );
}

/**
 * Runs `work` in one transaction that holds the apply lock: `BEGIN`, `SET LOCAL search_path`
 * (search-path.ts), `SET LOCAL lock_timeout`,
 * `pg_advisory_xact_lock`, work, `COMMIT`. Any error rolls back and is rethrown as an
 * ApplyError (PgwardErrors such as StalePlanError pass through unchanged, after the rollback).
 * The advisory lock is released by COMMIT/ROLLBACK; `lock_timeout` bounds the wait for it too.
 *
 * The transaction is READ COMMITTED, said in its BEGIN, whatever the session's
 * `default_transaction_isolation` (a database or role default, postgresql.conf, PGOPTIONS):
 * under REPEATABLE READ the statement that waits for the lock would fix the snapshot, so an
 * apply that waited for another one would re-plan from the catalog as it was before the other
 * committed, and the owned-objects guard before DROP OWNED (owned-guard.ts) would miss an
 * object created while REASSIGN OWNED waited, which DROP OWNED's own fresh scan then drops.
 *
 * @example
 * await inApplyTransaction(client, { lockTimeout: '10s' }, async () => {
 *   await client.query('CREATE ROLE "reader"');
 * });
 */
export async function inApplyTransaction<T>(
  client: Queryable,
  options: TransactionOptions,
  work: () => Promise<T>,
): Promise<T> {
  const setLockTimeout = lockTimeoutStatement(options.lockTimeout);
  let phase: Phase = 'begin';
  try {
    return await inTransaction(client, 'read committed', async () => {
      await client.query(setLockTimeout);
      phase = 'lock';
      await takeAdvisoryLock(client, 'transaction', APPLY_LOCK_KEY, options.beforeWaiting);
      phase = 'work';
      const result = await work();
      phase = 'commit';
      return result;
    });
  } catch (error) {
    throw toApplyError(error, phase, options.lockTimeout);
  }
}

/**
 * How a transaction begins: READ COMMITTED for one that writes (see inApplyTransaction), or a
 * REPEATABLE READ READ ONLY snapshot in which several catalog reads see one state.
 */
export type Isolation = 'read committed' | 'read-only snapshot';

const BEGIN: Readonly<Record<Isolation, string>> = {
  'read committed': BEGIN_READ_COMMITTED,
  'read-only snapshot': 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
};

/**
 * Runs `work` in one transaction on `client` with search_path pinned for it (`SET LOCAL`,
 * search-path.ts): BEGIN, pin, work, then COMMIT; a read-only snapshot ends with ROLLBACK, as
 * it wrote nothing. An error rolls back and is rethrown as it was. The isolation is said in
 * the BEGIN, whatever the session's `default_transaction_isolation`.
 */
export async function inTransaction<T>(
  client: Queryable,
  isolation: Isolation,
  work: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    await client.query(BEGIN[isolation]);
    await client.query(PIN_SEARCH_PATH_LOCAL);
    result = await work();
    if (isolation === 'read committed') await client.query('COMMIT');
  } catch (error) {
    // On a lost connection this fails too; the server has rolled back by itself then.
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  // Nothing was written; a lost connection here changes nothing about the result.
  if (isolation === 'read-only snapshot') await client.query('ROLLBACK').catch(() => undefined);
  return result;
}
