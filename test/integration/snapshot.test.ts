import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { applyConfig, type ApplyResult } from '../../src/engine.js';
import { openConnection } from '../../src/execute/connection.js';
import { inReadOnlySnapshot } from '../../src/execute/snapshot.js';
import { BEGIN_READ_COMMITTED } from '../../src/execute/transaction.js';
import { loadSql } from '../../src/introspect/load-sql.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

describe('catalog reads in one snapshot', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: server.url() });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  it('does not see a role another session creates between two of its queries', async () => {
    const counts = await inReadOnlySnapshot(client, async (snapshot) => {
      const count = async (): Promise<number> =>
        Number(
          (
            await snapshot.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_roles WHERE rolname = 'snap_late'`,
            )
          ).rows[0]?.n,
        );
      const before = await count();
      await server.query('CREATE ROLE snap_late');
      return [before, await count()];
    });
    expect(counts).toEqual([0, 0]);
    const [row] = await server.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_roles WHERE rolname = 'snap_late'`,
    );
    expect(Number(row?.n)).toBe(1);
  });

  it('cannot write, and leaves the connection usable after an error', async () => {
    await expect(
      inReadOnlySnapshot(client, (snapshot) => snapshot.query('CREATE ROLE snap_write')),
    ).rejects.toThrow(/read-only transaction/);
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_roles WHERE rolname = 'snap_write'`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });
});

/**
 * Applies a config declaring the NOLOGIN role `role` through a Queryable that sees every
 * statement first (`record`, given the statement and the client), confirming when `confirm`;
 * the role must exist afterwards.
 */
async function applyRecorded(
  role: string,
  confirm: boolean,
  record: (sql: string, client: pg.Client) => Promise<void>,
): Promise<ApplyResult> {
  const dir = await mkdtemp(join(tmpdir(), 'pgward-snapshot-'));
  const client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  try {
    const file = join(dir, 'pgward.yaml');
    await writeFile(file, `version: 1\nroles:\n  ${role}:\n    login: false\n`);
    const recording: Queryable = {
      async query(sql, params) {
        await record(sql, client);
        return client.query(sql, params);
      },
    };
    const result = await applyConfig(recording, loadConfig(file), {
      lockTimeout: '10s',
      ...(confirm && { confirm: async () => true }),
    });
    expect(result.outcome).toBe('applied');
    const rows = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    expect(rows).toHaveLength(1);
    return result;
  } finally {
    await client.end();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('apply reads the catalog consistently', () => {
  it('plans the changes it shows for confirmation in a REPEATABLE READ, READ ONLY snapshot', async () => {
    // Before apply's own BEGIN (the apply transaction), every catalog read is the plan that
    // is shown and confirmed: ask the server what transaction each of them runs in.
    const seen: string[] = [];
    let applying = false;
    await applyRecorded('snap_apply', true, async (sql, client) => {
      if (sql === BEGIN_READ_COMMITTED) applying = true;
      if (!applying && !/^(BEGIN|ROLLBACK)/.test(sql)) {
        const { rows } = await client.query<{ state: string }>(
          `SELECT current_setting('transaction_isolation') || ', read only ' ||
                  current_setting('transaction_read_only') AS state`,
        );
        seen.push(rows[0]?.state ?? '');
      }
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(new Set(seen)).toEqual(new Set(['repeatable read, read only on']));
  });
});

describe('apply --yes (nothing to confirm)', () => {
  it('reads the catalog twice, both in the apply transaction: the plan it runs, then the convergence check', async () => {
    // Each read of the catalog runs the objects query once; note whether it ran in the apply.
    const reads: string[] = [];
    let applying = false;
    const result = await applyRecorded('snap_yes', false, async (sql) => {
      if (sql === BEGIN_READ_COMMITTED) applying = true;
      if (sql === loadSql('objects')) reads.push(applying ? 'in the apply' : 'before it');
    });
    expect(result.plan.steps.map((step) => step.sql)).toEqual([['CREATE ROLE "snap_yes"']]);
    expect(reads).toEqual(['in the apply', 'in the apply']);
  });
});

describe("pgward's own sessions", () => {
  it('run with JIT off (it compiles the objects query for longer than the query runs)', async () => {
    const client = await openConnection({ url: server.url() });
    try {
      const { rows } = await client.query<{ jit: string; zone: string }>(
        `SELECT current_setting('jit') AS jit, current_setting('TimeZone') AS zone`,
      );
      expect(rows[0]).toEqual({ jit: 'off', zone: 'UTC' });
    } finally {
      await client.end();
    }
  });
});
