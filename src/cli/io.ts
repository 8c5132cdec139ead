/**
 * What a CLI run reads and writes. `run()` takes it as an argument so that tests run the CLI
 * in-process with captured output, a fake terminal and their own environment.
 */

export interface OutputStream {
  write(text: string): unknown;
  /** True when a terminal: colours are used only then. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface InputStream extends NodeJS.ReadableStream {
  /** True when a terminal: `apply` asks for confirmation only then. */
  readonly isTTY?: boolean;
}

export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
  /** Environment: DATABASE_URL, NO_COLOR, PGWARD_DEBUG, password variables of the config. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are read from (config, plan and SQL files). */
  readonly cwd: string;
}

/** The real process's streams, environment and directory. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}
