/**
 * Connecting as psql does (spec §2): `--db URL`, else `DATABASE_URL`, else the libpq
 * environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE, ~/.pgpass), which
 * node-postgres reads itself when given no connection string. A unix-socket directory in
 * PGHOST (or `?host=/path` in the URL) works because node-postgres treats a host starting with
 * `/` as a socket directory. Where node-postgres and libpq differ (no host at all, sslmode),
 * libpq.ts makes pgward behave as psql.
 */
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ConnectionError } from '../errors.js';
import { PIN_SEARCH_PATH_OPTION } from '../introspect/search-path.js';
import {
  defaultSocketDirectory,
  defaultUser,
  LIBPQ_SSL_PARAMETERS,
  serverHasNoSsl,
  sslChoice,
  sslOptions,
  checkUri,
  connectTimeoutMillis,
  startupOptions,
  withoutParams,
  withParams,
  type SslChoice,
} from './libpq.js';

export interface ConnectOptions {
  /** A libpq connection URI; default `DATABASE_URL`, then the libpq environment. */
  readonly url?: string | undefined;
  /** Environment to read DATABASE_URL from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Startup options of every session pgward opens: UTC, jit off and search_path pinned (see
 * openConnection). One constant, so a connection to a sibling database gets exactly these.
 */
const SESSION_OPTIONS = `-c TimeZone=UTC -c jit=off ${PIN_SEARCH_PATH_OPTION}`;

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
  readonly options?: string;
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
 * the same whatever the server's TimeZone is, and with search_path pinned (search-path.ts) so
 * that no user-created function or operator shadows the catalog's in pgward's SQL. JIT is off:
 * on a large catalog the objects query passes the JIT cost threshold, and compiling it takes
 * longer than running it (5,000 tables, PostgreSQL 15: about 1.3 s with JIT, 0.3 s without).
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
  // Parameters libpq refuses (a bad sslmode, no user to be found) are refused before anything
  // is sent, in one line like any connection error.
  let ssl: SslChoice | undefined;
  let user: string | undefined;
  let timeout: number | undefined;
  let sessionOptions: string;
  try {
    if (url) checkUri(url);
    ssl = sslChoice(url, env);
    user = defaultUser(url, env);
    timeout = connectTimeoutMillis(url, env);
    sessionOptions = startupOptions(url, env, SESSION_OPTIONS);
  } catch (error) {
    throw new ConnectionError(error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }

  const clientFor = (plain: boolean): pg.Client => {
    let uri = url && socketDir ? withParams(url, { host: socketDir }) : url;
    // node-postgres reads the URI last, over the options: the user goes in it, and the SSL
    // parameters pgward has read must not be read again with node-postgres's meaning.
    if (uri && user) uri = withParams(uri, { user });
    if (uri && ssl) uri = withoutParams(uri, LIBPQ_SSL_PARAMETERS);
    // Read above, with libpq's meaning; node-postgres would let them replace pgward's options.
    if (uri) uri = withoutParams(uri, ['options', 'connect_timeout']);
    let sslOption: { ssl?: false | ConnectionOptions } = {};
    let sslRefused: unknown;
    try {
      if (ssl) sslOption = { ssl: sslOptions(ssl, url, plain, env) };
    } catch (error) {
      sslRefused = error;
    }
    const config: pg.ClientConfig = {
      ...(uri ? { connectionString: uri } : socketDir ? { host: socketDir } : {}),
      ...(!uri && user ? { user } : {}),
      ...sslOption,
      application_name: 'pgward',
      options: sessionOptions,
      ...(timeout !== undefined ? { connectionTimeoutMillis: timeout } : {}),
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
    if (sslRefused !== undefined) throw connectionFailed(client, sslRefused);
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
    // The first connection's startup options as they were sent (a URI's own `options`
    // included), so each database's session is pinned the same way; pgward's at least.
    options: p.options ?? SESSION_OPTIONS,
  });
  // As in openConnection: a server that dies mid-session must not crash the process.
  sibling.on('error', () => undefined);
  return connected(sibling);
}
