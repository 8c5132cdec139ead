/**
 * The connection rules of libpq (and so of psql) that node-postgres does not follow by itself:
 * the local socket when no host is given, and what `sslmode` means. openConnection applies
 * them before handing the parameters to node-postgres.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';

type Env = Readonly<Record<string, string | undefined>>;

/** Host, port and parameters of a URI; `user@/db` (no host) parses too, as node-postgres does. */
export function parseUri(
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

function sslMode(value: string | null | undefined): SslMode | undefined {
  return SSL_MODES.find((mode) => mode === value);
}

/**
 * Where the sslmode comes from: the URI's `sslmode`, else PGSSLMODE. node-postgres 8 reads
 * prefer, require and verify-ca as verify-full (and prints a multi-line warning about it), so
 * `sslmode=require` against a self-signed or private-CA certificate (RDS, Azure, most
 * self-hosted servers) fails where psql connects; and `prefer` fails against a server without
 * SSL instead of falling back. A mode node-postgres alone knows (`no-verify`) is left to it.
 */
export interface SslChoice {
  readonly mode: SslMode;
  /** `default`: nothing asked for SSL either way, so libpq's default, prefer. */
  readonly from: 'uri' | 'env' | 'default';
}

/** URI parameters with which node-postgres itself decides about SSL. */
const SSL_PARAMETERS = ['sslmode', 'ssl', 'uselibpqcompat', 'sslcert', 'sslkey', 'sslrootcert'];

export function sslChoice(url: string | undefined, env: Env): SslChoice | undefined {
  const params = url ? parseUri(url)?.params : undefined;
  if (params?.has('sslmode')) {
    // uselibpqcompat already says which meaning the user wants.
    if (params.has('uselibpqcompat')) return undefined;
    const mode = sslMode(params.get('sslmode'));
    return mode && { mode, from: 'uri' };
  }
  const fromEnv = env.PGSSLMODE ?? process.env.PGSSLMODE;
  if (fromEnv !== undefined) {
    const mode = sslMode(fromEnv);
    return mode && { mode, from: 'env' };
  }
  if (SSL_PARAMETERS.some((name) => params?.has(name))) return undefined;
  // libpq (and so psql) tries SSL first when nothing is said; node-postgres never does. Managed
  // servers that accept only encrypted connections (RDS with rds.force_ssl, Azure) would then
  // refuse pgward where psql connects.
  return { mode: 'prefer', from: 'default' };
}

/**
 * The URI with libpq's meaning of its sslmode, through node-postgres's libpq-compatible mode.
 * `plain` is prefer's second attempt (and any socket connection): no SSL.
 */
export function uriWithLibpqSsl(url: string, mode: SslMode, plain: boolean): string {
  const asked = plain || mode === 'allow' ? 'disable' : mode;
  return withParams(url, { sslmode: asked, uselibpqcompat: 'true' });
}

/** node-postgres's `ssl` option for a PGSSLMODE (libpq reads PGSSLROOTCERT for the CA too). */
export function sslForEnvironment(
  mode: SslMode,
  plain: boolean,
  env: Env,
): boolean | ConnectionOptions {
  const rootCert = env.PGSSLROOTCERT ?? process.env.PGSSLROOTCERT;
  const ca = rootCert ? { ca: readFileSync(rootCert, 'utf8') } : {};
  switch (mode) {
    case 'disable':
    case 'allow':
      return false;
    case 'prefer':
    case 'require':
      // Encrypted, certificate not checked: libpq's meaning.
      return plain ? false : { rejectUnauthorized: false };
    case 'verify-ca':
      return plain ? false : { ...ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      return plain ? false : rootCert ? ca : true;
  }
}

/** Whether a connection failed because the server has no SSL (then prefer goes on without). */
export function serverHasNoSsl(error: unknown): boolean {
  return error instanceof Error && error.message === 'The server does not support SSL connections';
}
