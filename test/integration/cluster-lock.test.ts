/**
 * Cluster applies serialize per cluster (spec §3, §8), not per database: two applies on
 * DISJOINT sets of databases both change the cluster's roles, and advisory locks are per
 * database. The second waits for the first (within --lock-timeout) or fails clearly, exit 1,
 * nothing changed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCluster, CLUSTER_LOCK_KEY } from '../../src/cluster.js';
import { parseConfig } from '../../src/config/load.js';
import { openSibling } from '../../src/execute/connection.js';
import { pgward, type CliResult } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir: string;
let shop: string;
let crm: string;
let anchor: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-cluster-lock-'));
  shop = await server.createDatabase('shop');
  crm = await server.createDatabase('crm');
  for (const database of [shop, crm])
    await server.query('CREATE SCHEMA app; CREATE TABLE app.orders (id integer)', [], database);
  const [row] = await server.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY oid LIMIT 1',
  );
  anchor = row?.datname ?? '';
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function configText(database: string, role: string): string {
  return `version: 1
settings:
  databases: [${database}]
roles:
  ${role}:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [app.orders] }
`;
}

/** `pgward apply --yes` of a config of `crm` (by default the one managing `crm` only), with `role`. */
async function applyCrm(
  role: string,
  lockTimeout: string,
  text: string = configText(crm, role),
): Promise<CliResult> {
  const file = join(dir, `${role}.yaml`);
  await writeFile(file, text);
  return pgward([
    'apply',
    '--yes',
    '--lock-timeout',
    lockTimeout,
    '--db',
    server.url(crm),
    '-c',
    file,
  ]);
}

/** Applies the config managing `shop` only, running `during` while it holds its locks. */
async function applyShop(role: string, during: () => Promise<void>) {
  const first = new pg.Client({ connectionString: server.url(shop) });
  await first.connect();
  try {
    let ran = false;
    return await applyCluster(
      first,
      parseConfig(configText(shop, role), 'shop.yaml'),
      (database) => openSibling(first, database),
      {
        lockTimeout: '10s',
        beforeExecute: async () => {
          if (ran) return;
          ran = true;
          await during();
        },
      },
    );
  } finally {
    await first.end();
  }
}

async function roleExists(role: string): Promise<boolean> {
  return (await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length > 0;
}

/** Whether a session waits for an advisory lock (the cluster's, held by the other apply). */
async function someoneWaits(): Promise<boolean> {
  const rows = await server.query(
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
    [],
    anchor,
  );
  return rows.length > 0;
}

/** `result` gave up at the cluster's apply lock after --lock-timeout 300ms: exit 1, one line. */
function expectGaveUpAtClusterLock(result: CliResult | undefined): void {
  expect(result?.code).toBe(1);
  expect(result?.stderr.split('\n')[0]).toBe(
    `error: another pgward apply is running on this cluster (its apply lock is in database "${anchor}") and did not finish within --lock-timeout 300ms; nothing was changed`,
  );
}

describe('two cluster applies on disjoint sets of databases', () => {
  it('the second fails clearly once --lock-timeout passes, changing nothing', async () => {
    let second: CliResult | undefined;
    const first = await applyShop('lock_first', async () => {
      second = await applyCrm('lock_second', '300ms');
    });
    expect(first.outcome).toBe('applied');
    expectGaveUpAtClusterLock(second);
    expect(await roleExists('lock_first')).toBe(true);
    expect(await roleExists('lock_second')).toBe(false);
  });

  it('the second waits for the first, then applies', async () => {
    let second: Promise<CliResult> | undefined;
    let waited = false;
    const first = await applyShop('wait_first', async () => {
      second = applyCrm('wait_second', '10s');
      for (let i = 0; i < 100 && !waited; i++) {
        waited = await someoneWaits();
        if (!waited) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The first apply's changes are not committed while the second waits.
      expect(await roleExists('wait_second')).toBe(false);
    });
    expect(waited).toBe(true);
    expect(first.outcome).toBe('applied');
    const result = await second;
    expect(result?.code, result?.stderr).toBe(0);
    const [row] = await server.query<{ ok: boolean }>(
      "SELECT has_table_privilege('wait_second', 'app.orders', 'SELECT') AS ok",
      [],
      crm,
    );
    expect(row?.ok).toBe(true);
  });
});

describe('a one-database apply (no settings.databases) beside a cluster apply', () => {
  /** `pgward apply --yes` of a one-database config (no settings.databases) of `crm`. */
  const applyCrmAlone = (role: string, lockTimeout: string): Promise<CliResult> =>
    applyCrm(
      role,
      lockTimeout,
      `version: 1\nroles:\n  ${role}:\n    grants:\n      - { privileges: [SELECT], object_type: table, objects: [app.orders] }\n`,
    );

  it('takes the cluster lock too: it fails clearly while a cluster apply on another database holds it', async () => {
    let second: CliResult | undefined;
    const first = await applyShop('alone_first', async () => {
      second = await applyCrmAlone('alone_second', '300ms');
    });
    expect(first.outcome).toBe('applied');
    expectGaveUpAtClusterLock(second);
    expect(await roleExists('alone_second')).toBe(false);
    // Once the cluster apply is done, the same apply goes through; then plan is empty.
    const again = await applyCrmAlone('alone_second', '10s');
    expect(again.code, again.stderr).toBe(0);
    expect(await roleExists('alone_second')).toBe(true);
  });

  it('takes it on its own connection when its database is the anchor, and releases it', async () => {
    const file = join(dir, 'anchor-alone.yaml');
    await writeFile(file, 'version: 1\nroles:\n  anchor_alone: {}\n');
    const holder = new pg.Client({ connectionString: server.url(anchor) });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [CLUSTER_LOCK_KEY]);
      const blocked = await pgward(['apply', '--yes', '--lock-timeout', '300ms', '--db', server.url(anchor), '-c', file]);
      expect(blocked.code).toBe(1);
      expect(blocked.stderr.split('\n')[0]).toContain('another pgward apply is running on this cluster');
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [CLUSTER_LOCK_KEY]);
      const applied = await pgward(['apply', '--yes', '--lock-timeout', '300ms', '--db', server.url(anchor), '-c', file]);
      expect(applied.code, applied.stderr).toBe(0);
      // Released: no session holds the cluster lock once the apply is done.
      const held = await server.query(
        "SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = $1",
        [anchor],
      );
      expect(held).toEqual([]);
      await server.query('DROP ROLE anchor_alone');
    } finally {
      await holder.end();
    }
  }); // prettier-ignore
});
