/**
 * Privileges passed on by a role other than the owner, through WITH GRANT OPTION. PostgreSQL
 * lets only their grantor revoke them: a superuser's REVOKE acts as the owner and leaves them
 * in place, and taking the grant option from a role that passed the privilege on fails with
 * "dependent privileges exist" unless it cascades. Each case: setup → plan shows the exact
 * SQL → apply exits 0 → the raw ACL and has_table_privilege agree → a second plan is empty.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureDatabase, planStatements } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-grantors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A fresh database with table s.t owned by `${prefix}_o`, roles `${prefix}_lead` and
 * `${prefix}_member`, and `extra` SQL run as superuser (roles are cluster-wide: each case has
 * its own prefix).
 */
async function setUp(prefix: string, extra: string): Promise<FixtureDatabase> {
  const database = await server.createDatabase(prefix);
  await server.query(
    `CREATE ROLE ${prefix}_o; CREATE ROLE ${prefix}_lead; CREATE ROLE ${prefix}_member;`,
    [],
    database,
  );
  await server.query(
    `CREATE SCHEMA s AUTHORIZATION ${prefix}_o;
     CREATE TABLE s.t (id int);
     ALTER TABLE s.t OWNER TO ${prefix}_o;
     ${extra}`,
    [],
    database,
  );
  return new FixtureDatabase(server, 'grantor-revokes', database);
}

async function writeConfig(name: string, yaml: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  return file;
}

/** The raw ACL entries of s.t other than the owner's: "grantee=privilege[*]/grantor". */
async function aclEntries(db: FixtureDatabase): Promise<string[]> {
  const rows = await db.query<{ entry: string }>(
    `SELECT format('%s=%s%s/%s', pg_get_userbyid(a.grantee), a.privilege_type,
                   CASE WHEN a.is_grantable THEN '*' ELSE '' END, pg_get_userbyid(a.grantor)) AS entry
       FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.oid = 's.t'::regclass AND a.grantee <> c.relowner
      ORDER BY 1`,
  );
  return rows.map((row) => row.entry);
}

async function privileges(
  db: FixtureDatabase,
  checks: Record<string, [string, string]>,
): Promise<Record<string, boolean>> {
  const result: Record<string, boolean> = {};
  for (const [name, [role, privilege]] of Object.entries(checks))
    result[name] = await db.check(`SELECT has_table_privilege($1, 's.t', $2) AS ok`, [
      role,
      privilege,
    ]);
  return result;
}

describe('revoking what a lead passed on with its grant option', () => {
  it('revokes a privilege the config does not want as the lead that granted it, from a saved plan too', async () => {
    const db = await setUp(
      'gra',
      `GRANT USAGE ON SCHEMA s TO gra_lead;
       GRANT SELECT ON s.t TO gra_lead WITH GRANT OPTION;
       SET ROLE gra_lead; GRANT SELECT ON s.t TO gra_member; RESET ROLE;`,
    );
    const config = await writeConfig(
      'a',
      `version: 1
roles:
  gra_lead:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [s] }
      - { privileges: [SELECT], object_type: table, objects: [s.t], with_grant_option: true }
  gra_member: {}
`,
    );
    const plan = await db.plan({ config });
    expect(plan.changes.map((change) => change.summary)).toEqual([
      'revoke SELECT on table "s.t" from "gra_member" as "gra_lead"',
    ]);
    expect(planStatements(plan)).toEqual([
      'SET ROLE "gra_lead"',
      'REVOKE SELECT ON TABLE "s"."t" FROM "gra_member"',
      'RESET ROLE',
    ]);

    // The reviewed plan, saved and applied as it is.
    const saved = join(dir, 'a.plan.json');
    const out = await db.cli(['plan', '--out', saved], { config });
    expect(out.code, out.stderr).toBe(0);
    const applied = await db.cli(['apply', saved], { config });
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);

    expect(await aclEntries(db)).toEqual(['gra_lead=SELECT*/gra_o']);
    expect(
      await privileges(db, {
        member: ['gra_member', 'SELECT'],
        lead: ['gra_lead', 'SELECT WITH GRANT OPTION'],
      }),
    ).toEqual({ member: false, lead: true });
    // The session is back to the role pgward connected as after the SET ROLE.
    await db.expectConverged({ config });
  });

  it('takes the grant option from the lead once what it passed on is revoked', async () => {
    const db = await setUp(
      'grb',
      `GRANT USAGE ON SCHEMA s TO grb_lead;
       GRANT SELECT ON s.t TO grb_lead WITH GRANT OPTION;
       SET ROLE grb_lead; GRANT SELECT ON s.t TO grb_member; RESET ROLE;`,
    );
    const config = await writeConfig(
      'b',
      `version: 1
roles:
  grb_lead:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [s] }
      - { privileges: [SELECT], object_type: table, objects: [s.t], with_grant_option: false }
  grb_member: {}
`,
    );
    const plan = await db.plan({ config });
    expect(planStatements(plan)).toEqual([
      'SET ROLE "grb_lead"',
      'REVOKE SELECT ON TABLE "s"."t" FROM "grb_member"',
      'RESET ROLE',
      'REVOKE GRANT OPTION FOR SELECT ON TABLE "s"."t" FROM "grb_lead"',
    ]);
    await db.apply({ config });
    expect(await aclEntries(db)).toEqual(['grb_lead=SELECT/grb_o']);
    expect(
      await privileges(db, {
        member: ['grb_member', 'SELECT'],
        lead: ['grb_lead', 'SELECT'],
        leadGrants: ['grb_lead', 'SELECT WITH GRANT OPTION'],
      }),
    ).toEqual({ member: false, lead: true, leadGrants: false });
    await db.expectConverged({ config });
  });

  it('grants a kept privilege in the owner name before the grant option that backed it goes with CASCADE', async () => {
    const db = await setUp(
      'grc',
      `GRANT USAGE ON SCHEMA s TO grc_lead, grc_member;
       GRANT SELECT ON s.t TO grc_lead WITH GRANT OPTION;
       SET ROLE grc_lead; GRANT SELECT ON s.t TO grc_member; RESET ROLE;`,
    );
    const config = await writeConfig(
      'c',
      `version: 1
roles:
  grc_lead:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [s] }
      - { privileges: [SELECT], object_type: table, objects: [s.t] }
  grc_member:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [s] }
      - { privileges: [SELECT], object_type: table, objects: [s.t] }
`,
    );
    const plan = await db.plan({ config });
    expect(plan.changes.map((change) => change.summary)).toEqual([
      'grant SELECT on table "s.t" to "grc_member"',
      'revoke grant option for SELECT on table "s.t" from "grc_lead" (cascade to what they passed on)',
    ]);
    expect(planStatements(plan)).toEqual([
      'GRANT SELECT ON TABLE "s"."t" TO "grc_member"',
      'REVOKE GRANT OPTION FOR SELECT ON TABLE "s"."t" FROM "grc_lead" CASCADE',
    ]);
    await db.apply({ config });
    expect(await aclEntries(db)).toEqual(['grc_lead=SELECT/grc_o', 'grc_member=SELECT/grc_o']);
    expect(
      await privileges(db, {
        member: ['grc_member', 'SELECT'],
        leadGrants: ['grc_lead', 'SELECT WITH GRANT OPTION'],
      }),
    ).toEqual({ member: true, leadGrants: false });
    const [read] = await db.asRole<{ n: number }>(
      'grc_member',
      'SELECT count(*)::int AS n FROM s.t',
    );
    expect(read).toEqual({ n: 0 });
    await db.expectConverged({ config });
  });

  it('unwinds a chain lead → member → intern, deepest grantor first', async () => {
    const db = await setUp(
      'grd',
      `CREATE ROLE grd_intern;
       GRANT USAGE ON SCHEMA s TO grd_lead, grd_member, grd_intern;
       GRANT SELECT, INSERT ON s.t TO grd_lead WITH GRANT OPTION;
       SET ROLE grd_lead; GRANT SELECT, INSERT ON s.t TO grd_member WITH GRANT OPTION;
       SET ROLE grd_member; GRANT SELECT, INSERT ON s.t TO grd_intern; RESET ROLE;`,
    );
    // The lead keeps SELECT and INSERT without grant option; the member keeps INSERT only;
    // the intern keeps nothing on the table.
    const config = await writeConfig(
      'd',
      `version: 1
roles:
  grd_lead:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [s] }
      - { privileges: [SELECT, INSERT], object_type: table, objects: [s.t] }
  grd_member:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [s] }
      - { privileges: [INSERT], object_type: table, objects: [s.t] }
  grd_intern:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [s] }
`,
    );
    const plan = await db.plan({ config });
    expect(planStatements(plan)).toEqual([
      'GRANT INSERT ON TABLE "s"."t" TO "grd_member"',
      'SET ROLE "grd_member"',
      'REVOKE SELECT, INSERT ON TABLE "s"."t" FROM "grd_intern"',
      'RESET ROLE',
      'SET ROLE "grd_lead"',
      'REVOKE SELECT ON TABLE "s"."t" FROM "grd_member"',
      'RESET ROLE',
      'SET ROLE "grd_lead"',
      'REVOKE GRANT OPTION FOR INSERT ON TABLE "s"."t" FROM "grd_member"',
      'RESET ROLE',
      // The member's INSERT from the lead stays a dependent until the CASCADE takes it; the
      // member keeps the INSERT the owner granted first.
      'REVOKE GRANT OPTION FOR SELECT, INSERT ON TABLE "s"."t" FROM "grd_lead" CASCADE',
    ]);
    await db.apply({ config });
    expect(await aclEntries(db)).toEqual([
      'grd_lead=INSERT/grd_o',
      'grd_lead=SELECT/grd_o',
      'grd_member=INSERT/grd_o',
    ]);
    await db.expectConverged({ config });
  });

  it('revokes as the grantor for a connecting role that may SET ROLE to it, and is a plan error for one that may not', async () => {
    const db = await setUp(
      'gre',
      `CREATE ROLE gre_deployer LOGIN CREATEROLE PASSWORD 'deploy';
       GRANT gre_o TO gre_deployer;
       GRANT USAGE ON SCHEMA s TO gre_lead;
       GRANT SELECT ON s.t TO gre_lead WITH GRANT OPTION;
       SET ROLE gre_lead; GRANT SELECT ON s.t TO gre_member; RESET ROLE;`,
    );
    const config = await writeConfig(
      'e',
      `version: 1
settings: { ignore_roles: [gre_o, gre_lead, gre_deployer] }
roles:
  gre_member: {}
`,
    );
    const deployer = db.url({ user: 'gre_deployer', password: 'deploy' });
    const refused = await db.cli(['plan'], { config, db: deployer });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'role "gre_lead" passed on privileges the config revokes (revoke SELECT on table "s.t" from "gre_member" as "gre_lead"), and only "gre_lead" can revoke them: the connecting role "gre_deployer" is not a superuser and cannot SET ROLE "gre_lead"',
    );
    expect(await aclEntries(db)).toEqual(['gre_lead=SELECT*/gre_o', 'gre_member=SELECT/gre_lead']);

    // Membership that allows SET ROLE (and, from 16, nothing more).
    await db.query(
      server.major >= 16
        ? 'GRANT gre_lead TO gre_deployer WITH INHERIT FALSE, SET TRUE'
        : 'GRANT gre_lead TO gre_deployer',
    );
    await db.apply({ config, db: deployer });
    expect(await aclEntries(db)).toEqual(['gre_lead=SELECT*/gre_o']);
    await db.expectConverged({ config, db: deployer });
  });
});
