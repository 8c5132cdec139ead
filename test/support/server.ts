/**
 * A real PostgreSQL for one test file: `const server = useTestServer()` at the top of a file
 * starts a throwaway server before its tests and removes it after. With
 * `PGWARD_TEST_DATABASE_URL` the tests use that server instead (a throwaway one: tests create
 * and drop roles, which are cluster-wide), each file in a database of its own.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/sandbox/embedded-postgres.js';
import { binariesFor } from './binaries.js';

export interface TestServer {
  /** Major version of the server under test. */
  readonly major: number;
  /** Superuser connection URI for a database (default: the file's own database). */
  url(database?: string): string;
  /** The file's own database, created fresh for it. */
  readonly database: string;
  /** Runs SQL as superuser in a database (default: the file's own) and returns the rows. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    database?: string,
  ): Promise<R[]>;
  /** Creates a fresh, empty database and returns its name. */
  createDatabase(prefix?: string): Promise<string>;
}

function replaceDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export interface TestServerOptions {
  /** Extra server settings (`-c name=value`) of the embedded server, e.g. max_prepared_transactions. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** How long one start of a test server (copy, start, first database) may take. */
const START_ATTEMPT_MS = 60_000;

/**
 * Starts a server and readies it, once more if the first attempt fails or stalls: on a loaded
 * machine a start has been seen to hang past the hook's timeout (CI, once in many runs), and a
 * file whose server never came up fails every test in it. The first failure is printed, so a
 * stall that returns is seen, not hidden; a second one fails the file.
 */
export async function startedWithRetry<S extends { stop(): Promise<void> }>(
  start: () => Promise<S>,
  ready: (server: S) => Promise<void>,
  attemptMs = START_ATTEMPT_MS,
): Promise<S> {
  for (let attempt = 1; ; attempt++) {
    const began = Date.now();
    let phase = 'starting the server';
    const starting = start();
    const readied = starting.then(async (server) => {
      phase = 'creating the test database';
      await ready(server);
      return server;
    });
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`stalled for ${attemptMs / 1000} s while ${phase}`)),
        attemptMs,
      );
    });
    try {
      return await Promise.race([readied, stalled]);
    } catch (error) {
      // A server that did come up (or comes up later) is stopped, whatever went wrong after.
      void starting.then((server) => server.stop()).catch(() => undefined);
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
      if (attempt >= 2) throw error;
      process.stderr.write(
        `test server: attempt ${attempt} failed after ${seconds} s (${String(error)}); starting another\n`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

export function useTestServer(options: TestServerOptions = {}): TestServer {
  let embedded: EmbeddedPostgres | undefined;
  let baseUrl = '';
  let ownDatabase = '';
  const major = inject('pgMajor');

  const url = (database?: string): string => replaceDatabase(baseUrl, database ?? ownDatabase);
  const query = async <R extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    database?: string,
  ): Promise<R[]> => {
    // pg waits forever for a connection by default: a stalled server fails the test instead.
    const client = new pg.Client({
      connectionString: url(database),
      connectionTimeoutMillis: 20_000,
    });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const createDatabase = async (prefix = 'test'): Promise<string> => {
    const name = `${prefix}_${randomBytes(4).toString('hex')}`;
    await query(`CREATE DATABASE "${name}"`, [], 'postgres');
    return name;
  };

  beforeAll(
    async () => {
      const external = process.env.PGWARD_TEST_DATABASE_URL;
      if (external) {
        baseUrl = external;
        ownDatabase = await createDatabase('pgward');
        return;
      }
      const start = async (): Promise<EmbeddedPostgres> =>
        startEmbeddedPostgres({
          binaries: await binariesFor(major),
          templateDataDir: inject('pgTemplateDataDir'),
          ...(options.settings === undefined ? {} : { settings: options.settings }),
          // Tests log in as other roles with passwords, over TCP as users do.
          tcp: true,
        });
      embedded = await startedWithRetry(start, async (server) => {
        baseUrl = server.url();
        ownDatabase = await createDatabase('pgward');
      });
    },
    2 * START_ATTEMPT_MS + 10_000,
  );
  afterAll(async () => {
    await embedded?.stop();
  });

  return {
    major,
    url,
    get database() {
      return ownDatabase;
    },
    query,
    createDatabase,
  };
}
