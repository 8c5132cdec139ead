/**
 * Config files for CLI tests: `const config = useConfigFiles('pgward-x-')` at the top of a
 * file gives a function that writes a config into a temporary directory (removed after the
 * file's tests) and returns its path.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export function useConfigFiles(prefix: string): (yaml: string) => Promise<string> {
  let dir = '';
  let count = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return async (yaml) => {
    const file = join(dir, `pgward-${++count}.yaml`);
    await writeFile(file, yaml);
    return file;
  };
}
