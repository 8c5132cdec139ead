/**
 * Start-up cost (issue 13): `pgward --version` and `validate` load only what they need, and the
 * built package validates configs with the schema validator generated at build time, which
 * must report exactly what compiling the schema at run time reports.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaErrors } from '../../src/config/schema.js';
import { corpus } from '../support/corpus.js';
import { DIST_MAIN, ensureBuilt } from '../support/cli.js';

const TRACER = fileURLToPath(new URL('../support/trace-imports.mjs', import.meta.url));
const QUICKSTART = fileURLToPath(new URL('../../fixtures/quickstart/pgward.yaml', import.meta.url));
const VALIDATOR = join(DIST_MAIN, '..', '..', 'config', 'schema-validator.cjs');

let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'pgward-startup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built CLI and returns the modules it imported, relative to dist/ or node_modules/. */
async function importsOf(name: string, args: string[]): Promise<string[]> {
  const trace = join(dir, `${name}.txt`);
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', TRACER, DIST_MAIN, ...args],
      { env: { ...process.env, PGWARD_TRACE_IMPORTS: trace } },
      (error) => (error ? reject(error) : resolve()),
    );
  });
  const urls = (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
  return [...new Set(urls.map((url) => url.replace(/^.*\/(dist|node_modules)\//, '$1/')))];
}

describe('what a command loads', () => {
  it('--version loads no command, nor yargs', async () => {
    const loaded = await importsOf('version', ['--version']);
    expect(loaded).toContain('dist/cli/main.js');
    expect(
      loaded.filter((module) =>
        /^dist\/cli\/commands\/|^node_modules\/(yargs|string-width)/.test(module),
      ),
    ).toEqual([]);
  });

  it('validate loads its own command and the config loader, not the engine, node-postgres nor the table renderer', async () => {
    const loaded = await importsOf('validate', ['validate', '-c', QUICKSTART]);
    expect(loaded.filter((module) => module.startsWith('dist/cli/commands/'))).toEqual([
      'dist/cli/commands/validate.js',
    ]);
    expect(loaded).toContain('dist/config/load.js');
    // introspect/search-path.js is the one exception: a leaf module of the search_path pin's
    // statements, which the apply transaction's module (and so cli/errors.ts) imports.
    expect(
      loaded.filter(
        (module) =>
          /^dist\/(engine|introspect|diff|report\/columns)|^node_modules\/pg\//.test(module) &&
          module !== 'dist/introspect/search-path.js',
      ),
    ).toEqual([]);
  });
});

describe('the schema validator generated at build time', () => {
  it('exists in dist/ and reports what the schema compiled at run time reports, on every broken config', () => {
    expect(existsSync(VALIDATOR)).toBe(true);
    const generated = createRequire(import.meta.url)(VALIDATOR) as ((data: unknown) => boolean) & {
      errors?: unknown[] | null;
    };
    const { dir: folder, files } = corpus('bad-configs');
    let invalid = 0;
    for (const file of files) {
      let data: unknown;
      try {
        data = parse(readFileSync(join(folder, file), 'utf8'), { uniqueKeys: false });
      } catch {
        continue; // refused as YAML, before any schema
      }
      const expected = schemaErrors(data);
      const valid = generated(data);
      expect(valid ? [] : generated.errors, file).toEqual(expected);
      if (!valid) invalid += 1;
    }
    // The corpus has configs the schema refuses, not only ones later checks refuse.
    expect(invalid).toBeGreaterThan(10);
  });
});
