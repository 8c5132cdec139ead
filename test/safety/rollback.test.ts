/**
 * Safety promise 2: an apply is all or nothing. After a failure the catalog is exactly as
 * before (snapshots of roles, memberships, settings and every ACL and default privilege
 * compared whole); after concurrent applies it is exactly as planned.
 *
 * Already covered elsewhere and not repeated here: a failing statement, a lock timeout and a
 * stale plan file with whole-catalog snapshots (integration/fixtures-changes.test.ts), the
 * apply lock and non-convergence in the engine (integration/apply-engine.test.ts), a
 * connection lost before the first statement (integration/apply-transaction.test.ts).
 * What this file adds: the connection killed while the apply waits in the middle of its
 * work, a failure in the last phase (dropping roles) undoing every phase before it, two
 * CLI applies racing, and a third one bounded by --lock-timeout while they hold the lock.
 */
import pg from 'pg';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/calls.js';
import { catalogSnapshot } from '../support/catalog.js';
import { runCli, type CliResult } from '../support/cli.js';
import { connected } from '../support/login.js';
import { useTestServer } from '../support/server.js';
import { APPLY_LOCK_KEY } from '../../src/execute/transaction.js';
import { configFile, firstLine, pgwardWaiting, tempDir, withDefaultIsolation } from './support.js';

const server = useTestServer();

let dir: string;
let config: string;
beforeAll(async () => {
  dir = await tempDir('rollback');
  await server.query(`
    CREATE ROLE rb_owner NOLOGIN;
    CREATE ROLE rb_old NOLOGIN;
    CREATE ROLE hold_other NOLOGIN;
    CREATE SCHEMA app AUTHORIZATION rb_owner;
    CREATE TABLE app.orders (id int, total numeric);
    CREATE TABLE app.items (id int, name text);
    ALTER TABLE app.orders OWNER TO rb_owner;
    ALTER TABLE app.items OWNER TO rb_owner;
    GRANT USAGE ON SCHEMA app TO rb_old;
    GRANT SELECT, DELETE ON app.items TO rb_old;
  `);
  // Roles, attributes, a membership chain, schema, table, database and default privileges,
  // and revokes: every phase of a plan has work to do.
  config = await configFile(
    dir,
    `version: 1
roles:
  rb_owner: {}
  rb_old:
    description: keeps only what the config says
  rb_reader:
    permissions:
      - { type: read, schemas: [app] }
  rb_writer:
    member_of: [rb_reader]
    grants:
      - { privileges: [INSERT, UPDATE], object_type: table, objects: [app.orders] }
      - { privileges: [CONNECT, TEMPORARY], object_type: database, objects: [${server.database}] }
  rb_app:
    login: true
    connection_limit: 10
    config: { statement_timeout: "30s" }
    member_of: [rb_writer]
`,
  );
});

let holder: pg.Client;
beforeEach(async () => {
  holder = await connected(server.url());
});
afterEach(async () => {
  await holder.query('ROLLBACK').catch(() => undefined);
  await holder.end().catch(() => undefined);
});

const databases = (): string[] => [server.database];
const apply = (...extra: string[]): Promise<CliResult> =>
  runCli(['apply', '--yes', '-c', config, '--db', server.url(), ...extra]);

/**
 * Another session changes app.orders' ACL without committing: it holds the table's catalog
 * row, so the apply's GRANT on app.orders waits for it (after creating roles and more).
 */
async function holdOrdersRow(): Promise<void> {
  await holder.query('BEGIN');
  await holder.query('GRANT TRUNCATE ON app.orders TO hold_other');
}

/** Whether the backend has written in its open transaction (it has a transaction id). */
async function hasWritten(pid: number): Promise<boolean> {
  const [row] = await server.query<{ written: boolean }>(
    'SELECT backend_xid IS NOT NULL AS written FROM pg_stat_activity WHERE pid = $1',
    [pid],
  );
  return row?.written ?? false;
}

describe('failures roll back everything', () => {
  it('a connection killed while the apply waits mid-way leaves the catalog as it was', async () => {
    const before = await catalogSnapshot(server, databases());
    await holdOrdersRow();
    const running = apply('--lock-timeout', '60s');
    let pid = 0;
    await waitFor('the apply to wait on app.orders', async () => {
      [pid = 0] = await pgwardWaiting(server, 'other');
      return pid !== 0;
    });
    // It is in the middle of its work: roles were created in its transaction already.
    expect(await hasWritten(pid)).toBe(true);
    await server.query('SELECT pg_terminate_backend($1)', [pid]);

    const result = await running;
    expect(result.exitCode).toBe(1);
    expect(firstLine(result.stderr)).toMatch(
      /^error: apply failed at step \d+ of \d+ \(GRANT .*"app".*\): the connection was lost \(.+\); the server rolled the transaction back, nothing was changed$/,
    );
    await holder.query('ROLLBACK');
    expect(await catalogSnapshot(server, databases())).toBe(before);
  });

  it('a failure in the last phase (dropping a role) undoes every phase before it', async () => {
    await server.query(`
      CREATE ROLE late_heir NOLOGIN;
      CREATE ROLE late_leaver NOLOGIN;
      CREATE TABLE app.leaver_notes (id int);
      ALTER TABLE app.leaver_notes OWNER TO late_leaver;
    `);
    const dropping = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  reassign_owned_to: late_heir
  ignore_roles: ["rb_*", "hold_*"]
roles:
  late_heir: {}
  late_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [app.items] }
`,
    );
    const args = ['-c', dropping, '--db', server.url()];
    const plan = await runCli(['plan', '--format', 'sql', ...args]);
    expect(plan.stdout).toContain('CREATE ROLE "late_reader"');
    expect(plan.stdout).toContain('REASSIGN OWNED BY "late_leaver" TO "late_heir";');
    expect(plan.stdout.trimEnd()).toMatch(/\nDROP ROLE "late_leaver";\s*COMMIT;$/);

    // REASSIGN OWNED needs app.leaver_notes' catalog row, which another session holds.
    const before = await catalogSnapshot(server, databases());
    await holder.query('BEGIN');
    await holder.query('GRANT TRUNCATE ON app.leaver_notes TO hold_other');
    const result = await runCli(['apply', '--yes', '--lock-timeout', '300ms', ...args]);
    expect(result.exitCode).toBe(1);
    expect(firstLine(result.stderr)).toMatch(
      /^error: apply failed at step \d+ of \d+ \(REASSIGN OWNED BY "late_leaver" TO "late_heir"\): canceling statement due to lock timeout .*rolled back, nothing was changed$/,
    );
    await holder.query('ROLLBACK');
    expect(await catalogSnapshot(server, databases())).toBe(before);

    // Nothing in the way: the same config applies and converges.
    expect((await runCli(['apply', '--yes', ...args])).exitCode).toBe(0);
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });
});

describe('concurrent applies', () => {
  it('the second waits for the first, then finds nothing to do; a third gives up at --lock-timeout', async () => {
    await holdOrdersRow();
    // The first apply takes the apply lock, then waits on app.orders in the middle of its work.
    const first = apply('--lock-timeout', '60s');
    let firstPid = 0;
    await waitFor('the first apply to wait on app.orders', async () => {
      [firstPid = 0] = await pgwardWaiting(server, 'other');
      return firstPid !== 0;
    });
    const second = apply('--lock-timeout', '60s');
    await waitFor('the second apply to wait for the apply lock', async () => {
      return (await pgwardWaiting(server, 'advisory')).length === 1;
    });

    // A third one, with a short --lock-timeout, gives up quickly and changes nothing.
    const started = Date.now();
    const third = await apply('--lock-timeout', '300ms');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(third.exitCode).toBe(1);
    // The first apply holds the cluster's apply lock (taken before its database's), in the
    // cluster's first database.
    expect(firstLine(third.stderr)).toBe(
      'error: another pgward apply is running on this cluster (its apply lock is in database "postgres") and did not finish within --lock-timeout 300ms; nothing was changed',
    );

    await holder.query('ROLLBACK');
    const [one, two] = await Promise.all([first, second]);
    expect(one.exitCode, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/Apply complete: \d+ added, \d+ changed, \d+ destroyed\.\n$/);
    expect(two.exitCode, two.stderr).toBe(0);
    // With --yes the second planned only once it had the lock, after the first committed.
    expect(two.stdout).toBe('No changes. The database matches the configuration.\n');
    // The catalog is exactly what the first said, and nothing more is due.
    expect(
      (await runCli(['plan', '--detailed-exitcode', '-c', config, '--db', server.url()])).exitCode,
    ).toBe(0);
    const rows = await server.query<{ check: string; ok: boolean }>(`
      SELECT 'writer inserts' AS check, has_table_privilege('rb_app', 'app.orders', 'INSERT') AS ok
      UNION ALL SELECT 'reader reads', has_table_privilege('rb_reader', 'app.items', 'SELECT')
      UNION ALL SELECT 'old cannot delete', NOT has_table_privilege('rb_old', 'app.items', 'DELETE')
      UNION ALL SELECT 'connect', has_database_privilege('rb_writer', current_database(), 'CONNECT')
      UNION ALL SELECT 'limit', (SELECT rolconnlimit = 10 FROM pg_roles WHERE rolname = 'rb_app')
    `);
    expect(rows.filter((row) => !row.ok)).toEqual([]);
  });
});

describe('concurrent applies under a database default of repeatable read', () => {
  it('the one that waited for the apply lock re-plans from what the other committed', async () => {
    const file = await configFile(dir, 'version: 1\nroles:\n  rr_concurrent: {}\n');
    const args = ['-c', file, '--db', server.url()];
    await withDefaultIsolation(server, 'repeatable read', async () => {
      // The holder plays an apply that holds the apply lock and makes the same change.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_catalog.pg_advisory_xact_lock($1::bigint)', [APPLY_LOCK_KEY]);
      await holder.query('CREATE ROLE rr_concurrent');
      const waiting = runCli(['apply', '--yes', '--lock-timeout', '60s', ...args]);
      await waitFor('the apply to wait for the apply lock', async () => {
        return (await pgwardWaiting(server, 'advisory')).length === 1;
      });
      await holder.query('COMMIT');
      const result = await waiting;
      expect(result.exitCode, result.stderr).toBe(0);
      // Planned under the lock, in READ COMMITTED: the role the other committed is there.
      expect(result.stdout).toBe('No changes. The database matches the configuration.\n');
      expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
    });
  });
});
