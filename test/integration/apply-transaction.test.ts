/**
 * executePlan on a real server: one transaction, all or nothing, bounded lock waits, and
 * errors that name the failing step without ever showing a password.
 */
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplyError } from '../../src/errors.js';
import { executePlan, NO_SECRETS } from '../../src/execute/apply.js';
import { openConnection } from '../../src/execute/connection.js';
import { secretsFor } from '../../src/execute/secrets.js';
import { APPLY_LOCK_KEY } from '../../src/execute/transaction.js';
import { introspect } from '../../src/introspect/index.js';
import { DEFAULT_ROLE_ATTRIBUTES, type DesiredState } from '../../src/model/state.js';
import { scramMatches } from '../../src/passwords/scram.js';
import { buildPlan } from '../../src/plan/build.js';
import type { Operation, Plan } from '../../src/model/operations.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let client: pg.Client;
beforeEach(async () => {
  client = await openConnection({ url: server.url() });
});
afterEach(async () => {
  await client.end().catch(() => undefined);
});

async function planOf(operations: Operation[]): Promise<Plan> {
  return buildPlan(await introspect(client), operations);
}

const createRole = (role: string): Operation => ({
  type: 'create_role',
  role,
  attributes: DEFAULT_ROLE_ATTRIBUTES,
});

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

describe('executePlan', () => {
  it('runs every step and commits', async () => {
    const plan = await planOf([createRole('tx_ok_a'), createRole('tx_ok_b')]);
    await executePlan(client, plan, { lockTimeout: '5s', secrets: NO_SECRETS });
    expect(await rolesNamed('tx_ok_%')).toEqual(['tx_ok_a', 'tx_ok_b']);
    // The session is back outside any transaction, and the apply lock is released.
    const [state] = (
      await client.query<{ outside: boolean }>('SELECT now() = statement_timestamp() AS outside')
    ).rows;
    expect(state?.outside).toBe(true);
    const locks = await server.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory'`);
    expect(locks).toEqual([]);
  });

  it('rolls back every step when one fails, and names the failing step and the reason', async () => {
    await server.query('CREATE ROLE tx_fail_b');
    const plan = await planOf([
      createRole('tx_fail_a'),
      createRole('tx_fail_b'),
      createRole('tx_fail_c'),
    ]);
    const error = await caught(
      executePlan(client, plan, { lockTimeout: '5s', secrets: NO_SECRETS }),
    );
    expect(error.message).toBe(
      'apply failed at step 2 of 3 (CREATE ROLE "tx_fail_b"): role "tx_fail_b" already exists (SQLSTATE 42710); rolled back, nothing was changed',
    );
    expect(error.statement).toBe('CREATE ROLE "tx_fail_b"');
    expect((error.cause as { code?: string }).code).toBe('42710');
    expect(await rolesNamed('tx_fail_%')).toEqual(['tx_fail_b']);
  });

  it('sends a SCRAM verifier for a password and never shows it in an error', async () => {
    const desired = {
      roles: [
        {
          name: 'tx_pw_new',
          attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true },
          password: { source: { from: 'env', name: 'PW' }, secret: 'correct horse' },
          description: null,
          config: {},
        },
        {
          name: 'tx_pw_taken',
          attributes: DEFAULT_ROLE_ATTRIBUTES,
          password: { source: { from: 'env', name: 'PW2' }, secret: 'battery staple' },
          description: null,
          config: {},
        },
      ],
    } as unknown as DesiredState;
    const withPassword = (role: string, from: string): Operation => ({
      type: 'create_role',
      role,
      attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: role === 'tx_pw_new' },
      password: { from: 'env', name: from },
    });

    await executePlan(client, await planOf([withPassword('tx_pw_new', 'PW')]), {
      lockTimeout: '5s',
      secrets: secretsFor(desired),
    });
    const [stored] = await server.query<{ rolpassword: string }>(
      `SELECT rolpassword FROM pg_authid WHERE rolname = 'tx_pw_new'`,
    );
    expect(stored?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(scramMatches('correct horse', stored?.rolpassword ?? '')).toBe(true);

    await server.query('CREATE ROLE tx_pw_taken');
    const error = await caught(
      executePlan(client, await planOf([withPassword('tx_pw_taken', 'PW2')]), {
        lockTimeout: '5s',
        secrets: secretsFor(desired),
      }),
    );
    expect(error.message).toContain('CREATE ROLE "tx_pw_taken" WITH PASSWORD (sensitive)');
    expect(error.message).not.toMatch(/SCRAM|battery/);
    expect(error.statement).toBe('CREATE ROLE "tx_pw_taken" WITH PASSWORD (sensitive)');
  });

  it('refuses a lock timeout that is not a duration, before touching the database', async () => {
    const plan = await planOf([createRole('tx_badtimeout')]);
    for (const lockTimeout of ["1s'; DROP ROLE x; --", '10 s', '-1s', 's', '1d']) {
      const error = await caught(executePlan(client, plan, { lockTimeout, secrets: NO_SECRETS }));
      expect(error.message).toContain(`invalid lock timeout "${lockTimeout}"`);
    }
    expect(await rolesNamed('tx_badtimeout')).toEqual([]);
  });

  it('waits for another apply no longer than the lock timeout', async () => {
    const holder = await openConnection({ url: server.url() });
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPLY_LOCK_KEY]);
      const plan = await planOf([createRole('tx_locked')]);
      const started = Date.now();
      const error = await caught(
        executePlan(client, plan, { lockTimeout: '300ms', secrets: NO_SECRETS }),
      );
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
    const plan = await planOf([createRole('tx_lost_a'), createRole('tx_lost_b')]);
    const error = await caught(
      executePlan(client, plan, {
        lockTimeout: '5s',
        secrets: NO_SECRETS,
        beforeExecute: async (session) => {
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
