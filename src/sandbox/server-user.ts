/**
 * The user the throwaway server runs as, and what it must be able to reach. PostgreSQL refuses
 * to run as root, so a root process starts it as `nobody`; `nobody` must then be able to run
 * the binaries, which it cannot when they sit in a private directory (a checkout or install
 * under /root or a `mktemp -d`, mode 0700). Then the binaries are copied once into a root-owned
 * cache in the temporary directory that `nobody` can read but no other user can change.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdtemp,
  readdir,
  realpath,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import type { PostgresBinaries } from './embedded-postgres.js';

/** `nobody` on Debian and most Linux distributions. */
export const UNPRIVILEGED_ID = 65534;

export const runsAsRoot = (): boolean =>
  typeof process.getuid === 'function' && process.getuid() === 0;

/** spawn options that run a program as the server's user. */
export function asServerUser(): { uid?: number; gid?: number } {
  return runsAsRoot() ? { uid: UNPRIVILEGED_ID, gid: UNPRIVILEGED_ID } : {};
}

/** A new directory that only the server's user (and root) can enter: mode 0700, its owner. */
export async function makePrivateDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (runsAsRoot()) await chown(dir, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
  return dir;
}

/** Whether the server's user can run both programs (every directory above them reachable). */
function serverUserCanRun(binaries: PostgresBinaries): boolean {
  return [binaries.initdb, binaries.postgres].every(
    (program) =>
      spawnSync(program, ['--version'], { stdio: 'ignore', ...asServerUser() }).status === 0,
  );
}

/** The installation's root: the binaries are in its `bin`, beside `lib` and `share`. */
function installationOf(binaries: PostgresBinaries): string {
  const bin = dirname(binaries.postgres);
  if (dirname(binaries.initdb) !== bin) {
    throw new Error(`initdb and postgres are not in the same directory: ${binaries.initdb}`);
  }
  return dirname(bin);
}

/**
 * Where the cache of an installation goes: named by a hash of its real path and of the size
 * and time of its programs, so that another version or a rebuilt package gets a cache of its own.
 */
export async function binariesCacheDir(binaries: PostgresBinaries): Promise<string> {
  const installation = await realpath(installationOf(binaries));
  const programs = await Promise.all([binaries.initdb, binaries.postgres].map((p) => stat(p)));
  const hash = createHash('sha256')
    .update(JSON.stringify([installation, ...programs.map((s) => [s.size, s.mtimeMs])]))
    .digest('hex')
    .slice(0, 16);
  return join(tmpdir(), `pgward-pg-${hash}`);
}

/** Owned by root and writable by nobody else: no other user can have changed it. */
function rootOnly(entry: { uid: number; mode: number }): boolean {
  return entry.uid === 0 && (entry.mode & 0o022) === 0;
}

/**
 * Whether `dir` is a cache this process can trust: it, and everything in it, belongs to root
 * and is writable by root only, in a directory no one else can swap it in; symbolic links stay
 * inside; the programs are there. Anything
 * else (say, a directory another user created at that path first) is not used.
 */
async function trustworthy(dir: string): Promise<boolean> {
  const walk = async (path: string): Promise<boolean> => {
    const entry = await lstat(path);
    if (entry.isSymbolicLink()) {
      return entry.uid === 0 && (await realpath(path).catch(() => '')).startsWith(dir + sep);
    }
    if (!rootOnly(entry)) return false;
    if (!entry.isDirectory()) return entry.isFile();
    for (const name of await readdir(path)) if (!(await walk(join(path, name)))) return false;
    return true;
  };
  try {
    // The directory it is in must not let another user swap it: root's, or sticky like /tmp.
    const parent = await lstat(dirname(dir));
    if (parent.uid !== 0 || ((parent.mode & 0o022) !== 0 && (parent.mode & 0o1000) === 0)) {
      return false;
    }
    const programs = await Promise.all(
      ['initdb', 'postgres'].map((name) => lstat(join(dir, 'bin', name))),
    );
    return programs.every((program) => program.isFile()) && (await walk(dir));
  } catch {
    return false;
  }
}

/** Makes a copied installation readable (and its programs runnable) by every user. */
async function openUp(path: string): Promise<void> {
  const entry = await lstat(path);
  if (entry.isSymbolicLink()) return;
  if (entry.isDirectory()) {
    await chmod(path, 0o755);
    for (const name of await readdir(path)) await openUp(join(path, name));
  } else {
    await chmod(path, entry.mode & 0o100 ? 0o755 : 0o644);
  }
}

async function copyInstallation(binaries: PostgresBinaries): Promise<string> {
  const cache = await binariesCacheDir(binaries);
  if (await trustworthy(cache)) return cache;
  // A private name first (mkdtemp: no other user can have made it), filled, then renamed into
  // place, so that no process ever sees a half-made cache.
  const fresh = await mkdtemp(join(tmpdir(), 'pgward-pg-new-'));
  try {
    await cp(installationOf(binaries), fresh, { recursive: true, verbatimSymlinks: true });
    await openUp(fresh);
  } catch (error) {
    await rm(fresh, { recursive: true, force: true });
    throw error;
  }
  try {
    await rename(fresh, cache);
    return cache;
  } catch {
    // Another process made the cache meanwhile, or something we must not use is in the way.
  }
  if (await trustworthy(cache)) {
    await rm(fresh, { recursive: true, force: true });
    return cache;
  }
  process.once('exit', () => rmSync(fresh, { recursive: true, force: true }));
  return fresh;
}

const resolved = new Map<string, Promise<PostgresBinaries>>();

/**
 * The binaries the server's user can run: `binaries` themselves, or (as root, when `nobody`
 * cannot reach them) their copy in the cache.
 */
export function serverBinaries(binaries: PostgresBinaries): Promise<PostgresBinaries> {
  if (!runsAsRoot()) return Promise.resolve(binaries);
  const key = `${binaries.initdb}\0${binaries.postgres}`;
  let found = resolved.get(key);
  if (!found) {
    found = (async () => {
      if (serverUserCanRun(binaries)) return binaries;
      const dir = await copyInstallation(binaries);
      return { initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres') };
    })();
    found.catch(() => resolved.delete(key));
    resolved.set(key, found);
  }
  return found;
}
