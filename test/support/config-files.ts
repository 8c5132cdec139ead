/**
 * Config files a test writes: `const configs = useConfigFiles('pgward-x-')`, then
 * `await configs.write('bad.yaml', text)` gives the file's path, in a temporary directory of
 * the test file's own that is removed afterwards.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface ConfigFiles {
  /** Writes `text` to `name` in the directory and returns its path. */
  write(name: string, text: string): Promise<string>;
}

export function useConfigFiles(prefix: string): ConfigFiles {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });
  return {
    write: async (name, text) => {
      const file = join(dir, name);
      await writeFile(file, text);
      return file;
    },
  };
}
