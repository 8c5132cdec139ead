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

async function queryAt<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  // pg waits forever for a connection by default: a stalled server fails the test instead.
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 20_000 });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty database on the server at `serverUrl` and returns its name. */
async function createDatabaseOn(serverUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await queryAt(replaceDatabase(serverUrl, 'postgres'), `CREATE DATABASE "${name}"`);
  return name;
}

/** How long one start of a test server (copy, start, first database) may take. */
const START_ATTEMPT_MS = 60_000;

/**
 * Starts a server and readies it, once more if the first attempt fails or stalls: on a loaded
 * machine a start has been seen to hang past the hook's timeout (CI, once in many runs), and a
 * file whose server never came up fails every test in it. The first failure is printed, so a
 * stall that returns is seen, not hidden; a second one fails the file.
 */
export async function startedWithRetry<S extends { stop(): Promise<void> }, R>(
  start: () => Promise<S>,
  ready: (server: S) => Promise<R>,
  attemptMs = START_ATTEMPT_MS,
): Promise<{ server: S; readied: R }> {
  for (let attempt = 1; ; attempt++) {
    const began = Date.now();
    let phase = 'starting the server';
    const starting = start();
    // What the attempt readies is returned, never stored by it: an abandoned attempt that
    // finishes late must not overwrite the one that won.
    const readied = starting.then(async (server) => {
      phase = 'creating the test database';
      return { server, readied: await ready(server) };
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
      if (attempt >= 2) throw error;
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
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
  ): Promise<R[]> => queryAt<R>(url(database), sql, params);
  const createDatabase = (prefix = 'test'): Promise<string> => createDatabaseOn(baseUrl, prefix);

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
      const started = await startedWithRetry(start, (server) =>
        createDatabaseOn(server.url(), 'pgward'),
      );
      embedded = started.server;
      baseUrl = embedded.url();
      ownDatabase = started.readied;
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
