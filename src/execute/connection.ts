/**
 * Connecting as psql does (spec §2): `--db URL`, else `DATABASE_URL`, else the libpq
 * environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE, ~/.pgpass), which
 * node-postgres reads itself when given no connection string. A unix-socket directory in
 * PGHOST (or `?host=/path` in the URL) works because node-postgres treats a host starting with
 * `/` as a socket directory. With no host anywhere, the local server's socket is used when
 * there is one, as psql does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Where libpq looks for a local server when no host is given at all: the socket directory it
 * was built with, /var/run/postgresql in Debian, Ubuntu and Red Hat packages, /tmp in
 * upstream builds and Homebrew. node-postgres would go to TCP localhost instead, where a
 * server set up for peer authentication asks for a password that `psql` never needed.
 */
const DEFAULT_SOCKET_DIRECTORIES = ['/var/run/postgresql', '/tmp'];

/** Host, port and parameters of a URI; `user@/db` (no host) parses too, as node-postgres does. */
function parseUri(
  url: string,
): { host: string; port: string; params: URLSearchParams } | undefined {
  for (const [candidate, hostless] of [
    [url, false],
    [url.replace('@/', '@pgward-no-host/'), true],
  ] as const) {
    try {
      const parsed = new URL(candidate);
      return {
        host: hostless ? '' : parsed.hostname,
        port: parsed.port,
        params: parsed.searchParams,
      };
    } catch {
      // WHATWG URLs refuse an empty host after a user name; try again with a stand-in.
    }
  }
  return undefined;
}

/**
 * The socket directory to use when neither the URI nor PGHOST names a host, as libpq would;
 * undefined when a host is given or no local server's socket is there (then localhost).
 */
function defaultSocketDirectory(
  url: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (process.platform === 'win32' || env.PGHOST || process.env.PGHOST) return undefined;
  let port = env.PGPORT || process.env.PGPORT || '5432';
  if (url) {
    const parsed = parseUri(url);
    if (parsed === undefined || parsed.host !== '' || parsed.params.has('host')) return undefined;
    port = parsed.port || parsed.params.get('port') || port;
  }
  return DEFAULT_SOCKET_DIRECTORIES.find((dir) => existsSync(join(dir, `.s.PGSQL.${port}`)));
}

/** `url` with a `host` parameter: node-postgres reads it as libpq does, a socket directory. */
function withHost(url: string, host: string): string {
  const [beforeFragment = url] = url.split('#');
  const separator = beforeFragment.includes('?') ? '&' : '?';
  return `${beforeFragment}${separator}host=${encodeURIComponent(host)}`;
}

/** Why connecting failed, in libpq's words where node-postgres has its own. */
function connectFailure(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  // node-postgres's wording when the server asks for a SCRAM password and none was given.
  if (reason.includes('client password must be a string'))
    return 'the server asks for a password and none was given (in the URI, PGPASSWORD or ~/.pgpass)';
  return reason;
}

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
  const socketDir = defaultSocketDirectory(url, env);
  let client: pg.Client;
  try {
    client = new pg.Client({
      ...(url
        ? { connectionString: socketDir ? withHost(url, socketDir) : url }
        : socketDir
          ? { host: socketDir }
          : {}),
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
    const reason = connectFailure(error);
    await client.end().catch(() => undefined);
    throw new ConnectionError(`could not connect to ${describeTarget(client)}: ${reason}`, {
      cause: error,
    });
  }
  return client;
}
