/**
 * The apply transaction on a real server, through applyConfig (what `pgward apply` and
 * `db.apply` run): one transaction, all or nothing, bounded lock waits, and errors that name
 * the failing step without ever showing a password.
 */
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { applyConfig, planConfig } from '../../src/engine.js';
import { ApplyError } from '../../src/errors.js';
import { openConnection } from '../../src/execute/connection.js';
import { APPLY_LOCK_KEY } from '../../src/execute/transaction.js';
import { scramMatches } from '../../src/passwords/scram.js';
import { waitFor } from '../support/calls.js';
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

describe('statements several per round trip', () => {
  /** `count` roles prefix_001, prefix_002, ... (YAML flow values). */
  const roles = (prefix: string, count: number): Record<string, string> =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `${prefix}_${String(i + 1).padStart(3, '0')}`,
        '{}',
      ]),
    );

  it('sends 250 CREATE ROLE steps in three round trips', async () => {
    const config = configOf(roles('tx_batch', 250));
    const query = vi.spyOn(client, 'query');
    const result = await applyConfig(client, config, { lockTimeout: '5s' });
    expect(result.plan.steps).toHaveLength(250);
    const sent = query.mock.calls.filter(([sql]) =>
      (typeof sql === 'string' ? sql : ((sql as { text?: string }).text ?? '')).includes(
        'CREATE ROLE',
      ),
    );
    expect(sent).toHaveLength(3);
    expect(await rolesNamed('tx_batch_%')).toHaveLength(250);
  });

  // The first and last steps, the last of one batch and the first of the next, one mid-batch.
  it.each([1, 100, 101, 170, 250])(
    'names step %i of 250 when it fails, and nothing is applied',
    async (failing) => {
      const prefix = `tx_bfail${failing}`;
      const name = `${prefix}_${String(failing).padStart(3, '0')}`;
      const error = await caught(
        applyConfig(client, configOf(roles(prefix, 250)), {
          lockTimeout: '5s',
          beforeExecute: createMeanwhile(name),
        }),
      );
      expect(error.message).toBe(
        `apply failed at step ${failing} of 250 (CREATE ROLE "${name}"): role "${name}" already exists (SQLSTATE 42710); rolled back, nothing was changed`,
      );
      expect(error.statement).toBe(`CREATE ROLE "${name}"`);
      expect(await rolesNamed(`${prefix}_%`)).toEqual([name]);
    },
  );

  /**
   * A config of 150 roles, one granted SELECT on a table another session is granting on in an
   * open transaction: the apply waits there, in the middle of its second batch. Returns the
   * config and that step as the error names it.
   */
  async function blockedMidBatch(prefix: string) {
    await server.query(
      `CREATE TABLE public.${prefix}_held (id int); CREATE TABLE public.${prefix}_zfree (id int); CREATE ROLE ${prefix}_other`,
    );
    const declared = roles(prefix, 150);
    declared[`${prefix}_001`] =
      `{ grants: [{ privileges: [SELECT], object_type: table, objects: [public.${prefix}_held] }] }`;
    for (let i = 2; i <= 30; i++)
      declared[`${prefix}_${String(i).padStart(3, '0')}`] =
        `{ grants: [{ privileges: [SELECT], object_type: table, objects: [public.${prefix}_zfree] }] }`;
    const config = configOf(declared);
    const { plan } = await planConfig(client, config);
    const at = plan.steps.findIndex((step) => step.sql[0]?.includes('_held')) + 1;
    // Neither the first nor the last statement of its batch (batches of 100).
    expect(at % 100).toBeGreaterThan(1);
    expect(plan.steps.length).toBeGreaterThan(at);
    const holder = await openConnection({ url: server.url() });
    await holder.query('BEGIN');
    await holder.query(`GRANT TRUNCATE ON public.${prefix}_held TO ${prefix}_other`);
    return {
      config,
      step: `step ${at} of ${plan.steps.length} (GRANT SELECT ON TABLE "public"."${prefix}_held" TO "${prefix}_001")`,
      release: async () => {
        await holder.query('ROLLBACK');
        await holder.end();
      },
    };
  }

  it('names the step of a batch that waited past --lock-timeout', async () => {
    const { config, step, release } = await blockedMidBatch('tx_bwait');
    try {
      const error = await caught(applyConfig(client, config, { lockTimeout: '300ms' }));
      expect(error.message).toBe(
        `apply failed at ${step}: canceling statement due to lock timeout (SQLSTATE 55P03): another session held a lock it needs for longer than --lock-timeout 300ms; rolled back, nothing was changed`,
      );
    } finally {
      await release();
    }
    expect(await rolesNamed('tx_bwait_%')).toEqual(['tx_bwait_other']);
  });

  it('names the step of a batch that was running when the connection was lost', async () => {
    const { config, step, release } = await blockedMidBatch('tx_blost');
    client.on('error', () => undefined);
    const [me] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    try {
      const running = caught(applyConfig(client, config, { lockTimeout: '60s' }));
      await waitFor('the apply to wait on the held table', async () => {
        const rows = await server.query(
          `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
          [me?.pid],
        );
        return rows.length === 1;
      });
      await server.query('SELECT pg_terminate_backend($1)', [me?.pid]);
      const error = await running;
      expect(error.message).toMatch(
        new RegExp(
          `^apply failed at ${step.replace(/[().]/g, '\\$&')}: the connection was lost \\(.+\\); the server rolled the transaction back, nothing was changed$`,
        ),
      );
    } finally {
      await release();
    }
    expect(await rolesNamed('tx_blost_%')).toEqual(['tx_blost_other']);
  });
});
