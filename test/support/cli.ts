/**
 * Running the pgward CLI from tests: in-process through `run()` (fast, output captured), or as
 * a real child process from `dist/` (the bin users get).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import type { InputStream, OutputStream } from '../../src/cli/io.js';

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Environment of the run; default: none at all, so the caller's PG* variables never leak in. */
  readonly env?: Record<string, string | undefined>;
  /** Working directory (relative -c, plan and SQL paths); default the process's. */
  readonly cwd?: string;
  /** Lines typed on stdin. */
  readonly input?: string;
  /** Whether stdin is a terminal (apply asks only then). Default false. */
  readonly tty?: boolean;
  /** Whether stdout is a terminal (colours are used only then). Default false. */
  readonly stdoutTTY?: boolean;
}

class Capture implements OutputStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs `pgward ...args` in this process and returns its exit code and output. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const stdout = new Capture(options.stdoutTTY ?? false);
  const stderr = new Capture();
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.tty ?? false;
  stdin.end(options.input ?? '');
  const exitCode = await run(args, {
    stdout,
    stderr,
    stdin: stdin as InputStream,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  });
  return { exitCode, stdout: stdout.text, stderr: stderr.text };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built bin, as `npm install -g pgward` runs it (package.json `bin`: the bundle). */
export const DIST_BIN = join(root, 'dist', 'cli', 'bundle', 'bin.js');

/** The CLI's entry module as tsc built it, unbundled: `node dist/cli/main.js`. */
export const DIST_MAIN = join(root, 'dist', 'cli', 'main.js');

/** Builds dist/ if it is missing (`npm run build` normally did it before `npm test`). */
export function ensureBuilt(): void {
  if (!existsSync(DIST_MAIN) || !existsSync(DIST_BIN)) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'pipe' });
  }
}

/** Runs the built bin (`node dist/cli/bundle/bin.js ...args`) as a child process. */
export function runCliProcess(
  args: readonly string[],
  options: Omit<CliOptions, 'tty' | 'stdoutTTY'> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [DIST_BIN, ...args],
      {
        cwd: options.cwd ?? process.cwd(),
        env: { PATH: process.env.PATH, ...options.env },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else
          resolve({ exitCode: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}
