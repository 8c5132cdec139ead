/**
 * Fixtures about change over time, on a server of their own: access changed by hand (drift),
 * a role renamed, and applies that fail and must leave the database exactly as it was.
 * Role names are distinct per fixture (roles are cluster-wide).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { converge, planStatements, setUpFixture, type JsonPlan } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

const scratch = mkdtemp(join(tmpdir(), 'pgward-fixtures-'));
afterAll(async () => {
  await rm(await scratch, { recursive: true, force: true });
});

describe('fixture drift-repair', () => {
  it('reports changes made by hand and plans exactly their repair', async () => {
    const db = await converge(server, {
      fixture: 'drift-repair',
      plan: {
        includes: [
          'CREATE ROLE "crm_agent" WITH LOGIN CONNECTION LIMIT 5',
          'GRANT "crm_viewer" TO "crm_agent"',
          'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "crm" TO "crm_admin"',
          'ALTER DEFAULT PRIVILEGES FOR ROLE "crm_owner" IN SCHEMA "crm" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "crm_admin"',
        ],
        excludes: [/^REVOKE/, /^DROP/],
      },
      afterApply: async (db) => {
        const [row] = await db.query<Record<string, boolean>>(`
          SELECT has_table_privilege('crm_agent', 'crm.deals', 'SELECT') AS reads,
                 has_table_privilege('crm_agent', 'crm.contacts', 'DELETE') AS deletes,
                 has_table_privilege('crm_admin', 'crm.contacts', 'DELETE') AS admin_deletes`);
        expect(row).toEqual({ reads: true, deletes: false, admin_deletes: true });
      },
    });

    // An operator "fixes" something in a hurry.
    await db.query(`
      GRANT DELETE ON crm.contacts TO crm_viewer;
      GRANT SELECT ON crm.contacts TO crm_viewer WITH GRANT OPTION;
      GRANT UPDATE (phone) ON crm.contacts TO crm_agent;
      REVOKE SELECT ON crm.deals FROM crm_viewer;
      ALTER DEFAULT PRIVILEGES FOR ROLE crm_owner IN SCHEMA crm REVOKE DELETE ON TABLES FROM crm_admin;
      ALTER ROLE crm_agent CREATEDB CONNECTION LIMIT 50 VALID UNTIL '2020-01-01';
      GRANT crm_viewer TO crm_agent WITH ADMIN OPTION;
      ALTER ROLE crm_agent SET statement_timeout = '1min';
      GRANT crm_admin TO crm_agent;
      COMMENT ON ROLE crm_admin IS 'temporary, ask Bob';`);

    const drift = await db.cli(['drift']);
    expect(drift.code, drift.stderr).toBe(2);
    for (const name of ['crm_viewer', 'crm_agent', 'crm_admin'])
      expect(drift.stdout).toContain(name);
    const driftJson = await db.cli(['drift', '--format', 'json']);
    expect(driftJson.code, driftJson.stderr).toBe(2);

    const plan = await db.plan();
    expect([...planStatements(plan)].sort()).toEqual(
      [
        'REVOKE DELETE ON TABLE "crm"."contacts" FROM "crm_viewer"',
        'REVOKE GRANT OPTION FOR SELECT ON TABLE "crm"."contacts" FROM "crm_viewer"',
        'REVOKE UPDATE ("phone") ON TABLE "crm"."contacts" FROM "crm_agent"',
        'GRANT SELECT ON TABLE "crm"."deals" TO "crm_viewer"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE "crm_owner" IN SCHEMA "crm" GRANT DELETE ON TABLES TO "crm_admin"',
        `ALTER ROLE "crm_agent" WITH NOCREATEDB CONNECTION LIMIT 5 VALID UNTIL 'infinity'`,
        server.major >= 16
          ? 'REVOKE ADMIN OPTION FOR "crm_viewer" FROM "crm_agent" GRANTED BY "postgres"'
          : 'REVOKE ADMIN OPTION FOR "crm_viewer" FROM "crm_agent"',
        'ALTER ROLE "crm_agent" RESET "statement_timeout"',
        `COMMENT ON ROLE "crm_admin" IS 'Writes the CRM'`,
        server.major >= 16
          ? 'REVOKE "crm_admin" FROM "crm_agent" GRANTED BY "postgres"'
          : 'REVOKE "crm_admin" FROM "crm_agent"',
      ].sort(),
    );
    expect(plan.summary).toEqual({ add: 2, change: 4, destroy: 4 });
    // drift --format json reports the same changes as the plan.
    const driftPlan = JSON.parse(driftJson.stdout) as JsonPlan;
    expect(driftPlan.summary).toEqual(plan.summary);
    expect(planStatements(driftPlan)).toEqual(planStatements(plan));

    await db.apply();
    const [repaired] = await db.query<Record<string, unknown>>(`
      SELECT has_table_privilege('crm_viewer', 'crm.contacts', 'DELETE') AS viewer_deletes,
             has_table_privilege('crm_agent', 'crm.deals', 'SELECT') AS agent_reads,
             pg_has_role('crm_agent', 'crm_admin', 'MEMBER') AS agent_is_admin,
             (SELECT rolcreatedb FROM pg_roles WHERE rolname = 'crm_agent') AS createdb,
             (SELECT rolconnlimit FROM pg_roles WHERE rolname = 'crm_agent') AS connlimit,
             (SELECT rolvaliduntil::text FROM pg_roles WHERE rolname = 'crm_agent') AS valid_until,
             (SELECT admin_option FROM pg_auth_members
               WHERE roleid = 'crm_viewer'::regrole AND member = 'crm_agent'::regrole) AS agent_admin,
             shobj_description('crm_admin'::regrole, 'pg_authid') AS comment,
             has_table_privilege('crm_viewer', 'crm.contacts', 'SELECT WITH GRANT OPTION') AS viewer_grants,
             has_column_privilege('crm_agent', 'crm.contacts', 'phone', 'UPDATE') AS agent_updates_phone,
             (SELECT setconfig FROM pg_db_role_setting
               WHERE setdatabase = 0 AND setrole = 'crm_agent'::regrole) AS agent_settings,
             (SELECT defaclacl::text FROM pg_default_acl
               WHERE defaclrole = 'crm_owner'::regrole) AS owner_defaults`);
    expect(repaired).toEqual({
      viewer_grants: false,
      agent_updates_phone: false,
      agent_settings: null,
      owner_defaults: '{crm_admin=arwd/crm_owner}',
      viewer_deletes: false,
      agent_reads: true,
      agent_is_admin: false,
      createdb: false,
      connlimit: 5,
      // A VALID UNTIL cannot be set back to NULL; 'infinity' means the same: no expiry.
      valid_until: 'infinity',
      agent_admin: false,
      comment: 'Writes the CRM',
    });
    await db.expectConverged();
  });
});

describe('fixture rename', () => {
  it('renames a role instead of dropping and creating it, keeping grants and ownership', async () => {
    const db = await setUpFixture(server, 'rename');
    const [al] = await db.query<{ oid: number }>(
      `SELECT oid::int AS oid FROM pg_roles WHERE rolname = 'al'`,
    );
    expect(al?.oid).toBeGreaterThan(0);
    const plan = await db.plan();
    expect([...planStatements(plan)].sort()).toEqual(
      [
        `ALTER ROLE "al" RENAME TO "alice"`,
        `COMMENT ON ROLE "ledger_clerks" IS 'Book-keepers'`,
      ].sort(),
    );
    expect(plan.summary).toEqual({ add: 0, change: 2, destroy: 0 });
    const rename = plan.changes.find((change) => change.sql.some((s) => s.includes('RENAME')));
    expect(rename?.action).toBe('update');

    await db.apply();
    const [row] = await db.query<Record<string, unknown>>(`
      SELECT (SELECT oid::int FROM pg_roles WHERE rolname = 'alice') AS oid,
             EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'al') AS al_exists,
             (SELECT relowner::regrole::text FROM pg_class WHERE oid = 'ledger.al_reconciliation'::regclass) AS owner,
             has_table_privilege('alice', 'ledger.entries', 'INSERT') AS inserts,
             has_table_privilege('alice', 'ledger.accounts', 'SELECT') AS reads_via_group,
             has_schema_privilege('alice', 'ledger', 'CREATE') AS creates,
             pg_has_role('alice', 'ledger_clerks', 'MEMBER') AS clerk,
             (SELECT rolconnlimit FROM pg_roles WHERE rolname = 'alice') AS connlimit`);
    expect(row).toEqual({
      oid: al?.oid,
      al_exists: false,
      owner: 'alice',
      inserts: true,
      reads_via_group: true,
      creates: true,
      clerk: true,
      connlimit: 2,
    });
    // `renamed_from` stays in the config after the rename: the old name is simply gone.
    await db.expectConverged();
  });
});

describe('fixture failing-apply', () => {
  it('rolls back everything when the server refuses a statement, a lock or a stale plan', async () => {
    const db = await setUpFixture(server, 'failing-apply');

    // 1. A setting value only the server can judge: exit 1, the statement named, no change.
    const plan = await db.plan();
    const failing = planStatements(plan).find((sql) => sql.includes('work_mem'));
    expect(failing).toBe(`ALTER ROLE "payroll_batch" SET "work_mem" TO '64MBB'`);
    // Statements before the failing one really run (and must be rolled back).
    const statements = planStatements(plan);
    expect(statements.indexOf('CREATE ROLE "payroll_batch" WITH LOGIN')).toBeGreaterThanOrEqual(0);
    expect(statements.indexOf('CREATE ROLE "payroll_batch" WITH LOGIN')).toBeLessThan(
      statements.indexOf(failing as string),
    );
    const before = await db.catalogSnapshot();
    const refused = await db.cli(['apply', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(failing as string);
    expect(refused.stderr).toMatch(/invalid value for parameter "work_mem"/);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    expect(await db.catalogSnapshot()).toBe(before);

    // 2. Another session holds the catalog row of payroll.payslips (an uncommitted GRANT):
    //    the apply's GRANT on that table waits, --lock-timeout ends the wait, all rolls back.
    const fixedPlan = await db.plan({ config: 'pgward.fixed.yaml' });
    const blocked = planStatements(fixedPlan).find(
      (sql) => sql.startsWith('GRANT') && sql.includes('"payroll"."payslips"'),
    );
    expect(blocked).toBe('GRANT SELECT, INSERT ON TABLE "payroll"."payslips" TO "payroll_clerk"');
    const other = new pg.Client({ connectionString: db.url() });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('GRANT TRUNCATE ON payroll.payslips TO payroll_clerk');
      const timedOut = await db.cli(['apply', '--yes', '--lock-timeout', '1s'], {
        config: 'pgward.fixed.yaml',
      });
      expect(timedOut.code).toBe(1);
      expect(timedOut.stderr).toContain(blocked as string);
      expect(timedOut.stderr).toMatch(/lock/i);
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
    expect(await db.catalogSnapshot()).toBe(before);

    // 3. A saved plan, then someone drops a table it grants on: the plan is stale, refused.
    const planFile = join(await scratch, 'payroll.plan.json');
    const saved = await db.cli(['plan', '--out', planFile], { config: 'pgward.fixed.yaml' });
    expect(saved.code, saved.stderr).toBe(0);
    await db.query('DROP TABLE payroll.payslips');
    const afterDrop = await db.catalogSnapshot();
    const stale = await db.cli(['apply', planFile], { config: 'pgward.fixed.yaml' });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/stale/);
    expect(await db.catalogSnapshot()).toBe(afterDrop);

    // With the table back and the typo fixed, the same config applies and converges.
    await db.query(`
      SET ROLE payroll_owner;
      CREATE TABLE payroll.payslips (id serial PRIMARY KEY, employee_id integer, cents integer);
      RESET ROLE;`);
    const good = await db.cli(['plan', '--out', planFile], { config: 'pgward.fixed.yaml' });
    expect(good.code, good.stderr).toBe(0);
    const applied = await db.cli(['apply', planFile], { config: 'pgward.fixed.yaml' });
    expect(applied.code, applied.stderr).toBe(0);
    const [row] = await db.query<Record<string, unknown>>(`
      SELECT has_table_privilege('payroll_batch', 'payroll.payslips', 'INSERT') AS inserts,
             has_table_privilege('payroll_batch', 'payroll.employees', 'UPDATE') AS updates,
             (SELECT setconfig FROM pg_db_role_setting
               WHERE setdatabase = 0 AND setrole = 'payroll_batch'::regrole) AS settings`);
    expect(row).toEqual({ inserts: true, updates: true, settings: ['work_mem=64MB'] });
    await db.expectConverged({ config: 'pgward.fixed.yaml' });
    // A plan that was applied is stale now: applying it again is refused, not repeated.
    const again = await db.cli(['apply', planFile], { config: 'pgward.fixed.yaml' });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/stale/);
  });
});
