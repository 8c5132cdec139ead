/**
 * applyConfig under concurrency and failure: a second apply waits for the first and finds
 * nothing to do; a plan that changes while being confirmed is stale; a statement that fails,
 * a lock held too long or an apply that does not converge leaves the database as it was.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { applyConfig, type ApplyResult } from '../../src/engine.js';
import { ApplyError, StalePlanError } from '../../src/errors.js';
import { openConnection } from '../../src/execute/connection.js';
import { failure, waitFor } from '../support/calls.js';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir: string;
let client: pg.Client;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-engine-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  client = await openConnection({ url: server.url() });
});
afterEach(async () => {
  await client.end();
});

async function configFile(name: string, yaml: string): Promise<{ file: string; config: Config }> {
  const file = join(dir, name);
  await writeFile(file, yaml);
  return { file, config: loadConfig(file) };
}

async function roles(pattern: string): Promise<string[]> {
  const rows = await server.query<{ rolname: string }>(
    'SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1',
    [pattern],
  );
  return rows.map((row) => row.rolname);
}

async function tableAcl(table: string): Promise<string | null> {
  const [row] = await server.query<{ acl: string | null }>(
    'SELECT relacl::text AS acl FROM pg_class WHERE oid = $1::regclass',
    [table],
  );
  return row?.acl ?? null;
}

/** Every role with its attributes and comment, and every membership, to compare. */
async function rolesAndMemberships(): Promise<unknown> {
  return server.query(`
    SELECT (SELECT json_agg(r ORDER BY r.rolname) FROM (
              SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
                     rolconnlimit, rolvaliduntil, rolconfig,
                     shobj_description(oid, 'pg_authid') AS comment
              FROM pg_roles) r) AS roles,
           (SELECT json_agg(m ORDER BY m.roleid, m.member) FROM (
              SELECT roleid::regrole::text AS roleid, member::regrole::text AS member, admin_option
              FROM pg_auth_members) m) AS memberships`);
}

/**
 * Starts an apply of `config` that takes the apply lock and holds it until `run` (the second
 * apply) waits for that lock; returns the first apply's result and `run`'s.
 */
async function whileAnApplyHoldsTheLock<T>(
  config: Config,
  run: () => Promise<T>,
): Promise<{ first: ApplyResult; second: T }> {
  let holding!: () => void;
  const lockTaken = new Promise<void>((resolve) => (holding = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const first = applyConfig(client, config, {
    lockTimeout: '30s',
    beforeExecute: async () => {
      holding();
      await released;
    },
  });
  await lockTaken;
  const second = run();
  await waitFor(
    'the second apply to wait for the apply lock',
    async () =>
      (await server.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`))
        .length === 1,
  );
  release();
  return { first: await first, second: await second };
}

describe('applyConfig', () => {
  it('serializes applies: the second waits for the lock, then finds nothing to do', async () => {
    const { config } = await configFile(
      'concurrent.yaml',
      'version: 1\nroles:\n  cc_a: {}\n  cc_b: { login: true, member_of: [cc_a] }\n',
    );
    // A confirmed apply plans before the lock (the plan it shows), then waits for the lock.
    const other = await openConnection({ url: server.url() });
    const shown: string[] = [];
    const { first, second } = await whileAnApplyHoldsTheLock(config, () =>
      applyConfig(other, config, {
        lockTimeout: '30s',
        onPlan: (plan) => shown.push(...plan.steps.flatMap((step) => step.sql)),
        confirm: async () => true,
      }).finally(() => other.end()),
    );
    expect(first.outcome).toBe('applied');
    // It had planned the changes before waiting; under the lock there were none left.
    expect(shown).toContain('CREATE ROLE "cc_a"');
    expect(second.outcome).toBe('no_changes');
    expect(await roles('cc_%')).toEqual(['cc_a', 'cc_b']);
  });

  it('with --yes plans once, under the lock: one that waited finds nothing and shows no plan', async () => {
    const { file, config } = await configFile(
      'concurrent-yes.yaml',
      'version: 1\nroles:\n  cy_a: {}\n  cy_b: { login: true, member_of: [cy_a] }\n',
    );
    const { first, second } = await whileAnApplyHoldsTheLock(config, () =>
      runCli(['apply', '--yes', '--lock-timeout', '30s', '-c', file, '--db', server.url()]),
    );
    expect(first.outcome).toBe('applied');
    expect(second.exitCode, second.stderr).toBe(0);
    // Nothing was planned before the lock: the one plan, made after the first committed, is empty.
    expect(second.stdout).toBe('No changes. The database matches the configuration.\n');
    expect(await roles('cy_%')).toEqual(['cy_a', 'cy_b']);
  });

  it('rolls everything back when a statement fails (a table dropped after planning)', async () => {
    await server.query('CREATE TABLE fa_orders (id int); CREATE ROLE fa_existing');
    const { config } = await configFile(
      'failing.yaml',
      `version: 1
roles:
  fa_existing: { login: true }
  fa_new:
    member_of: [fa_existing]
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.fa_orders] }
`,
    );
    const before = await rolesAndMemberships();
    const error = await failure(
      applyConfig(client, config, {
        lockTimeout: '5s',
        beforeExecute: async () => {
          await server.query('DROP TABLE fa_orders');
        },
      }),
    );
    expect(await rolesAndMemberships()).toEqual(before);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).message).toMatch(
      /^apply failed at step \d+ of \d+ \(GRANT SELECT ON TABLE "public"\."fa_orders" TO "fa_new"\): relation "public\.fa_orders" does not exist \(SQLSTATE 42P01\); rolled back, nothing was changed$/,
    );
    expect(await roles('fa_%')).toEqual(['fa_existing']);
    const [existing] = await server.query<{ rolcanlogin: boolean }>(
      `SELECT rolcanlogin FROM pg_roles WHERE rolname = 'fa_existing'`,
    );
    expect(existing?.rolcanlogin).toBe(false);
    expect(
      await server.query(`SELECT 1 FROM pg_auth_members WHERE roleid = 'fa_existing'::regrole`),
    ).toEqual([]);
  });

  it('refuses a plan that changed while it was being confirmed, but not for unrelated changes', async () => {
    await server.query('CREATE SCHEMA st; CREATE TABLE st.one (id int)');
    const { config } = await configFile(
      'stale.yaml',
      `version: 1
roles:
  st_reader:
    grants:
      - { privileges: [SELECT], object_type: table, all_in_schemas: [st] }
`,
    );
    const error = await failure(
      applyConfig(client, config, {
        lockTimeout: '5s',
        confirm: async () => {
          await server.query('CREATE TABLE st.two (id int)');
          return true;
        },
      }),
    );
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as Error).message).toMatch(/^plan is stale: /);
    expect((error as Error).message).toContain('nothing was changed');
    expect(await roles('st_%')).toEqual([]);

    const result = await applyConfig(client, config, {
      lockTimeout: '5s',
      confirm: async () => {
        await server.query('CREATE ROLE st_unrelated');
        return true;
      },
    });
    expect(result.outcome).toBe('applied');
    expect(await roles('st_%')).toEqual(['st_reader', 'st_unrelated']);
  });

  it('applies nothing when confirm says no', async () => {
    const { config } = await configFile('declined.yaml', 'version: 1\nroles:\n  dn_role: {}\n');
    const shown: number[] = [];
    const result = await applyConfig(client, config, {
      lockTimeout: '5s',
      onPlan: (plan) => shown.push(plan.steps.length),
      confirm: async () => false,
    });
    expect(result).toMatchObject({ applied: false, outcome: 'cancelled' });
    expect(shown).toEqual([1]);
    expect(await roles('dn_%')).toEqual([]);
  });

  it('rolls back an apply that does not converge', async () => {
    await server.query('CREATE ROLE cv_existing');
    const { config } = await configFile(
      'converge.yaml',
      'version: 1\nroles:\n  cv_existing: {}\n  cv_new: {}\n',
    );
    const error = await failure(
      applyConfig(client, config, {
        lockTimeout: '5s',
        // Someone changes a managed role after the re-plan: the check after executing sees it.
        beforeExecute: async () => {
          await server.query('ALTER ROLE cv_existing CREATEDB');
        },
      }),
    );
    expect(error).toBeInstanceOf(ApplyError);
    const [headline, ...rest] = (error as Error).message.split('\n');
    expect(headline).toBe(
      'apply did not converge: 1 change remains after executing the plan; rolled back, nothing was changed',
    );
    expect(rest.join('\n')).toContain('cv_existing');
    expect(await roles('cv_%')).toEqual(['cv_existing']);
  });
});

describe('apply --lock-timeout', () => {
  it('fails fast on a lock held by another session, and rolls back', async () => {
    await server.query('CREATE TABLE lt_orders (id int); CREATE ROLE lt_other');
    const before = await tableAcl('lt_orders');
    const { file } = await configFile(
      'lock.yaml',
      `version: 1
roles:
  lt_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.lt_orders] }
`,
    );
    const holder = await openConnection({ url: server.url() });
    try {
      // An open transaction that changed the table's ACL holds its pg_class row.
      await holder.query('BEGIN');
      await holder.query('GRANT SELECT ON public.lt_orders TO lt_other');
      const started = Date.now();
      const result = await runCli([
        'apply',
        '--yes',
        '--lock-timeout',
        '500ms',
        '-c',
        file,
        '--db',
        server.url(),
      ]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(result.exitCode).toBe(1);
      const [headline] = result.stderr.split('\n');
      expect(headline).toMatch(
        /^error: apply failed at step \d+ of \d+ \(GRANT SELECT ON TABLE "public"\."lt_orders" TO "lt_reader"\): canceling statement due to lock timeout \(SQLSTATE 55P03\): another session held a lock it needs for longer than --lock-timeout 500ms; rolled back, nothing was changed$/,
      );
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect(await roles('lt_reader')).toEqual([]);
    expect(await tableAcl('lt_orders')).toEqual(before);
  });
});
