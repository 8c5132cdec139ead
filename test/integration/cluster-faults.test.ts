/**
 * All-or-nothing apply across databases (spec §8), proven with faults on three databases of
 * one server, on a server with two-phase commit (max_prepared_transactions > 0) and on one
 * without: a lock timeout in the second database, a backend killed in the third, a failure at
 * PREPARE TRANSACTION. After each, every database is exactly as before (whole-catalog
 * snapshot) except the roles the apply created, which are NOLOGIN and hold nothing; the next
 * apply completes the work, and no prepared transaction is left behind.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { applyCluster, planCluster, type ClusterApplyOptions } from '../../src/cluster.js';
import { parseConfig } from '../../src/config/load.js';
import { ApplyError } from '../../src/errors.js';
import { openSibling } from '../../src/execute/connection.js';
import { catalogSnapshot } from '../support/catalog.js';
import { useTestServer, type TestServer } from '../support/server.js';

const NEW_ROLES = ['fault_reader', 'fault_login'];

function configFor(databases: readonly string[]) {
  return parseConfig(
    `version: 1
settings:
  databases: [${databases.join(', ')}]
roles:
  fault_reader:
    permissions:
      - { type: read, schemas: [app] }
  fault_login:
    login: true
    password: { env: FAULT_PASSWORD }
    member_of: [fault_reader]
    grants:
      - { privileges: [INSERT], object_type: table, objects: [app.orders] }
`,
    'faults.yaml',
    { env: { FAULT_PASSWORD: 'correct horse' } },
  );
}

/** The snapshot without the rows of the roles the apply may have left, bare. */
function withoutNewRoles(snapshot: string): string {
  const parts = JSON.parse(snapshot) as Record<string, unknown>;
  parts.roles = (parts.roles as { rolname: string }[]).filter(
    (role) => !NEW_ROLES.includes(role.rolname),
  );
  return JSON.stringify(parts);
}

async function connect(server: TestServer, database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: server.url(database) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function faultCases(server: TestServer, twoPhase: boolean): void {
  let databases: string[] = [];
  let before = '';

  async function apply(options: Partial<ClusterApplyOptions> = {}) {
    const first = await connect(server, databases[0] as string);
    try {
      return await applyCluster(first, configFor(databases), (db) => openSibling(first, db), {
        lockTimeout: '1s',
        ...options,
      });
    } finally {
      await first.end();
    }
  }

  /** Every database as before; the roles the apply created are bare. */
  async function expectUnchanged(): Promise<void> {
    expect(withoutNewRoles(await catalogSnapshot(server, databases))).toBe(withoutNewRoles(before));
    const roles = await server.query<{ rolname: string; rolcanlogin: boolean }>(
      'SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1',
      [NEW_ROLES],
    );
    for (const role of roles) expect(role.rolcanlogin, role.rolname).toBe(false);
    expect(
      await server.query(
        "SELECT 1 FROM pg_auth_members WHERE member = ANY(SELECT oid FROM pg_roles WHERE rolname LIKE 'fault%')",
      ),
    ).toEqual([]);
    for (const database of databases)
      for (const role of roles)
        expect(
          await server.query(
            "SELECT 1 FROM pg_class WHERE relnamespace = 'app'::regnamespace AND relacl::text LIKE '%' || $1 || '%'",
            [role.rolname],
            database,
          ),
        ).toEqual([]);
    expect(
      await server.query("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'pgward%'"),
    ).toEqual([]);
  }

  it('sets up three databases', async () => {
    databases = [
      await server.createDatabase('one'),
      await server.createDatabase('two'),
      await server.createDatabase('three'),
    ];
    for (const database of databases)
      await server.query('CREATE SCHEMA app; CREATE TABLE app.orders (id integer)', [], database);
    before = await catalogSnapshot(server, databases);
  });

  it('a lock timeout in the second database changes nothing anywhere', async () => {
    const blocker = await connect(server, databases[1] as string);
    try {
      await blocker.query('BEGIN');
      // An uncommitted change to the same table's ACL: our GRANT there waits for it.
      await blocker.query('GRANT UPDATE ON app.orders TO PUBLIC');
      const failure = await apply().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApplyError);
      expect((failure as Error).message).toMatch(
        new RegExp(
          `^apply failed in database "${databases[1]}" at step .*lock timeout.*--lock-timeout 1s; rolled back in every database; the roles it created \\("fault_login", "fault_reader"\\) remain, NOLOGIN and holding nothing`,
        ),
      );
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    await expectUnchanged();
  });

  it('a backend killed in the third database changes nothing anywhere', async () => {
    const failure = await apply({
      beforeExecute: async (client, database) => {
        if (database !== databases[2]) return;
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await server.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplyError);
    expect((failure as Error).message).toMatch(
      new RegExp(`^apply failed in database "${databases[2]}".*the connection was lost`),
    );
    await expectUnchanged();
  });

  if (twoPhase)
    it('a failure at PREPARE TRANSACTION rolls back what was prepared', async () => {
      const failure = await apply({
        // PostgreSQL refuses to PREPARE a transaction that touched temporary objects.
        beforeCommit: async (client, database) => {
          if (database === databases[1]) await client.query('CREATE TEMP TABLE scratch (i int)');
        },
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApplyError);
      expect((failure as Error).message).toMatch(
        new RegExp(
          `^apply failed at PREPARE TRANSACTION in database "${databases[1]}": cannot PREPARE a transaction that has operated on temporary objects`,
        ),
      );
      await expectUnchanged();
    });

  it('the next apply completes the work, then there is nothing left to do', async () => {
    const result = await apply();
    expect(result.outcome).toBe('applied');
    expect(result.commit).toBe(twoPhase ? 'two-phase' : 'one-by-one');
  });

  if (twoPhase)
    it("rolls back pgward's own prepared transactions left by a run that died, and no one else's", async () => {
      for (const [gid, table] of [
        ['pgward_0000_dead', 'left_by_pgward'],
        ['someone_elses', 'left_by_other'],
      ] as const) {
        const client = await connect(server, databases[0] as string);
        await client.query(
          `BEGIN; CREATE TABLE app.${table} (i int); PREPARE TRANSACTION '${gid}'`,
        );
        await client.end();
      }
      // Something to do, so that the apply runs.
      await server.query('REVOKE INSERT ON app.orders FROM fault_login', [], databases[2]);
      const result = await apply();
      expect(result.outcome).toBe('applied');
      expect(result.rolledBack).toEqual(['pgward_0000_dead']);
      expect(
        (await server.query<{ gid: string }>('SELECT gid FROM pg_prepared_xacts')).map(
          (row) => row.gid,
        ),
      ).toEqual(['someone_elses']);
      await server.query("ROLLBACK PREPARED 'someone_elses'", [], databases[0]);
    });

  it('left every database converged and the login usable', async () => {
    for (const database of databases) {
      const [row] = await server.query<{ select: boolean; insert: boolean }>(
        `SELECT has_table_privilege('fault_login', 'app.orders', 'SELECT') AS select,
                has_table_privilege('fault_login', 'app.orders', 'INSERT') AS insert`,
        [],
        database,
      );
      expect(row).toEqual({ select: true, insert: true });
    }
    const [login] = await server.query<{ rolcanlogin: boolean }>(
      "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'fault_login'",
    );
    expect(login?.rolcanlogin).toBe(true);
    const first = await connect(server, databases[0] as string);
    try {
      const plan = await planCluster(first, configFor(databases), (db) => openSibling(first, db));
      expect(plan.steps).toEqual([]);
    } finally {
      await first.end();
    }
    expect(await server.query('SELECT gid FROM pg_prepared_xacts')).toEqual([]);
  });
}

describe('on a server with two-phase commit', () => {
  const server = useTestServer({ settings: { max_prepared_transactions: '10' } });
  faultCases(server, true);
});

describe('on a server without two-phase commit', () => {
  const server = useTestServer();
  faultCases(server, false);
});
