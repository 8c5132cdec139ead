/**
 * The package as `npm publish` would make it, from the sources of this checkout: the files a
 * clean checkout has are copied to a temporary directory (node_modules linked, not copied) and
 * `npm pack` runs there, its `prepack` script building dist/. So tests of the tarball and of
 * the built action never see a stale dist/ left in the checkout, and never race with tests
 * that use the checkout's dist/ while it is rebuilt.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a clean checkout needs to build and pack (tests, fixtures, docs stay behind). */
const SOURCES = [
  'package.json',
  'README.md',
  'LICENSE',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts',
  'schemas',
  'src',
];

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface PackageBuild {
  /** The copy, built: `<dir>/dist/cli/main.js`, `<dir>/dist/action/main.js`. */
  readonly dir: string;
  /** The tarball `npm pack` wrote. */
  readonly tarball: string;
  /** The files in it, as `npm pack --json` lists them. */
  readonly files: readonly PackedFile[];
  remove(): void;
}

export const run = promisify(execFile);

export async function buildPackage(): Promise<PackageBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'pgward-pack-'));
  for (const source of SOURCES)
    cpSync(join(REPO_ROOT, source), join(dir, source), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');

  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: dir,
    env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  // prepack's own output (the build) may precede the JSON on stdout.
  const packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as {
    filename: string;
    files: PackedFile[];
  }[];
  const [result] = packed;
  if (!result) throw new Error(`npm pack printed no result: ${stdout}`);
  return {
    dir,
    tarball: join(dir, result.filename),
    files: result.files,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
