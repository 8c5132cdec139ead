/**
 * `--sandbox [SQL_FILE]`: a throwaway PostgreSQL for one command. It starts empty, runs
 * SQL_FILE as the superuser in database `postgres`, serves the command and is removed
 * afterwards — also when the command fails or the user presses Ctrl-C, and (by the server's
 * watchdog) when pgward is killed. Only pgward's user (and root) can reach its socket.
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { PgwardError } from '../errors.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../sandbox/embedded-postgres.js';

export interface Sandbox {
  /** Superuser URI of database `postgres`. */
  readonly url: string;
  /** `server_version`, e.g. `18.1`. */
  readonly version: string;
  stop(): Promise<void>;
}

/** Why the sandbox could not be started or set up. */
export class SandboxError extends PgwardError {
  override readonly name = 'SandboxError';
}

/** 1-based line and column of a 1-based character position in `text`. */
function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, Math.max(0, position - 1)).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

/** A SQL file to load: where to read it, and its name as the user wrote it. */
export interface SetupFile {
  readonly path: string;
  readonly name: string;
}

async function setUp(url: string, file: SetupFile | undefined, sql: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, application_name: 'pgward sandbox' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    try {
      // The simple query protocol runs a whole script, as psql -f does (in one implicit
      // transaction unless the script has its own BEGIN/COMMIT).
      if (file) await client.query(sql);
    } catch (error) {
      const position = Number((error as { position?: unknown }).position);
      const where =
        Number.isFinite(position) && position > 0 ? `:${lineAndColumn(sql, position)}` : '';
      const reason = error instanceof Error ? error.message : String(error);
      throw new SandboxError(
        `${file?.name ?? ''}${where}: ${reason} (while setting up the sandbox)`,
        {
          cause: error,
        },
      );
    }
    return version.rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts a sandbox and loads `sqlFile` into it. `note` receives one line for people
 * ("throwaway PostgreSQL 18.1 ..."). The caller must `stop()` it.
 */
export async function startSandbox(
  sqlFile: SetupFile | undefined,
  note: (message: string) => void,
): Promise<Sandbox> {
  let sql = '';
  if (sqlFile !== undefined) {
    try {
      sql = await readFile(sqlFile.path, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SandboxError(`cannot read sandbox SQL file ${sqlFile.name}: ${reason}`, {
        cause: error,
      });
    }
  }

  let server: EmbeddedPostgres;
  try {
    server = await startEmbeddedPostgres({ socketAuth: 'peer' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SandboxError(`could not start the sandbox PostgreSQL: ${reason}`, { cause: error });
  }

  // A signal would kill us before `finally` blocks run: stop the server first, then die of
  // the same signal as the user asked.
  const onSignal = (signal: NodeJS.Signals): void => {
    void server.stop().finally(() => {
      removeSignalHandlers();
      process.kill(process.pid, signal);
    });
  };
  const removeSignalHandlers = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stop = async (): Promise<void> => {
    removeSignalHandlers();
    await server.stop();
  };

  try {
    const url = server.url('postgres');
    const version = await setUp(url, sqlFile, sql);
    const loaded = sqlFile === undefined ? '' : `, set up with ${sqlFile.name}`;
    note(
      `pgward: working in a throwaway PostgreSQL ${version} on a private socket in ${server.socketDir} (no TCP)${loaded}; it is removed afterwards`,
    );
    return { url, version, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
