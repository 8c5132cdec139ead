/**
 * `connect()`: the library's entry point, with the CLI's connection rules (spec §2).
 */
import { ConnectionError } from '../errors.js';
import { openConnection } from '../execute/connection.js';
import { databaseFor, type PgwardDatabase } from './database.js';
import { Session } from './session.js';

/**
 * Connects to PostgreSQL as the CLI does: `url` (a libpq connection URI), else
 * `DATABASE_URL`, else the libpq environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
 * `PGPASSWORD`, `PGSSLMODE`, `~/.pgpass`); a unix-socket directory in `PGHOST` works. The
 * session runs in UTC. A failed connection is a `ConnectionError` whose message names the
 * target but never the password.
 *
 * @example
 * ```ts
 * import { connect } from 'pgward';
 *
 * const db = await connect(process.env.ADMIN_DATABASE_URL);
 * try {
 *   await db.createRole('appuser', { login: true, password: 'secret', ifNotExists: true });
 *   console.log(await db.listRoles());
 * } finally {
 *   await db.close();
 * }
 * ```
 */
export async function connect(url?: string): Promise<PgwardDatabase> {
  const client = await openConnection({ url });
  try {
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    const serverVersionNum = Number(rows[0]?.server_version_num);
    if (!Number.isInteger(serverVersionNum))
      throw new Error('the server did not report server_version_num');
    return databaseFor(new Session(client, serverVersionNum));
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConnectionError(`could not read the server version: ${reason}`, { cause: error });
  }
}
