/**
 * Config files a test writes on the fly, in a temporary folder of the test file that is
 * removed after its tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** Returns `writeConfig(name, yaml)`, which writes `name.yaml` and resolves to its path. */
export function useConfigDir(prefix: string): (name: string, yaml: string) => Promise<string> {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `pgward-${prefix}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return async (name, yaml) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, yaml);
    return file;
  };
}
