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
    const client = new pg.Client({ connectionString: url(database) });
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

  beforeAll(async () => {
    const external = process.env.PGWARD_TEST_DATABASE_URL;
    if (external) {
      baseUrl = external;
    } else {
      embedded = await startEmbeddedPostgres({
        binaries: await binariesFor(major),
        templateDataDir: inject('pgTemplateDataDir'),
        ...(options.settings === undefined ? {} : { settings: options.settings }),
        // Tests log in as other roles with passwords, over TCP as users do.
        tcp: true,
      });
      baseUrl = embedded.url();
    }
    ownDatabase = await createDatabase('pgward');
  });
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
