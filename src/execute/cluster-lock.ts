/**
 * The cluster's apply lock, which every pgward apply that can open a second connection takes
 * before its database's: cluster applies (cluster.ts) and one-database applies (engine.ts)
 * alike, so that two applies never change the cluster's roles at once, whatever databases
 * they manage.
 */
import { ApplyError, PgwardError, serverError } from '../errors.js';
import type { Queryable } from '../introspect/queryable.js';
import { withPinnedSearchPath } from '../introspect/search-path.js';
import { quoteLiteral } from '../sql/quote.js';
import { APPLY_LOCK_KEY, describeServerError, takeAdvisoryLock } from './transaction.js';

/** A connection to one database that can be closed. */
export interface DatabaseConnection extends Queryable {
  end(): Promise<void>;
}

/** Opens a connection to another database of the cluster, with the first one's credentials. */
export type OpenDatabase = (database: string) => Promise<DatabaseConnection>;

/**
 * Key of the cluster's apply lock: APPLY_LOCK_KEY ("pgward") + 1, so that it is never the
 * database lock a one-database apply takes in the same database.
 */
export const CLUSTER_LOCK_KEY = (BigInt(APPLY_LOCK_KEY) + 1n).toString();

/**
 * Takes the cluster's apply lock: a session advisory lock in the cluster's anchor database,
 * the one with the lowest OID among those that allow connections (templates excluded) —
 * `postgres` on a cluster made by initdb, whatever pgward's own databases are. Advisory locks
 * are per database (their tag holds the database's OID), so the per-database locks of
 * `lockAll` alone let two cluster applies on disjoint sets of databases run at once, both
 * changing the cluster's roles. Every cluster apply finds the same anchor in pg_database
 * (a shared catalog), needs only CONNECT on it, and takes this lock before any other (so
 * none waits crosswise). No shared object lockable by a non-superuser would do: row locks
 * and LOCK TABLE on shared catalogs need UPDATE on them, and the shared-object locks DDL
 * takes would mean changing the catalog. `onAnchor` is a connection already open there, if
 * any. `beforeWaiting` runs before waiting, only if another apply holds the lock
 * (takeAdvisoryLock). Returns the release, which closes the connection opened for it, if any.
 */
export async function takeClusterLock(
  anchor: string,
  onAnchor: Queryable | undefined,
  open: OpenDatabase,
  lockTimeout: string,
  beforeWaiting?: () => Promise<void>,
): Promise<() => Promise<void>> {
  let connection: DatabaseConnection | undefined;
  let client = onAnchor;
  if (client === undefined) {
    try {
      connection = await open(anchor);
    } catch (error) {
      throw new ApplyError(
        `apply cannot take the cluster's apply lock, which every pgward apply takes in database "${anchor}" (the cluster's first): ${describeServerError(error)}; grant CONNECT on database "${anchor}" to the role pgward connects as; nothing was changed`,
        undefined,
        { cause: error },
      );
    }
    client = connection;
  }
  const held = client;
  const close = async (): Promise<void> => {
    await held.query('RESET lock_timeout').catch(() => undefined);
    await connection?.end().catch(() => undefined);
  };
  try {
    await held.query(`SET lock_timeout = ${quoteLiteral(lockTimeout)}`);
    await takeAdvisoryLock(held, 'session', CLUSTER_LOCK_KEY, beforeWaiting);
    return async () => {
      await held
        .query('SELECT pg_catalog.pg_advisory_unlock($1::bigint)', [CLUSTER_LOCK_KEY])
        .catch(() => undefined);
      await close();
    };
  } catch (error) {
    // Not taken: nothing to unlock (an unlock would only draw a WARNING).
    await close();
    // What beforeWaiting found (a config's problems) is said as it is.
    if (error instanceof PgwardError) throw error;
    if (serverError(error)?.code === '55P03')
      throw new ApplyError(
        `another pgward apply is running on this cluster (its apply lock is in database "${anchor}") and did not finish within --lock-timeout ${lockTimeout}; nothing was changed`,
        undefined,
        { cause: error },
      );
    throw new ApplyError(
      `apply failed while taking the cluster's apply lock in database "${anchor}": ${describeServerError(error)}; nothing was changed`,
      undefined,
      { cause: error },
    );
  }
}

/**
 * The anchor database's OID, as SQL (see takeClusterLock): one definition for the cluster's
 * `managedDatabases` and a one-database apply's `anchorDatabase`, which must find the same one.
 */
export const ANCHOR_OID = `(SELECT pg_catalog.min(oid) FROM pg_catalog.pg_database
                            WHERE datallowconn AND NOT datistemplate)`;

/**
 * The cluster's anchor database (see takeClusterLock) and the one `client` is connected to.
 */
export async function anchorDatabase(
  client: Queryable,
): Promise<{ readonly anchor: string; readonly connected: string }> {
  // Pinned: `=` is an operator, looked up through search_path (see search-path.ts).
  const { rows } = await withPinnedSearchPath(client, () =>
    client.query<{ anchor: string | null; connected: string }>(
      `SELECT (SELECT datname FROM pg_catalog.pg_database WHERE oid = ${ANCHOR_OID}) AS anchor,
              pg_catalog.current_database() AS connected`,
    ),
  );
  const connected = rows[0]?.connected ?? '';
  return { anchor: rows[0]?.anchor ?? connected, connected };
}

/**
 * Runs `work` (a one-database apply) holding the cluster's apply lock: on `client` itself when
 * it is connected to the anchor database, else on a connection `open` makes there and closes
 * after. `beforeWaiting` runs first if another apply holds the lock (takeAdvisoryLock).
 */
export async function withClusterLock<T>(
  client: Queryable,
  open: OpenDatabase,
  lockTimeout: string,
  work: () => Promise<T>,
  beforeWaiting?: () => Promise<void>,
): Promise<T> {
  const { anchor, connected } = await anchorDatabase(client);
  const release = await takeClusterLock(
    anchor,
    anchor === connected ? client : undefined,
    open,
    lockTimeout,
    beforeWaiting,
  );
  try {
    return await work();
  } finally {
    await release();
  }
}
