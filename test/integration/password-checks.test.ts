/**
 * Passwords cost PBKDF2 (4,096 rounds) to check and to set. A plan checks the config's
 * passwords against the stored verifiers in libuv's thread pool while the server reads the
 * rest of the catalog, and an apply builds the verifiers it sends there too: none of it runs
 * on the main thread (issue 13). Counted, not timed: node:crypto's pbkdf2Sync (main thread)
 * and pbkdf2 (pool) are wrapped to count calls. The answers are PostgreSQL's: verifiers the
 * server computed itself, and logins with the passwords an apply set.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const pbkdf2Calls = vi.hoisted(() => ({ mainThread: 0, pool: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    pbkdf2Sync: (...args: Parameters<typeof crypto.pbkdf2Sync>) => {
      pbkdf2Calls.mainThread++;
      return crypto.pbkdf2Sync(...args);
    },
    pbkdf2: (...args: Parameters<typeof crypto.pbkdf2>) => {
      pbkdf2Calls.pool++;
      crypto.pbkdf2(...args);
    },
  };
});

const { parseConfig } = await import('../../src/config/load.js');
const { applyConfig, planConfig } = await import('../../src/engine.js');
const { loginAs } = await import('../support/login.js');
const { useTestServer } = await import('../support/server.js');

const server = useTestServer();
let client: pg.Client;

const ENV = { RIGHT_PW: 'the right one' };

function config(roles: string): ReturnType<typeof parseConfig> {
  return parseConfig(`version: 1\nroles:\n${roles}`, 'pgward.yaml', { env: ENV });
}

beforeAll(async () => {
  // Verifiers the server computes itself, as for any role whose password was set by hand.
  await server.query(`SET password_encryption = 'scram-sha-256';
    CREATE ROLE pc_same LOGIN PASSWORD 'the right one';
    CREATE ROLE pc_changed LOGIN PASSWORD 'changed by hand';
    CREATE ROLE pc_old_name LOGIN PASSWORD 'the right one'`);
  client = new pg.Client({ connectionString: server.url() });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

beforeEach(() => {
  pbkdf2Calls.mainThread = 0;
  pbkdf2Calls.pool = 0;
});

describe('password checks of a plan', () => {
  it('finds the drifted password and only it, deriving every key in the pool', async () => {
    const { plan } = await planConfig(
      client,
      config(`  pc_same: { login: true, password: { env: RIGHT_PW } }
  pc_changed: { login: true, password: { env: RIGHT_PW } }
`),
    );
    expect(plan.steps.map((step) => step.operation)).toEqual([
      { type: 'set_password', role: 'pc_changed', password: { from: 'env', name: 'RIGHT_PW' } },
    ]);
    expect(pbkdf2Calls).toEqual({ mainThread: 0, pool: 2 });
  });

  it('checks the password of a role being renamed against the verifier of its old name', async () => {
    const { plan } = await planConfig(
      client,
      config(`  pc_new_name:
    login: true
    renamed_from: pc_old_name
    password: { env: RIGHT_PW }
`),
    );
    expect(plan.steps.map((step) => step.operation.type)).toEqual(['rename_role']);
    expect(pbkdf2Calls.mainThread).toBe(0);
  });
});

describe('passwords an apply sets', () => {
  it('builds their verifiers in the pool; the roles log in with them', async () => {
    const result = await applyConfig(
      client,
      config(`  pc_created: { login: true, password: { env: RIGHT_PW } }
  pc_changed: { login: true, password: { env: RIGHT_PW } }
`),
      { lockTimeout: '10s' },
    );
    expect(result.outcome).toBe('applied');
    // Two verifiers built and the two checks of the convergence plan (pc_same is not in this
    // config): none on the main thread.
    expect(pbkdf2Calls.mainThread).toBe(0);
    expect(pbkdf2Calls.pool).toBeGreaterThanOrEqual(2);
    expect(await loginAs(server, 'pc_created', 'the right one')).toBe('pc_created');
    expect(await loginAs(server, 'pc_changed', 'the right one')).toBe('pc_changed');
    await expect(loginAs(server, 'pc_changed', 'changed by hand')).rejects.toThrow(
      /password authentication failed/,
    );
  });
});
