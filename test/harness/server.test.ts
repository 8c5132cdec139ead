import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

describe('test harness', () => {
  it('runs the selected PostgreSQL major version', async () => {
    const [row] = await server.query<{ v: string }>(
      `SELECT current_setting('server_version_num') AS v`,
    );
    expect(Math.floor(Number(row?.v) / 10000)).toBe(server.major);
  });

  it('gives each file a fresh database of its own', async () => {
    const [row] = await server.query<{ db: string }>('SELECT current_database() AS db');
    expect(row?.db).toBe(server.database);
  });
});
