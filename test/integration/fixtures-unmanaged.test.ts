/**
 * fixtures/unmanaged-drop on a server of its own: `unmanaged_roles: drop` drops every role the
 * config does not declare, cluster-wide, so no other fixture's roles may share this server.
 */
import { describe, expect, it } from 'vitest';
import { converge } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

/** pgward connects as this superuser of setup.sql, not as the bootstrap superuser. */
const WARD_ADMIN = { user: 'ward_admin', password: 'ward-admin-demo' };

describe('fixture unmanaged-drop', () => {
  it('reassigns and drops stray roles, and never touches protected ones', async () => {
    const systemRoles = await server.query<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolname LIKE 'pg\\_%' ORDER BY 1`,
    );
    expect(systemRoles.length).toBeGreaterThan(5);

    // converge() plans as the superuser; this fixture must plan as ward_admin, so its steps
    // run through a database wrapper whose URL carries that login.
    const db = await converge(server, {
      fixture: 'unmanaged-drop',
      connectAs: WARD_ADMIN,
      plan: {
        includes: [
          'CREATE ROLE "ops_runner" WITH LOGIN',
          `COMMENT ON ROLE "ops_admin" IS 'Owns the ops schema'`,
          'REASSIGN OWNED BY "stray_contractor" TO "ops_admin"',
          'DROP OWNED BY "stray_contractor"',
          'DROP ROLE "stray_contractor"',
          'DROP ROLE "tmp_migration_2023"',
          'DROP ROLE "ops_oncall"',
        ],
        excludes: [
          /ROLE "(postgres|ward_admin|svc_backup_reader)"/,
          /BY "(postgres|ward_admin|svc_backup_reader)"/,
          /"pg_/,
          /FROM "svc_backup_reader"/,
        ],
      },
      afterApply: async (db) => {
        const roles = await db.query<{ rolname: string }>(
          `SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY 1`,
        );
        expect(roles.map((r) => r.rolname)).toEqual([
          'ops_admin',
          'ops_runner',
          'postgres',
          'svc_backup_reader',
          'ward_admin',
        ]);
        // DROP OWNED took the default privileges of and to the dropped role.
        expect(
          await db.query(`SELECT defaclrole::regrole::text AS role, defaclacl::text AS acl
                            FROM pg_default_acl`),
        ).toEqual([]);
        expect(
          await server.query<{ rolname: string }>(
            `SELECT rolname FROM pg_roles WHERE rolname LIKE 'pg\\_%' ORDER BY 1`,
          ),
        ).toEqual(systemRoles);
        const [row] = await db.query<Record<string, unknown>>(`
          SELECT (SELECT relowner::regrole::text FROM pg_class
                   WHERE oid = 'ops.contractor_notes'::regclass) AS notes_owner,
                 has_table_privilege('svc_backup_reader', 'ops.jobs', 'SELECT') AS backup_reads,
                 has_table_privilege('ops_runner', 'ops.jobs', 'UPDATE') AS runner_updates,
                 has_table_privilege('ops_runner', 'ops.jobs', 'DELETE') AS runner_deletes,
                 (SELECT rolsuper FROM pg_roles WHERE rolname = 'ward_admin') AS admin_super`);
        expect(row).toEqual({
          notes_owner: 'ops_admin',
          backup_reads: true,
          runner_updates: true,
          runner_deletes: false,
          admin_super: true,
        });
      },
    });

    // A role someone adds later is dropped by the next apply; one matching ignore_roles is not.
    await db.query(`CREATE ROLE late_intern LOGIN; CREATE ROLE svc_metrics LOGIN;`);
    const plan = await db.plan();
    expect(plan.changes.flatMap((change) => change.sql)).toEqual(['DROP ROLE "late_intern"']);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 1 });
    await db.apply();
    expect(
      (
        await db.query<{ rolname: string }>(
          `SELECT rolname FROM pg_roles WHERE rolname IN ('late_intern', 'svc_metrics')`,
        )
      ).map((r) => r.rolname),
    ).toEqual(['svc_metrics']);
    await db.expectConverged();
  });
});
