/**
 * plan, drift and `apply --yes` load their config while the server reads the catalog's
 * objects (engine.ts planLoading and applyLoading, issue 13): the objects query goes out
 * before the config is parsed. What a user sees must not change: the config's errors come
 * first even when the database cannot be reached or another apply holds the lock, a config
 * error with a reachable database is the same error, and a cluster config is planned (and
 * applied) in every database even when its `databases` key is spelt with escapes (which the
 * look at the file before connecting cannot see).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { applyLoading, planLoading } from '../../src/engine.js';
import { anchorDatabase, CLUSTER_LOCK_KEY } from '../../src/execute/cluster-lock.js';
import { APPLY_LOCK_KEY } from '../../src/execute/transaction.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { runCli } from '../support/cli.js';
import { connected } from '../support/login.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const server = useTestServer();
let dir: string;

async function configFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** `client`, noting in `events` each time the objects query (objects.sql) is sent. */
function recordingObjectsQuery(client: Queryable, events: string[]): Queryable {
  return {
    query: (sql, params) => {
      if (sql.includes('Every object pgward can grant on')) events.push('objects query sent');
      return client.query(sql, params);
    },
  };
}

beforeAll(async () => {
  dir = await tempDir('while-reading');
  await server.query('CREATE ROLE cwr_reader');
});

describe('the config loaded while the catalog is read', () => {
  it('sends the objects query before the config is parsed, and plans the same', async () => {
    const events: string[] = [];
    const client = await connected(server.url());
    try {
      const recording = recordingObjectsQuery(client, events);
      const text = 'version: 1\nroles:\n  cwr_reader: {}\n  cwr_new: {}\n';
      const { plan } = await planLoading(recording, () => {
        events.push('config loaded');
        return parseConfig(text, 'pgward.yaml');
      });
      expect(events).toEqual(['objects query sent', 'config loaded']);
      expect(plan.steps.map((step) => step.summary)).toEqual(['create role "cwr_new"']);
    } finally {
      await client.end();
    }
  });

  it('reports the config errors first when the database cannot be reached', async () => {
    const file = await configFile('bad.yaml', 'version: 1\nroles:\n  cwr_reader: { logn: true }\n');
    for (const command of ['plan', 'drift', 'apply --yes']) {
      const result = await runCli([
        ...command.split(' '),
        '-c',
        file,
        '--db',
        'postgresql://someone@127.0.0.1:1/nowhere',
      ]);
      expect(result.exitCode, command).toBe(1);
      expect(result.stderr, command).toContain('bad.yaml:3');
      expect(result.stderr, command).toContain('logn');
      expect(result.stderr, command).not.toContain('could not connect');
    }
  });

  it('reports a config error the same way when the database is reachable', async () => {
    const file = await configFile(
      'bad2.yaml',
      'version: 1\nroles:\n  cwr_reader: { logn: true }\n',
    );
    const validate = await runCli(['validate', '-c', file]);
    for (const command of ['plan', 'drift', 'apply --yes']) {
      const result = await runCli([...command.split(' '), '-c', file, '--db', server.url()]);
      expect(result.exitCode, command).toBe(1);
      expect(result.stderr, command).toBe(validate.stderr);
    }
  });

  it('reports the connection failure for a valid config', async () => {
    const file = await configFile('good.yaml', 'version: 1\nroles:\n  cwr_reader: {}\n');
    const result = await runCli([
      'drift',
      '-c',
      file,
      '--db',
      'postgresql://someone@127.0.0.1:1/nowhere',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: could not connect to database "nowhere"/);
  });

  it('plans a cluster config in every database, its databases key written with escapes', async () => {
    const other = await server.createDatabase('cwr_other');
    // "d\u0061tabases" is `databases` to YAML, but not the word the file is searched for.
    const file = await configFile(
      'cluster.yaml',
      `version: 1
settings:
  "d\\u0061tabases": [${server.database}, ${other}]
roles:
  cwr_reader:
    permissions:
      - { type: read, schemas: [public] }
`,
    );
    const result = await runCli(['plan', '--format', 'json', '-c', file, '--db', server.url()]);
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { databases?: string[] };
    expect(plan.databases).toEqual([server.database, other]);
  });
});

describe('apply --yes, its config loaded while the catalog is read under the lock', () => {
  it('sends the objects query before the config is parsed, applies it, and the next plan is empty', async () => {
    const events: string[] = [];
    const client = await connected(server.url());
    try {
      const recording = recordingObjectsQuery(client, events);
      const text = 'version: 1\nroles:\n  cwr_reader: {}\n  cwr_applied: {}\n';
      const result = await applyLoading(
        recording,
        () => {
          events.push('config loaded');
          return parseConfig(text, 'pgward.yaml');
        },
        { lockTimeout: '10s' },
      );
      expect(result.outcome).toBe('applied');
      // The convergence check reads the objects once more, with the config loaded already.
      expect(events).toEqual(['objects query sent', 'config loaded', 'objects query sent']);
      expect(await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'cwr_applied'")).toHaveLength(1);
      const { plan } = await planLoading(client, () => parseConfig(text, 'pgward.yaml'));
      expect(plan.steps).toEqual([]);
    } finally {
      await client.end();
    }
  }); // prettier-ignore

  /** Runs `work` while another session holds an advisory lock `key` in `database`. */
  async function whileLockHeld<T>(database: string, key: string, work: () => Promise<T>): Promise<T> {
    const holder = await connected(server.url(database));
    try {
      await holder.query('SELECT pg_catalog.pg_advisory_lock($1::bigint)', [key]);
      return await work();
    } finally {
      await holder.end();
    }
  } // prettier-ignore

  /** Resolves once a session waits for the advisory lock `key`, checking every 20 ms until `done`. */
  async function someoneWaits(key: string, done: () => boolean): Promise<'waited' | undefined> {
    // A bigint key is shown as its high and low 32 bits, objsubid 1.
    const [high, low] = [BigInt(key) >> 32n, BigInt(key) & 0xffffffffn].map(String);
    while (!done()) {
      const waiting = await server.query(
        "SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::text = $1 AND objid::text = $2 AND objsubid = 1",
        [high, low],
      );
      if (waiting.length > 0) return 'waited';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  }

  it("reports a broken config without waiting while another apply holds the cluster's or the database's lock", async () => {
    const file = await configFile('bad-locked.yaml', 'version: 1\nroles:\n  cwr_locked: { logn: true }\n');
    const good = await configFile('good-locked.yaml', 'version: 1\nroles:\n  cwr_locked: {}\n');
    const validate = await runCli(['validate', '-c', file]);
    const client = await connected(server.url());
    const { anchor } = await anchorDatabase(client).finally(() => client.end());
    const apply = (config: string, lockTimeout: string) =>
      runCli(['apply', '--yes', '--lock-timeout', lockTimeout, '-c', config, '--db', server.url()]);
    for (const [database, key] of [[anchor, CLUSTER_LOCK_KEY], [server.database, APPLY_LOCK_KEY]] as const) {
      // --lock-timeout 0 waits without limit: loaded only after the lock, the broken config
      // would be reported once the holder lets go; it must be reported without waiting.
      const first = await whileLockHeld(database, key, async () => {
        let finished = false;
        const applying = apply(file, '0').finally(() => (finished = true));
        const waited = await someoneWaits(key, () => finished);
        return { waited, broken: await (waited ? Promise.resolve(undefined) : applying) };
      });
      expect(first.waited, database).toBeUndefined();
      expect(first.broken?.exitCode, database).toBe(1);
      expect(first.broken?.stderr, database).toBe(validate.stderr);
      // A valid config waits as before, and gives up at the lock, changing nothing.
      const waited = await whileLockHeld(database, key, () => apply(good, '300ms'));
      expect(waited.exitCode, database).toBe(1);
      expect(waited.stderr.split('\n')[0], database).toMatch(
        database === anchor
          ? /^error: another pgward apply is running on this cluster \(its apply lock is in database ".*"\) and did not finish within --lock-timeout 300ms; nothing was changed$/
          : /^error: another pgward apply is running on this database and did not finish within --lock-timeout 300ms; rolled back, nothing was changed$/,
      );
      expect(await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'cwr_locked'")).toEqual([]);
    }
    // Once the lock is free, the same apply goes through.
    const applied = await apply(good, '10s');
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'cwr_locked'")).toHaveLength(1);
  }); // prettier-ignore

  it('applies a cluster config in every database, its databases key written with escapes', async () => {
    const other = await server.createDatabase('cwr_apply_other');
    for (const database of [server.database, other]) {
      await server.query('CREATE SCHEMA cwr_s', [], database);
      await server.query('CREATE TABLE cwr_s.t (id int)', [], database);
    }
    const file = await configFile(
      'cluster-apply.yaml',
      `version: 1
settings:
  "d\\u0061tabases": [${server.database}, ${other}]
roles:
  cwr_cluster_reader:
    permissions:
      - { type: read, schemas: [cwr_s] }
`,
    );
    const result = await runCli(['apply', '--yes', '-c', file, '--db', server.url()]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Apply complete');
    for (const database of [server.database, other]) {
      const [granted] = await server.query<{ ok: boolean }>(
        "SELECT pg_catalog.has_table_privilege('cwr_cluster_reader', 'cwr_s.t', 'SELECT') AS ok",
        [],
        database,
      );
      expect(granted?.ok, database).toBe(true);
    }
    const again = await runCli(['plan', '--detailed-exitcode', '-c', file, '--db', server.url()]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
  });
});
