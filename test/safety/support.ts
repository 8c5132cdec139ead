/**
 * Helpers of the safety tests: catalog snapshots that say "nothing changed" precisely, config
 * files, logins as other roles, a client that records every statement it sends, and waiting
 * for another session to reach a state.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Queryable } from '../../src/introspect/queryable.js';
import type { TestServer } from '../support/server.js';

/** A fresh temporary folder for the config files of one test file. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `pgward-safety-${prefix}-`));
}

let written = 0;
/** Writes `yaml` to a new file in `dir` and returns its path. */
export async function configFile(dir: string, yaml: string, name?: string): Promise<string> {
  const file = join(dir, name ?? `pgward-${++written}.yaml`);
  await writeFile(file, yaml);
  return file;
}

/** The server's URL for a database, logged in as another role. */
export function urlAs(
  server: TestServer,
  user: string,
  password: string,
  database?: string,
): string {
  const url = new URL(server.url(database));
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** Identifier quoting for test SQL, independent of the code under test. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const CLUSTER_QUERIES: Record<string, string> = {
  roles: `SELECT a.*, d.description
            FROM pg_authid a
            LEFT JOIN pg_shdescription d ON d.objoid = a.oid AND d.classoid = 'pg_authid'::regclass
           ORDER BY a.rolname`,
  memberships: `SELECT r.rolname AS role, m.rolname AS member, am.grantor::text AS grantor,
                       to_jsonb(am) - 'roleid' - 'member' - 'grantor' - 'oid' AS options
                  FROM pg_auth_members am
                  JOIN pg_roles r ON r.oid = am.roleid
                  JOIN pg_roles m ON m.oid = am.member
                 ORDER BY 1, 2, 3`,
  settings: `SELECT setdatabase, setrole, setconfig FROM pg_db_role_setting ORDER BY 1, 2`,
  databases: `SELECT datname, datdba, datacl::text FROM pg_database ORDER BY 1`,
};

const DATABASE_QUERIES: Record<string, string> = {
  relations: `SELECT oid::regclass::text AS name, relowner, relacl::text
                FROM pg_class WHERE relnamespace >= 16384 OR relacl IS NOT NULL ORDER BY 1`,
  columns: `SELECT attrelid::regclass::text AS rel, attname, attacl::text
              FROM pg_attribute WHERE attacl IS NOT NULL ORDER BY 1, 2`,
  schemas: `SELECT nspname, nspowner, nspacl::text FROM pg_namespace ORDER BY 1`,
  routines: `SELECT oid::regprocedure::text AS name, proowner, proacl::text
               FROM pg_proc WHERE pronamespace >= 16384 OR proacl IS NOT NULL ORDER BY 1`,
  defaults: `SELECT defaclrole, defaclnamespace, defaclobjtype, defaclacl::text
               FROM pg_default_acl ORDER BY 1, 2, 3`,
};

/**
 * Everything an apply could change, serialized: every role with every attribute and stored
 * password, memberships with their options and grantors, role settings and comments, database
 * ACLs and owners (cluster-wide), and in each database named: owners and ACLs of relations,
 * columns, schemas and routines, and default privileges. Equal snapshots = nothing changed.
 */
export async function snapshot(server: TestServer, databases: readonly string[]): Promise<string> {
  const parts: Record<string, unknown> = {};
  for (const [name, sql] of Object.entries(CLUSTER_QUERIES)) parts[name] = await server.query(sql);
  for (const database of databases) {
    for (const [name, sql] of Object.entries(DATABASE_QUERIES)) {
      parts[`${database}.${name}`] = await server.query(sql, [], database);
    }
  }
  return JSON.stringify(parts, null, 1);
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

/** Opens a connection to `url`. */
export async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Polls `condition` every 50 ms until it holds (fails after 20 s). */
export async function waitFor(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
