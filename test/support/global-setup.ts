/**
 * Runs once per `vitest run`: makes one initdb'd data directory that every test file copies to
 * start its own server (initdb is the slow part). Roles are cluster-wide, so test files that run
 * in parallel each get a server of their own rather than a database on a shared one.
 */
import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { initDataDirectory } from '../../src/sandbox/embedded-postgres.js';
import { binariesFor, selectedMajor } from './binaries.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplateDataDir: string;
    pgMajor: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const major = selectedMajor();
  if (process.env.PGWARD_TEST_DATABASE_URL) {
    project.provide('pgTemplateDataDir', '');
    project.provide('pgMajor', major);
    return async () => undefined;
  }
  const template = await initDataDirectory(await binariesFor(major));
  project.provide('pgTemplateDataDir', template);
  project.provide('pgMajor', major);
  return async () => {
    await rm(template, { recursive: true, force: true });
  };
}
