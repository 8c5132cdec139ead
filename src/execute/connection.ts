/**
 * Connecting as psql does (spec §2): `--db URL`, else `DATABASE_URL`, else the libpq
 * environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE, ~/.pgpass), which
 * node-postgres reads itself when given no connection string. A unix-socket directory in
 * PGHOST (or `?host=/path` in the URL) works because node-postgres treats a host starting with
 * `/` as a socket directory. Where node-postgres and libpq differ (no host at all, sslmode),
 * libpq.ts makes pgward behave as psql.
 */
import pg from 'pg';
import { ConnectionError } from '../errors.js';
import {
  defaultSocketDirectory,
  serverHasNoSsl,
  sslChoice,
  sslForEnvironment,
  uriWithLibpqSsl,
  withParams,
} from './libpq.js';

export interface ConnectOptions {
  /** A libpq connection URI; default `DATABASE_URL`, then the libpq environment. */
  readonly url?: string | undefined;
  /** Environment to read DATABASE_URL from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The URI schemes libpq accepts. */
const CONNECTION_URI = /^postgres(ql)?:\/\//i;

/** Why connecting failed, in libpq's words where node-postgres has its own. */
function connectionFailed(client: pg.Client, error: unknown): ConnectionError {
  let reason = error instanceof Error ? error.message : String(error);
  // node-postgres's wording when the server asks for a SCRAM password and none was given.
  if (reason.includes('client password must be a string'))
    reason =
      'the server asks for a password and none was given (in the URI, PGPASSWORD or ~/.pgpass)';
  return new ConnectionError(`could not connect to ${describeTarget(client)}: ${reason}`, {
    cause: error,
  });
}

interface ConnectionParameters {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** What node-postgres resolved from the URI, the environment and its defaults. */
function parametersOf(client: pg.Client): ConnectionParameters {
  return (client as unknown as { connectionParameters: ConnectionParameters }).connectionParameters;
}

/** Where a connection goes, for messages: never includes the password. */
export function describeTarget(client: pg.Client): string {
  const p = parametersOf(client);
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
  const socketDir = defaultSocketDirectory(url, env);
  const ssl = sslChoice(url, env);

  const sslOption = (plain: boolean): { ssl?: ReturnType<typeof sslForEnvironment> } => {
    if (ssl === undefined || ssl.from === 'uri') return {};
    try {
      return { ssl: sslForEnvironment(ssl.mode, plain, env) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectionError(`cannot read PGSSLROOTCERT: ${reason}`, { cause: error });
    }
  };
  const clientFor = (plain: boolean): pg.Client => {
    let uri = url && socketDir ? withParams(url, { host: socketDir }) : url;
    if (uri && ssl?.from === 'uri') uri = uriWithLibpqSsl(uri, ssl.mode, plain);
    const config: pg.ClientConfig = {
      ...(uri ? { connectionString: uri } : socketDir ? { host: socketDir } : {}),
      ...sslOption(plain),
      application_name: 'pgward',
      options: '-c TimeZone=UTC',
    };
    let client: pg.Client;
    try {
      client = new pg.Client(config);
    } catch (error) {
      // A malformed URI (bad port, unbalanced brackets). The URI may hold a password: it is
      // never quoted back.
      const reason = (error instanceof Error ? error.message : String(error)).replaceAll(
        url ?? '',
        '…',
      );
      throw new ConnectionError(`${source} is not a valid postgresql:// URI: ${reason}`, {
        cause: error,
      });
    }
    // libpq never uses SSL on a unix socket, whatever sslmode says; the server refuses it.
    if (!plain && ssl && parametersOf(client).host.startsWith('/')) return clientFor(true);
    // A server that dies mid-session emits 'error' on the client; without a listener Node
    // would crash. The failing query rejects anyway, which is where we report it.
    client.on('error', () => undefined);
    return client;
  };

  const client = clientFor(false);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    if (!(ssl?.mode === 'prefer' && serverHasNoSsl(error))) throw connectionFailed(client, error);
    // sslmode=prefer: SSL if the server has it, else a plain connection, as libpq does.
    return connected(clientFor(true));
  }
  return client;
}

/** Connects `client`; on failure closes it and throws the ConnectionError that says why. */
async function connected(client: pg.Client): Promise<pg.Client> {
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionFailed(client, error);
  }
  return client;
}

/**
 * A second connection like `client` (same server, user, password, SSL and session settings)
 * to another database of the cluster: how cluster scope reaches each managed database with
 * the credentials the user gave once (spec §8).
 */
export async function openSibling(client: pg.Client, database: string): Promise<pg.Client> {
  const p = parametersOf(client);
  const used = client as unknown as { password?: unknown; ssl?: unknown };
  const sibling = new pg.Client({
    host: p.host,
    port: p.port,
    user: p.user,
    database,
    // Read from the URI, PGPASSWORD or ~/.pgpass when `client` connected; never printed.
    ...(typeof used.password === 'string' ? { password: used.password } : {}),
    ...(used.ssl !== undefined && used.ssl !== false
      ? { ssl: used.ssl as pg.ClientConfig['ssl'] }
      : {}),
    application_name: 'pgward',
    options: '-c TimeZone=UTC',
  });
  // As in openConnection: a server that dies mid-session must not crash the process.
  sibling.on('error', () => undefined);
  return connected(sibling);
}
