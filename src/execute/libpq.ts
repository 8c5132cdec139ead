/**
 * The connection rules of libpq (and so of psql) that node-postgres does not follow by itself:
 * the local socket when no host is given, the default user, what `sslmode` means and which
 * certificates it reads. openConnection applies them before handing the parameters to
 * node-postgres.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';

type Env = Readonly<Record<string, string | undefined>>;

/** Host, port and parameters of a URI; `user@/db` (no host) parses too, as node-postgres does. */
export function parseUri(
  url: string,
): { host: string; port: string; user: string; params: URLSearchParams } | undefined {
  for (const [candidate, hostless] of [
    [url, false],
    [url.replace('@/', '@pgward-no-host/'), true],
  ] as const) {
    try {
      const parsed = new URL(candidate);
      return {
        host: hostless ? '' : parsed.hostname,
        port: parsed.port,
        user: parsed.username,
        params: parsed.searchParams,
      };
    } catch {
      // WHATWG URLs refuse an empty host after a user name; try again with a stand-in.
    }
  }
  return undefined;
}

/**
 * `url` with these query parameters set (replaced when present, appended otherwise). The rest
 * of the URI is kept byte for byte: re-serializing it could re-encode a password.
 */
export function withParams(url: string, params: Readonly<Record<string, string>>): string {
  const fragment = url.indexOf('#');
  let uri = fragment === -1 ? url : url.slice(0, fragment);
  for (const [name, value] of Object.entries(params)) {
    const parameter = `${name}=${encodeURIComponent(value)}`;
    const present = new RegExp(`([?&])${name}=[^&]*`, 'i');
    uri = present.test(uri)
      ? uri.replace(present, `$1${parameter}`)
      : `${uri}${uri.includes('?') ? '&' : '?'}${parameter}`;
  }
  return uri;
}

/** `url` without these query parameters; the rest byte for byte, as withParams keeps it. */
export function withoutParams(url: string, names: readonly string[]): string {
  const fragment = url.indexOf('#');
  let uri = fragment === -1 ? url : url.slice(0, fragment);
  for (const name of names) {
    uri = uri.replace(
      new RegExp(`([?&])${name}=[^&]*(&|$)`, 'gi'),
      (_, before: string, after: string) => (after ? before : ''),
    );
  }
  return uri;
}

/**
 * The user when neither the URI nor PGUSER names one: libpq takes the operating-system user
 * (getpwuid, not $USER), where node-postgres takes $USER and, with it unset, "undefined".
 * Undefined when a user is given.
 */
export function defaultUser(url: string | undefined, env: Env): string | undefined {
  if (env.PGUSER || process.env.PGUSER) return undefined;
  if (url) {
    const parsed = parseUri(url);
    if (parsed === undefined || parsed.user !== '' || parsed.params.get('user')) return undefined;
  }
  try {
    return userInfo().username;
  } catch (error) {
    throw new Error(
      'no user given (in the URI or PGUSER) and the local user name cannot be looked up',
      {
        cause: error,
      },
    );
  }
}

/**
 * Where libpq looks for a local server when no host is given at all: the socket directory it
 * was built with, /var/run/postgresql in Debian, Ubuntu and Red Hat packages, /tmp in
 * upstream builds and Homebrew. node-postgres would go to TCP localhost instead, where a
 * server set up for peer authentication asks for a password that `psql` never needed.
 */
const DEFAULT_SOCKET_DIRECTORIES = ['/var/run/postgresql', '/tmp'];

/**
 * The socket directory to use when neither the URI nor PGHOST names a host, as libpq would;
 * undefined when a host is given or no local server's socket is there (then localhost).
 */
export function defaultSocketDirectory(url: string | undefined, env: Env): string | undefined {
  if (process.platform === 'win32' || env.PGHOST || process.env.PGHOST) return undefined;
  let port = env.PGPORT || process.env.PGPORT || '5432';
  if (url) {
    const parsed = parseUri(url);
    if (parsed === undefined || parsed.host !== '' || parsed.params.has('host')) return undefined;
    port = parsed.port || parsed.params.get('port') || port;
  }
  return DEFAULT_SOCKET_DIRECTORIES.find((dir) => existsSync(join(dir, `.s.PGSQL.${port}`)));
}

/** libpq's sslmode values (https://www.postgresql.org/docs/current/libpq-ssl.html). */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * Where the sslmode comes from: the URI's `sslmode`, else PGSSLMODE. node-postgres 8 reads
 * prefer, require and verify-ca as verify-full (and prints a multi-line warning about it), so
 * `sslmode=require` against a self-signed or private-CA certificate (RDS, Azure, most
 * self-hosted servers) fails where psql connects; and `prefer` fails against a server without
 * SSL instead of falling back. pgward builds node-postgres's `ssl` option itself, from
 * libpq's rules (sslOptions).
 */
export interface SslChoice {
  readonly mode: SslMode;
  /** `default`: nothing asked for SSL either way, so libpq's default, prefer. */
  readonly from: 'uri' | 'env' | 'default';
}

/** URI parameters of node-postgres alone: with them, the user chose its meaning of SSL. */
const NODE_POSTGRES_SSL_PARAMETERS = ['ssl', 'uselibpqcompat'];
/** libpq's SSL parameters, which pgward reads and node-postgres must not read again. */
export const LIBPQ_SSL_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

function sslMode(value: string, where: string): SslMode | undefined {
  // node-postgres's own `no-verify` is left to it.
  if (value === 'no-verify') return undefined;
  const mode = SSL_MODES.find((known) => known === value);
  if (!mode) {
    throw new Error(
      `invalid sslmode value: "${value}" (${where}; expected one of ${SSL_MODES.join(', ')})`,
    );
  }
  return mode;
}

export function sslChoice(url: string | undefined, env: Env): SslChoice | undefined {
  const params = url ? parseUri(url)?.params : undefined;
  if (NODE_POSTGRES_SSL_PARAMETERS.some((name) => params?.has(name))) return undefined;
  const fromUri = params?.get('sslmode');
  if (fromUri !== null && fromUri !== undefined) {
    const mode = sslMode(fromUri, 'in the connection URI');
    return mode && { mode, from: 'uri' };
  }
  const fromEnv = env.PGSSLMODE ?? process.env.PGSSLMODE;
  if (fromEnv !== undefined) {
    const mode = sslMode(fromEnv, 'in PGSSLMODE');
    return mode && { mode, from: 'env' };
  }
  // libpq (and so psql) tries SSL first when nothing is said; node-postgres never does. Managed
  // servers that accept only encrypted connections (RDS with rds.force_ssl, Azure) would then
  // refuse pgward where psql connects.
  return { mode: 'prefer', from: 'default' };
}

/** A libpq file parameter: the URI's, else the environment variable's, else the default file. */
function fileParameter(
  params: URLSearchParams | undefined,
  name: string,
  variable: string,
  file: string,
  env: Env,
): string {
  const home = env.HOME ?? homedir();
  return (
    params?.get(name) || env[variable] || process.env[variable] || join(home, '.postgresql', file)
  );
}

/**
 * node-postgres's `ssl` option for an sslmode, as libpq decides it. The root certificate is
 * `sslrootcert`, else PGSSLROOTCERT, else ~/.postgresql/root.crt; `system` is the system's
 * trusted roots (only with verify-full). When that file exists, the server's certificate is
 * checked against it in every mode that encrypts (require and prefer then behave as verify-ca);
 * verify-ca and verify-full refuse to connect without it. The client certificate is
 * `sslcert`/`sslkey`, else PGSSLCERT/PGSSLKEY, else ~/.postgresql/postgresql.crt and .key.
 * `plain` is prefer's second attempt (and any socket connection): no SSL.
 */
export function sslOptions(
  choice: SslChoice,
  url: string | undefined,
  plain: boolean,
  env: Env,
): false | ConnectionOptions {
  const { mode } = choice;
  if (plain || mode === 'disable' || mode === 'allow') return false;
  const params = url ? parseUri(url)?.params : undefined;
  const certFile = fileParameter(params, 'sslcert', 'PGSSLCERT', 'postgresql.crt', env);
  const keyFile = fileParameter(params, 'sslkey', 'PGSSLKEY', 'postgresql.key', env);
  const client =
    existsSync(certFile) && existsSync(keyFile)
      ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }
      : {};
  const rootFile = fileParameter(params, 'sslrootcert', 'PGSSLROOTCERT', 'root.crt', env);
  if (rootFile === 'system') {
    if (mode !== 'verify-full') {
      throw new Error(
        `weak sslmode "${mode}" may not be used with sslrootcert=system (use "verify-full")`,
      );
    }
    // Node's trusted roots, with the host name checked.
    return { ...client };
  }
  if (!existsSync(rootFile)) {
    if (mode === 'verify-ca' || mode === 'verify-full') {
      throw new Error(
        `root certificate file "${rootFile}" does not exist; either provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification`,
      );
    }
    // Encrypted, certificate not checked: libpq's require and prefer without a root file.
    return { ...client, rejectUnauthorized: false };
  }
  const ca = readFileSync(rootFile, 'utf8');
  if (mode === 'verify-full') return { ...client, ca };
  // verify-ca, and require or prefer with a root certificate: the chain, not the host name.
  return { ...client, ca, checkServerIdentity: () => undefined };
}

/** Whether a connection failed because the server has no SSL (then prefer goes on without). */
export function serverHasNoSsl(error: unknown): boolean {
  return error instanceof Error && error.message === 'The server does not support SSL connections';
}

/**
 * libpq's connection keywords (PostgreSQL 18, `PQconninfoOptions` in fe-connect.c). libpq
 * refuses any other URI query parameter ("invalid URI query parameter").
 */
const LIBPQ_KEYWORDS: ReadonlySet<string> = new Set([
  'service', 'user', 'password', 'passfile', 'channel_binding', 'connect_timeout', 'dbname',
  'host', 'hostaddr', 'port', 'client_encoding', 'options', 'application_name',
  'fallback_application_name', 'keepalives', 'keepalives_idle', 'keepalives_interval',
  'keepalives_count', 'tcp_user_timeout', 'sslmode', 'sslnegotiation', 'sslcompression',
  'sslcert', 'sslkey', 'sslcertmode', 'sslpassword', 'sslrootcert', 'sslcrl', 'sslcrldir',
  'sslsni', 'requirepeer', 'require_auth', 'min_protocol_version', 'max_protocol_version',
  'ssl_min_protocol_version', 'ssl_max_protocol_version', 'gssencmode', 'krbsrvname', 'gsslib',
  'gssdelegation', 'scram_client_key', 'scram_server_key', 'replication',
  'target_session_attrs', 'load_balance_hosts', 'oauth_issuer', 'oauth_client_id',
  'oauth_client_secret', 'oauth_scope',
]); // prettier-ignore

/**
 * The URI parameters pgward acts on: libpq's that node-postgres or pgward implement, and
 * node-postgres's own SSL switches. node-postgres ignores every other parameter without a
 * word, so `channel_binding=require`, `target_session_attrs=read-write` or a misspelt
 * `sslmod=verify-full` — which psql would obey or refuse — would connect without what they
 * ask for. They are refused instead.
 */
const HONOURED_PARAMETERS: ReadonlySet<string> = new Set([
  'host', 'port', 'dbname', 'user', 'password', 'options', 'application_name',
  'fallback_application_name', 'client_encoding', 'connect_timeout',
  ...LIBPQ_SSL_PARAMETERS, ...NODE_POSTGRES_SSL_PARAMETERS,
]); // prettier-ignore

/**
 * Refuses what libpq refuses in a URI before anything is sent: a `%` that does not start a
 * two-digit escape, `%00`, and a query parameter libpq does not know — plus the libpq
 * parameters pgward would ignore. The messages never quote the URI's parts (a password may
 * be among them), only parameter names.
 */
export function checkUri(url: string): void {
  if (/%(?![0-9A-Fa-f]{2})/.test(url)) {
    throw new Error('invalid percent-encoded token in the connection URI: a "%" must start %XX');
  }
  if (/%00/.test(url)) {
    throw new Error('forbidden value %00 in a percent-encoded value of the connection URI');
  }
  const query = url.split('#')[0]?.split('?').slice(1).join('?') ?? '';
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const name = decodeURIComponent(pair.split('=')[0] ?? '');
    if (HONOURED_PARAMETERS.has(name)) continue;
    if (!LIBPQ_KEYWORDS.has(name)) throw new Error(`invalid URI query parameter: "${name}"`);
    throw new Error(
      `URI query parameter "${name}" is not supported by pgward, which would ignore it (supported: ${[...HONOURED_PARAMETERS].join(', ')})`,
    );
  }
}

/**
 * libpq's connect_timeout (the URI's, else PGCONNECT_TIMEOUT) in milliseconds for
 * node-postgres, which reads neither: seconds, zero or less meaning no limit, and 1 read as 2
 * ("the minimum allowed timeout is 2 seconds"). Undefined when none is given.
 */
export function connectTimeoutMillis(url: string | undefined, env: Env): number | undefined {
  const fromUri = url ? parseUri(url)?.params.get('connect_timeout') : null;
  const value = fromUri ?? env.PGCONNECT_TIMEOUT ?? process.env.PGCONNECT_TIMEOUT;
  if (value === undefined || value === null) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw new Error(`invalid integer value "${value}" for connection option "connect_timeout"`);
  }
  const seconds = Number.parseInt(value, 10);
  return seconds <= 0 ? undefined : Math.max(seconds, 2) * 1000;
}

/**
 * The startup options the user gave (the URI's `options`, else PGOPTIONS, as libpq reads
 * them) followed by pgward's own: for a setting given twice the server keeps the last, so a
 * user's `-c role=admin_grp` reaches the session and a `-c search_path=...` cannot undo the
 * pin (node-postgres would have let the URI's options replace pgward's, and ignored PGOPTIONS).
 */
export function startupOptions(url: string | undefined, env: Env, own: string): string {
  const fromUri = url ? parseUri(url)?.params.get('options') : null;
  const theirs = fromUri ?? env.PGOPTIONS ?? process.env.PGOPTIONS ?? '';
  return theirs.trim() === '' ? own : `${theirs} ${own}`;
}
