/**
 * Connecting as psql does (spec §2): `--db URL`, else `DATABASE_URL`, else the libpq
 * environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE, ~/.pgpass), which
 * node-postgres reads itself when given no connection string. A unix-socket directory in
 * PGHOST (or `?host=/path` in the URL) works because node-postgres treats a host starting with
 * `/` as a socket directory.
 */
import pg from 'pg';
import { ConnectionError } from '../errors.js';

export interface ConnectOptions {
  /** A libpq connection URI; default `DATABASE_URL`, then the libpq environment. */
  readonly url?: string | undefined;
  /** Environment to read DATABASE_URL from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The URI schemes libpq accepts. */
const CONNECTION_URI = /^postgres(ql)?:\/\//i;

/** Where a connection goes, for messages: never includes the password. */
export function describeTarget(client: pg.Client): string {
  const p = (
    client as unknown as {
      connectionParameters: { host: string; port: number; database: string; user: string };
    }
  ).connectionParameters;
  const where = p.host.startsWith('/')
    ? `socket ${p.host}/.s.PGSQL.${p.port}`
    : `${p.host}:${p.port}`;
  return `database "${p.database}" at ${where} as "${p.user}"`;
}

/**
 * Opens one connection. Sessions run in UTC so that timestamps (VALID UNTIL) read and compare
 * the same whatever the server's TimeZone is.
 */
export async function openConnection(options: ConnectOptions = {}): Promise<pg.Client> {
  const env = options.env ?? process.env;
  const url = options.url ?? env.DATABASE_URL;
  const source = options.url !== undefined ? 'the connection string' : 'DATABASE_URL';
  if (url && !CONNECTION_URI.test(url)) {
    // node-postgres reads any other string as a relative URL whose path is the database name,
    // so a libpq `host=... password=...` string would come back whole in the error message.
    throw new ConnectionError(
      `${source} is not a postgresql:// URI (keyword=value strings are not supported): expected postgresql://[user[:password]@][host][:port][/dbname][?param=value&...]`,
    );
  }
  let client: pg.Client;
  try {
    client = new pg.Client({
      ...(url ? { connectionString: url } : {}),
      application_name: 'pgward',
      options: '-c TimeZone=UTC',
    });
  } catch (error) {
    // A malformed URI (bad port, unbalanced brackets). The URI may hold a password: it is never
    // quoted back.
    const reason = (error instanceof Error ? error.message : String(error)).replaceAll(
      url ?? '',
      '…',
    );
    throw new ConnectionError(`${source} is not a valid postgresql:// URI: ${reason}`, {
      cause: error,
    });
  }
  // A server that dies mid-session emits 'error' on the client; without a listener Node
  // would crash. The failing query rejects anyway, which is where we report it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await client.end().catch(() => undefined);
    throw new ConnectionError(`could not connect to ${describeTarget(client)}: ${reason}`, {
      cause: error,
    });
  }
  return client;
}
