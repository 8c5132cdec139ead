/**
 * Helpers of the safety tests: config files, a client that records every statement it sends,
 * pgward sessions waiting for a lock, and the headline of an error. Catalog snapshots, logins
 * as other roles and waiting are shared with the other tests (test/support/).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { Queryable } from '../../src/introspect/queryable.js';
import type { TestServer } from '../support/server.js';
import { tempDir as tempFolder } from '../support/temp.js';

/** A fresh temporary folder for the config files of one test file, removed after it. */
export function tempDir(prefix: string): Promise<string> {
  return tempFolder(`safety-${prefix}`);
}

let written = 0;
/** Writes `yaml` to a new file in `dir` and returns its path. */
export async function configFile(dir: string, yaml: string, name?: string): Promise<string> {
  const file = join(dir, name ?? `pgward-${++written}.yaml`);
  await writeFile(file, yaml);
  return file;
}

/** One statement a client sent, with its parameters. */
export interface SentStatement {
  readonly text: string;
  readonly params: readonly unknown[];
}

/**
 * A Queryable that records every statement (and its parameters) before sending it, so a test
 * can read exactly what went over the wire.
 */
export function recording(client: pg.Client): { client: Queryable; sent: SentStatement[] } {
  const sent: SentStatement[] = [];
  return {
    sent,
    client: {
      query: async <R extends object>(text: string, params?: unknown[]) => {
        sent.push({ text, params: params ?? [] });
        const result = await client.query(text, params);
        return { rows: result.rows as R[] };
      },
    },
  };
}

/**
 * PIDs of pgward's sessions (application_name pgward) waiting for a lock: on the apply
 * advisory lock (`advisory`) or on anything else (`other`: a relation, a catalog row held by
 * another transaction, ...).
 */
export async function pgwardWaiting(
  server: TestServer,
  on: 'advisory' | 'other',
): Promise<number[]> {
  const rows = await server.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE application_name = 'pgward' AND wait_event_type = 'Lock'
        AND (wait_event = 'advisory') = $1
      ORDER BY pid`,
    [on === 'advisory'],
  );
  return rows.map((row) => row.pid);
}

/** The first line of a CLI's stderr. */
export function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/**
 * Runs `work` while new sessions to the file's database default to `isolation`
 * (`ALTER DATABASE … SET default_transaction_isolation`, as a DBA may set it), and resets the
 * setting after, whatever happens.
 */
export async function withDefaultIsolation<T>(
  server: TestServer,
  isolation: 'repeatable read' | 'serializable',
  work: () => Promise<T>,
): Promise<T> {
  const database = `"${server.database.replaceAll('"', '""')}"`;
  await server.query(
    `ALTER DATABASE ${database} SET default_transaction_isolation = '${isolation}'`,
  );
  try {
    return await work();
  } finally {
    await server.query(`ALTER DATABASE ${database} RESET default_transaction_isolation`);
  }
}
