import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inReadOnlySnapshot } from '../../src/execute/snapshot.js';
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
