/**
 * Statements sent several per round trip. An apply from scratch is thousands of short
 * statements; one round trip each spends more time waiting on the network and on the
 * server's per-message work than on the statements (issue 13: 2,428 round trips at 5,000
 * tables). So consecutive statements go in one simple-protocol query, `s1; s2; ...`, which
 * the server runs one after another in the apply transaction, stopping at the first error.
 *
 * Which statement failed must still be said exactly (the step, its SQL: see runSteps), also
 * when the connection is lost mid-batch, where nothing can be asked again. So after each
 * statement but the last the batch selects its position (`SELECT 3 AS completed`): the server sends that
 * row only once the statement before it has completed, node-postgres hands it over in the
 * order it arrived, and the first statement without its row is the one that failed.
 *
 * Only a node-postgres client can stream those rows (a `pg.Query`); any other Queryable (a
 * caller's own wrapper) gets one statement per round trip, as before.
 */
import pg from 'pg';
import type { Queryable } from '../introspect/queryable.js';

export interface BatchStatement {
  /** The SQL sent, without a trailing semicolon. */
  readonly sql: string;
  /** The error to throw when this statement fails with `error` (it names the step). */
  readonly failure: (error: unknown) => Error;
}

/**
 * At most this many statements, and about this many characters, per round trip: at 5,000
 * tables the 1,348 round trips of an apply become 14, so larger batches could save little,
 * while a bounded batch keeps each query's text (and the server's parse of it) small.
 */
const BATCH_STATEMENTS = 100;
const BATCH_CHARS = 64 * 1024;

/** Runs `statements` in order on `client`, several per round trip when it can. */
export async function runStatements(
  client: Queryable,
  statements: readonly BatchStatement[],
): Promise<void> {
  if (!(client instanceof pg.Client)) {
    for (const statement of statements) {
      await client.query(statement.sql).catch((error: unknown) => {
        throw statement.failure(error);
      });
    }
    return;
  }
  for (const batch of batches(statements)) await runBatch(client, batch);
}

function batches(statements: readonly BatchStatement[]): BatchStatement[][] {
  const result: BatchStatement[][] = [];
  let current: BatchStatement[] = [];
  let chars = 0;
  for (const statement of statements) {
    if (current.length > 0 && (current.length >= BATCH_STATEMENTS || chars >= BATCH_CHARS)) {
      result.push(current);
      current = [];
      chars = 0;
    }
    current.push(statement);
    chars += statement.sql.length;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** The text of one batch: each statement, then (but for the last) its position as a row. */
function batchText(batch: readonly BatchStatement[]): string {
  return batch
    .map((statement, index) =>
      index < batch.length - 1
        ? `${statement.sql};\nSELECT ${index + 1} AS completed`
        : statement.sql,
    )
    .join(';\n');
}

function runBatch(client: pg.Client, batch: readonly BatchStatement[]): Promise<void> {
  const [only] = batch;
  if (batch.length === 1 && only !== undefined)
    return client.query(only.sql).then(
      () => undefined,
      (error: unknown) => {
        throw only.failure(error);
      },
    );
  return new Promise((resolve, reject) => {
    // Statements completed so far: the number in the last position row received.
    let completed = 0;
    const query = client.query(new pg.Query<{ completed: number }>(batchText(batch)));
    query.on('row', (row) => {
      completed = row.completed;
    });
    query.on('error', (error: Error) => {
      const failed = batch[completed] ?? batch[batch.length - 1];
      reject(failed === undefined ? error : failed.failure(error));
    });
    query.on('end', () => resolve());
  });
}
