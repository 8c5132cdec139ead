/**
 * Start-up cost (issue 13): `pgward --version` and `validate` load only what they need, and the
 * built package validates configs with the schema validator generated at build time, which
 * must report exactly what compiling the schema at run time reports.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaErrors } from '../../src/config/schema.js';
import { corpus } from '../support/corpus.js';
import { DIST_BIN, DIST_MAIN, ensureBuilt, runCli, runCliProcess } from '../support/cli.js';

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

/**
 * Runs the built CLI (`bin`: the unbundled entry module by default) and returns the modules it
 * imported, relative to dist/ or node_modules/.
 */
async function importsOf(name: string, args: string[], bin = DIST_MAIN): Promise<string[]> {
  const trace = join(dir, `${name}.txt`);
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', TRACER, bin, ...args],
      { env: { ...process.env, PGWARD_TRACE_IMPORTS: trace } },
      (error) => (error ? reject(error) : resolve()),
    );
  });
  const urls = (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
  const dist = `${pathToFileURL(join(DIST_MAIN, '..', '..')).href}/`;
  return [
    ...new Set(
      urls.map((url) => {
        // A dependency's own dist/ is the dependency's: node_modules/ first.
        const dependency = url.indexOf('/node_modules/');
        if (dependency >= 0) return url.slice(dependency + 1);
        return url.startsWith(dist) ? `dist/${url.slice(dist.length)}` : url;
      }),
    ),
  ];
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

describe('the bin as published: pgward bundled, its dependencies not', () => {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { bin: Record<string, string>; version: string };

  it("is package.json's bin, and loads a few chunks instead of pgward's modules", async () => {
    expect(join(DIST_MAIN, '..', '..', '..', manifest.bin.pgward ?? '')).toBe(DIST_BIN);
    const modules = await importsOf('validate-modules', ['validate', '-c', QUICKSTART]);
    const bundled = await importsOf('validate-bundled', ['validate', '-c', QUICKSTART], DIST_BIN);
    const ours = (loaded: string[]) => loaded.filter((module) => module.startsWith('dist/'));
    expect(ours(bundled).every((module) => module.startsWith('dist/cli/bundle/'))).toBe(true);
    expect(ours(bundled).length).toBeLessThan(ours(modules).length / 4);
    // The same dependencies, from node_modules; still not node-postgres for validate.
    const theirs = (loaded: string[]) =>
      loaded.filter((module) => module.startsWith('node_modules/')).sort();
    expect(theirs(bundled)).toEqual(theirs(modules));
    expect(theirs(bundled).filter((module) => module.startsWith('node_modules/pg/'))).toEqual([]);
  });

  // The catalog queries beside their modules: every child-process test that connects reads them.
  it('finds what its modules read beside them: package.json, the schema, the generated validator', async () => {
    const version = await runCliProcess(['--version']);
    expect(version.stdout.trim()).toBe(manifest.version);
    // A broken config: the schema validator generated beside config/schema.js, and the
    // schema's own file for the messages.
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'version: 1\nroles:\n  a: { logn: true }\n');
    expect(await runCliProcess(['validate', '-c', broken])).toEqual(
      await runCli(['validate', '-c', broken]),
    );
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

  it('gives the built CLI the messages of the source: unknown privileges, "a list or ALL", union types', async () => {
    const file = join(dir, 'privileges.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'settings: { databases: 5 }',
        'roles:',
        '  a:',
        '    member_of: [3]',
        '    grants:',
        '      - { privileges: [SELEKT], object_type: table, objects: [public.t] }',
        '      - { privileges: every, object_type: table, objects: [public.t] }',
        '',
      ].join('\n'),
    );
    const built = await runCliProcess(['validate', '-c', file]);
    const source = await runCli(['validate', '-c', file]);
    expect(built).toEqual(source);
    expect(built.exitCode).toBe(1);
    // The validator generated at build time once said "has an invalid form" for both: its
    // copies of the schema's objects failed an identity check.
    expect(built.stderr).toContain('unknown privilege "SELEKT"');
    expect(built.stderr).toContain('(did you mean "SELECT"?)');
    expect(built.stderr).toContain(
      'must be a list of privileges like [SELECT] or "ALL", got "every"',
    );
    expect(built.stderr).toContain(
      '"databases" in "settings" must be a list, a string or a mapping, got 5',
    );
    expect(built.stderr).toContain(
      'must be a role name or a mapping like { role: reader, admin: true }, got 3',
    );
  });
});
