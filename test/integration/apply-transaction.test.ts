/**
 * The apply transaction on a real server, through applyConfig (what `pgward apply` and
 * `db.apply` run): one transaction, all or nothing, bounded lock waits, and errors that name
 * the failing step without ever showing a password.
 */
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { applyConfig, planConfig } from '../../src/engine.js';
import { ApplyError } from '../../src/errors.js';
import { openConnection } from '../../src/execute/connection.js';
import { APPLY_LOCK_KEY } from '../../src/execute/transaction.js';
import { scramMatches } from '../../src/passwords/scram.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let client: pg.Client;
beforeEach(async () => {
  client = await openConnection({ url: server.url() });
});
afterEach(async () => {
  await client.end().catch(() => undefined);
});

/** A config declaring `roles` (YAML flow values), passwords read from `env`. */
function configOf(roles: Record<string, string>, env: Record<string, string> = {}) {
  const lines = Object.entries(roles).map(([name, value]) => `  ${name}: ${value}`);
  return parseConfig(`version: 1\nroles:\n${lines.join('\n')}\n`, 'pgward.yaml', { env });
}

async function rolesNamed(pattern: string): Promise<string[]> {
  const rows = await server.query<{ rolname: string }>(
    'SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1',
    [pattern],
  );
  return rows.map((row) => row.rolname);
}

async function caught(promise: Promise<unknown>): Promise<ApplyError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApplyError);
  return error as ApplyError;
}

/** Creates `role` from another session once the apply has planned, so its CREATE ROLE fails. */
const createMeanwhile = (role: string) => async (): Promise<void> => {
  await server.query(`CREATE ROLE ${role}`);
};

describe('the apply transaction', () => {
  it('runs every step and commits', async () => {
    const config = configOf({ tx_ok_a: '{}', tx_ok_b: '{}' });
    const result = await applyConfig(client, config, { lockTimeout: '5s' });
    expect(result.outcome).toBe('applied');
    expect(await rolesNamed('tx_ok_%')).toEqual(['tx_ok_a', 'tx_ok_b']);
    // The session is back outside any transaction, and the apply lock is released.
    const [state] = (
      await client.query<{ outside: boolean }>('SELECT now() = statement_timestamp() AS outside')
    ).rows;
    expect(state?.outside).toBe(true);
    const locks = await server.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory'`);
    expect(locks).toEqual([]);
    expect((await planConfig(client, config)).plan.steps).toEqual([]);
  });

  it('rolls back every step when one fails, and names the failing step and the reason', async () => {
    const config = configOf({ tx_fail_a: '{}', tx_fail_b: '{}', tx_fail_c: '{}' });
    const error = await caught(
      applyConfig(client, config, {
        lockTimeout: '5s',
        beforeExecute: createMeanwhile('tx_fail_b'),
      }),
    );
    expect(error.message).toBe(
      'apply failed at step 2 of 3 (CREATE ROLE "tx_fail_b"): role "tx_fail_b" already exists (SQLSTATE 42710); rolled back, nothing was changed',
    );
    expect(error.statement).toBe('CREATE ROLE "tx_fail_b"');
    expect((error.cause as { code?: string }).code).toBe('42710');
    expect(await rolesNamed('tx_fail_%')).toEqual(['tx_fail_b']);
  });

  it('sends a SCRAM verifier for a password and never shows it in an error', async () => {
    const created = configOf(
      { tx_pw_new: '{ login: true, password: { env: PW } }' },
      { PW: 'correct horse' },
    );
    await applyConfig(client, created, { lockTimeout: '5s' });
    const [stored] = await server.query<{ rolpassword: string }>(
      `SELECT rolpassword FROM pg_authid WHERE rolname = 'tx_pw_new'`,
    );
    expect(stored?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(scramMatches('correct horse', stored?.rolpassword ?? '')).toBe(true);

    const taken = configOf(
      { tx_pw_taken: '{ password: { env: PW2 } }' },
      { PW2: 'battery staple' },
    );
    const error = await caught(
      applyConfig(client, taken, {
        lockTimeout: '5s',
        beforeExecute: createMeanwhile('tx_pw_taken'),
      }),
    );
    expect(error.message).toContain('CREATE ROLE "tx_pw_taken" WITH PASSWORD (sensitive)');
    expect(error.message).not.toMatch(/SCRAM|battery/);
    expect(error.statement).toBe('CREATE ROLE "tx_pw_taken" WITH PASSWORD (sensitive)');
  });

  it('refuses a lock timeout that is not a duration, before changing the database', async () => {
    const config = configOf({ tx_badtimeout: '{}' });
    for (const lockTimeout of ["1s'; DROP ROLE x; --", '10 s', '-1s', 's', '1d']) {
      const error = await caught(applyConfig(client, config, { lockTimeout }));
      expect(error.message).toContain(`invalid lock timeout "${lockTimeout}"`);
    }
    expect(await rolesNamed('tx_badtimeout')).toEqual([]);
  });

  it('waits for another apply no longer than the lock timeout', async () => {
    const holder = await openConnection({ url: server.url() });
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPLY_LOCK_KEY]);
      const config = configOf({ tx_locked: '{}' });
      const started = Date.now();
      const error = await caught(applyConfig(client, config, { lockTimeout: '300ms' }));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(error.message).toBe(
        'another pgward apply is running on this database and did not finish within --lock-timeout 300ms; rolled back, nothing was changed',
      );
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect(await rolesNamed('tx_locked')).toEqual([]);
  });

  it('reports a connection lost mid-apply as an ApplyError, with nothing changed', async () => {
    const config = configOf({ tx_lost_a: '{}', tx_lost_b: '{}' });
    const error = await caught(
      applyConfig(client, config, {
        lockTimeout: '5s',
        beforeExecute: async (session: Queryable) => {
          const [me] = (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
            .rows;
          await server.query('SELECT pg_terminate_backend($1)', [me?.pid]);
        },
      }),
    );
    expect(error.message).toMatch(
      /^apply failed at step 1 of 2 \(CREATE ROLE "tx_lost_a"\): the connection was lost \(.+\); the server rolled the transaction back, nothing was changed$/,
    );
    expect(await rolesNamed('tx_lost_%')).toEqual([]);
  });
});
