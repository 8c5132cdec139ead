/**
 * Temporary folders for a test file's configs and plan files, removed once its tests are
 * done. The afterAll is registered when this module is loaded, which vitest does afresh for
 * each test file; `tempDir` may then be called from any hook or test of the file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A new folder `pgward-<prefix>-XXXXXX` in the system's temporary directory. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `pgward-${prefix}-`));
  made.push(dir);
  return dir;
}
