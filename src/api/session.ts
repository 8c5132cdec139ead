/**
 * The one connection behind a `PgwardDatabase`: every call runs alone on it (calls made
 * without awaiting are queued, since interleaved BEGIN/COMMIT on one client would mix two
 * calls into one transaction), and every call that changes something is one transaction:
 * `BEGIN` … `COMMIT`, or `ROLLBACK` and rethrow. READ COMMITTED whatever the session's default,
 * as an apply (execute/transaction.ts): the owned-objects guard before DROP OWNED must see
 * what committed while REASSIGN OWNED waited.
 */
import type pg from 'pg';
import {
  ConnectionError,
  PgwardError,
  QueryError,
  serverError,
  withServerDetails,
  type ServerErrorFields,
} from '../errors.js';
import type { OpenDatabase } from '../execute/cluster-lock.js';
import { openSibling } from '../execute/connection.js';
import { checkOwnsNothing } from '../execute/owned-guard.js';
import { BEGIN_READ_COMMITTED } from '../execute/transaction.js';
import type { Queryable } from '../introspect/queryable.js';
import type { Operation } from '../model/operations.js';
import { renderOperation, SENSITIVE_PASSWORD, type SecretResolver } from '../sql/render.js';

/** What a call runs: catalog reads and rendered operations, inside its transaction. */
export interface Transaction {
  readonly serverVersionNum: number;
  /** A catalog read with bind parameters. */
  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Renders an operation with the shared renderer and runs its statements in order. */
  execute(op: Operation, secrets?: SecretResolver): Promise<void>;
}

/** A transaction as introspection's Queryable (pg's result shape), to read the catalog in it. */
export function queryableOf(tx: Transaction): Queryable {
  return {
    query: async <R extends object>(sql: string, params: unknown[] = []) => ({
      rows: await tx.query<R>(sql, params),
    }),
  };
}

/** Text that must never reach a message: a plaintext password and the verifier sent for it. */
export type Secrets = readonly string[];

function scrub(text: string | undefined, secrets: Secrets): string | undefined {
  if (text === undefined) return undefined;
  let clean = text;
  for (const secret of secrets)
    if (secret !== '') clean = clean.replaceAll(secret, SENSITIVE_PASSWORD);
  return clean;
}

/**
 * Turns whatever a query threw into a PgwardError that keeps the server's fields. The cause is
 * kept unless a secret would leak through it (node-postgres' errors never carry the query
 * text, but a server message could quote part of it).
 */
function wrapError(error: unknown, statement: string | undefined, secrets: Secrets): PgwardError {
  if (error instanceof PgwardError) return error;
  const raw: ServerErrorFields & { readonly message: string } = serverError(error) ?? {
    message: error instanceof Error ? error.message : String(error),
  };
  const leaks = secrets.some(
    (s) =>
      s !== '' && [raw.message, raw.detail, raw.hint].some((text) => text?.includes(s) ?? false),
  );
  const fields = {
    code: raw.code,
    detail: scrub(raw.detail, secrets),
    hint: scrub(raw.hint, secrets),
    statement,
  };
  return new QueryError(
    withServerDetails(scrub(raw.message, secrets) ?? '', fields),
    fields,
    leaks ? undefined : { cause: error },
  );
}

export class Session {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly client: pg.Client,
    readonly serverVersionNum: number,
  ) {}

  /** Runs `work` after every earlier call has finished. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new ConnectionError('the pgward connection is closed');
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private transactionView(secrets: Secrets): Transaction {
    const client = this.client;
    const serverVersionNum = this.serverVersionNum;
    return {
      serverVersionNum,
      async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
        try {
          return (await client.query<R & pg.QueryResultRow>(sql, [...params])).rows;
        } catch (error) {
          throw wrapError(error, undefined, secrets);
        }
      },
      async execute(op: Operation, resolver?: SecretResolver): Promise<void> {
        // Rendered twice: with secrets to send, without to show in an error.
        const display = renderOperation(op, serverVersionNum);
        const statements = resolver ? renderOperation(op, serverVersionNum, resolver) : display;
        // DROP OWNED must only take privileges, as in an apply: see execute/owned-guard.ts.
        if (op.type === 'drop_owned')
          await checkOwnsNothing(client, op.role).catch((error: unknown) => {
            throw wrapError(error, display[0], secrets);
          });
        for (const [index, sql] of statements.entries()) {
          try {
            await client.query(sql);
          } catch (error) {
            throw wrapError(error, display[index] ?? display.join('\n'), secrets);
          }
        }
      },
    };
  }

  /**
   * Runs `work` alone on the connection, which `work` drives itself: for the engine's apply
   * transaction (`inApplyTransaction`), which issues its own BEGIN, lock_timeout, advisory lock
   * and COMMIT or ROLLBACK, and turns failures into ApplyError. `work` must end the transaction
   * it starts. `openDatabase` opens another database of the cluster with this connection's
   * credentials (for the cluster's apply lock).
   */
  withConnection<T>(
    work: (client: Queryable, openDatabase: OpenDatabase) => Promise<T>,
  ): Promise<T> {
    return this.exclusive(() =>
      work(this.client, (database) => openSibling(this.client, database)),
    );
  }

  /** One read, outside an explicit transaction (a single statement is atomic anyway). */
  read<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.exclusive(() => this.transactionView([]).query<R>(sql, params));
  }

  /**
   * Runs `work` in one transaction. `secrets` are scrubbed from any error message, whatever
   * statement raised it.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>, secrets: Secrets = []): Promise<T> {
    return this.exclusive(async () => {
      const tx = this.transactionView(secrets);
      try {
        await this.client.query(BEGIN_READ_COMMITTED);
      } catch (error) {
        throw wrapError(error, BEGIN_READ_COMMITTED, secrets);
      }
      try {
        const result = await work(tx);
        await this.client.query('COMMIT').catch((error: unknown) => {
          throw wrapError(error, 'COMMIT', secrets);
        });
        return result;
      } catch (error) {
        // A dead connection cannot roll back, but the server has already discarded the work.
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw wrapError(error, undefined, secrets);
      }
    });
  }

  /** Waits for queued calls, then ends the connection. Closing twice is harmless. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      this.closed = true;
      await this.client.end();
    }).catch((error: unknown) => {
      if (error instanceof ConnectionError) return;
      throw wrapError(error, undefined, []);
    });
  }
}
