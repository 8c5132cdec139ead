/**
 * Safety promise 3: pgward never locks itself out, and never touches what is not its own.
 * Its connecting role is never dropped, renamed or altered, and the memberships it acts
 * through are never revoked, even with `unmanaged_roles: drop` and a config that would
 * otherwise strip them; pg_* roles and the bootstrap superuser are never touched; managed-cloud
 * admin roles (`rds_superuser`, `cloudsqlsuperuser`, `azure_pg_admin`, emulated here) and
 * their members are protected by default.
 *
 * Every config here ignores the other tests' roles (`ignore_roles`), since `unmanaged_roles:
 * drop` looks at the whole cluster.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_CLOUD_ADMIN_ROLES } from '../../src/resolve/protection.js';
import { runCli } from '../support/cli.js';
import { connected, urlAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';
import { configFile, firstLine, tempDir } from './support.js';

const server = useTestServer();

let dir: string;
let bootstrap: string;
beforeAll(async () => {
  dir = await tempDir('lockout');
  const [row] = await server.query<{ rolname: string }>(
    'SELECT rolname FROM pg_roles WHERE oid = 10',
  );
  bootstrap = row?.rolname ?? '';
});

/**
 * The given roles with every attribute, and the memberships they hold (as members) in roles
 * matching `inRoles` (default: any role), as a comparable value.
 */
async function rolesAndMemberships(where: string, inRoles = 'true'): Promise<unknown> {
  return {
    roles: await server.query(`SELECT * FROM pg_authid WHERE ${where} ORDER BY rolname`),
    memberships: await server.query(
      `SELECT roleid::regrole::text AS role, member::regrole::text AS member,
              to_jsonb(am) - 'oid' - 'roleid' - 'member' AS options
         FROM pg_auth_members am
        WHERE member IN (SELECT oid FROM pg_authid WHERE ${where})
          AND roleid IN (SELECT oid FROM pg_authid WHERE ${inRoles})
        ORDER BY 1, 2`,
    ),
  };
}

async function roleNames(pattern: string): Promise<string[]> {
  const rows = await server.query<{ rolname: string }>(
    'SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1',
    [pattern],
  );
  return rows.map((row) => row.rolname);
}

/** Logs in at `url` and returns who the session is: session_user and current_user. */
async function sessionAndCurrentUser(url: string): Promise<unknown> {
  const client = await connected(url);
  try {
    return (await client.query('SELECT session_user, current_user')).rows;
  } finally {
    await client.end();
  }
}

describe('a superuser connecting role other than the bootstrap superuser', () => {
  it('is never dropped, altered or cut from its groups; pg_* roles and the bootstrap superuser neither', async () => {
    await server.query(`
      CREATE ROLE su_boss LOGIN SUPERUSER PASSWORD 'boss-pw';
      CREATE ROLE su_dba NOLOGIN CREATEDB;
      GRANT su_dba TO su_boss;
      GRANT pg_read_all_data TO su_boss;
      CREATE ROLE su_stray NOLOGIN;
      CREATE ROLE su_monitoring NOLOGIN;
      GRANT pg_monitor TO su_monitoring;
    `);
    const protectedRoles = `rolname LIKE 'pg\\_%' OR oid = 10 OR rolname = 'su_boss'`;
    const before = await rolesAndMemberships(protectedRoles);
    // Drops every role it does not declare; declares the boss's group without the boss.
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["nsu_*", "cloud_*", "so_*", "inh_*"]
roles:
  su_dba: {}
  su_reader:
    member_of: [pg_read_all_data, su_dba]
`,
    );
    const args = ['-c', file, '--db', urlAs(server, 'su_boss', 'boss-pw')];

    const plan = await runCli(['plan', '--format', 'sql', ...args]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).not.toContain('"su_boss"');
    expect(plan.stdout).not.toContain(`"${bootstrap}"`);
    expect(plan.stdout).not.toMatch(/"pg_monitor"|DROP ROLE "pg_/);
    expect((await runCli(['apply', '--yes', ...args])).exitCode).toBe(0);

    expect(await rolesAndMemberships(protectedRoles)).toEqual(before);
    expect(await roleNames('su\\_%')).toEqual(['su_boss', 'su_dba', 'su_reader']);
    const [dba] = await server.query<{ rolcreatedb: boolean }>(
      `SELECT rolcreatedb FROM pg_roles WHERE rolname = 'su_dba'`,
    );
    expect(dba?.rolcreatedb).toBe(false);
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });

  it('refuses, at plan time and at the role, a config that declares or renames it', async () => {
    const url = urlAs(server, 'su_boss', 'boss-pw');
    const cases: [string, string][] = [
      ['su_boss: { login: false }', 'role "su_boss" is protected (connecting role)'],
      ['su_boss2: { renamed_from: su_boss }', 'role "su_boss" is protected (connecting role)'],
      [
        `${bootstrap}: { superuser: false }`,
        `role "${bootstrap}" is protected (bootstrap superuser)`,
      ],
    ];
    for (const [role, message] of cases) {
      const file = await configFile(dir, `version: 1\nroles:\n  ${role}\n`);
      const before = await rolesAndMemberships('true');
      for (const command of [['plan'], ['apply', '--yes']]) {
        const result = await runCli([...command, '-c', file, '--db', url]);
        expect(result.exitCode).toBe(1);
        expect(firstLine(result.stderr)).toBe(
          `error: ${file}:3:3: ${message} and cannot be ${role.includes('renamed_from') ? 'renamed' : 'managed'}`,
        );
      }
      expect(await rolesAndMemberships('true')).toEqual(before);
    }
  });
});

describe('a non-superuser connecting role (CREATEROLE)', () => {
  it('keeps the roles it acts through and the memberships that lead to them', async () => {
    // The deployer creates the roles, as it would in real life (from 16 that gives it ADMIN
    // OPTION on them); it owns nothing itself: its power is its membership in nsu_owners
    // (owner of the app schema), and in nsu_ops, a member of nsu_auditors.
    const inheritable = server.major >= 16 ? ' WITH INHERIT TRUE' : '';
    await server.query(`
      CREATE ROLE nsu_deployer LOGIN CREATEROLE PASSWORD 'deployer-pw';
      SET ROLE nsu_deployer;
      CREATE ROLE nsu_owners NOLOGIN;
      CREATE ROLE nsu_auditors NOLOGIN;
      CREATE ROLE nsu_ops NOLOGIN;
      CREATE ROLE nsu_stray NOLOGIN;
      GRANT nsu_auditors TO nsu_ops;
      RESET ROLE;
      GRANT nsu_owners TO nsu_deployer${inheritable};
      GRANT nsu_ops TO nsu_deployer${inheritable};
      CREATE SCHEMA nsu_app AUTHORIZATION nsu_owners;
      CREATE TABLE nsu_app.orders (id int);
      ALTER TABLE nsu_app.orders OWNER TO nsu_owners;
    `);
    // nsu_owners and nsu_auditors are not declared (so would be dropped), and nsu_ops is
    // declared without its membership in nsu_auditors (so it would be revoked).
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["su_*", "cloud_*", "so_*", "inh_*"]
roles:
  nsu_ops: {}
  nsu_reader:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [nsu_app] }
      - { privileges: [SELECT], object_type: table, objects: [nsu_app.orders] }
`,
    );
    const args = ['-c', file, '--db', urlAs(server, 'nsu_deployer', 'deployer-pw')];
    const deployerPower = `rolname IN ('nsu_deployer', 'nsu_owners', 'nsu_ops', 'nsu_auditors')`;
    const before = await rolesAndMemberships(deployerPower, deployerPower);

    const plan = await runCli(['plan', '--format', 'sql', ...args]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('DROP ROLE "nsu_stray";');
    expect(plan.stdout).not.toMatch(/"nsu_(owners|auditors|deployer)"/);
    expect(plan.stderr.split('\n').filter((line) => line.includes('acts through'))).toEqual([
      'warning: role "nsu_auditors" is not in the config but is not dropped: the connecting role "nsu_deployer" acts through it',
      'warning: role "nsu_owners" is not in the config but is not dropped: the connecting role "nsu_deployer" acts through it',
      'warning: membership of "nsu_ops" in "nsu_auditors" is kept as it is: the connecting role "nsu_deployer" acts through it',
    ]);

    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(await rolesAndMemberships(deployerPower, deployerPower)).toEqual(before);
    expect(await roleNames('nsu\\_%')).toEqual([
      'nsu_auditors',
      'nsu_deployer',
      'nsu_ops',
      'nsu_owners',
      'nsu_reader',
    ]);
    const [reader] = await server.query<{ ok: boolean }>(
      `SELECT has_table_privilege('nsu_reader', 'nsu_app.orders', 'SELECT') AS ok`,
    );
    expect(reader?.ok).toBe(true);
    // Nothing left to do, and the next apply still works: pgward kept its own power.
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
    await server.query('REVOKE SELECT ON nsu_app.orders FROM nsu_reader');
    expect((await runCli(['apply', '--yes', ...args])).exitCode).toBe(0);
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });
});

describe('managed-cloud admin roles', () => {
  it('are protected by default, and so are their members', async () => {
    await server.query(`
      CREATE ROLE rds_superuser NOLOGIN;
      CREATE ROLE cloudsqlsuperuser NOLOGIN CREATEROLE CREATEDB;
      CREATE ROLE azure_pg_admin NOLOGIN;
      CREATE ROLE cloud_master LOGIN CREATEROLE;
      CREATE ROLE cloud_sql_user LOGIN;
      CREATE ROLE cloud_azure_admin LOGIN;
      CREATE ROLE cloud_stray NOLOGIN;
      GRANT rds_superuser TO cloud_master;
      GRANT cloudsqlsuperuser TO cloud_sql_user;
      GRANT azure_pg_admin TO cloud_azure_admin;
    `);
    const cloud = `rolname IN ('rds_superuser', 'cloudsqlsuperuser', 'azure_pg_admin', 'cloud_master', 'cloud_sql_user', 'cloud_azure_admin')`;
    const before = await rolesAndMemberships(cloud);
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["su_*", "nsu_*", "so_*", "inh_*"]
roles:
  cloud_app:
    login: true
`,
    );
    const args = ['-c', file, '--db', server.url()];
    const plan = await runCli(['plan', '--format', 'json', ...args]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const changes = (JSON.parse(plan.stdout) as { changes: { sql: string[] }[] }).changes;
    expect(changes.flatMap((change) => change.sql)).toEqual([
      'CREATE ROLE "cloud_app" WITH LOGIN',
      'DROP ROLE "cloud_stray"',
    ]);
    expect((await runCli(['apply', '--yes', ...args])).exitCode).toBe(0);
    expect(await rolesAndMemberships(cloud)).toEqual(before);

    // Declaring one of them is refused at the role, with the reason.
    for (const [role, reason] of [
      ['rds_superuser', 'managed-cloud admin role'],
      ['cloud_sql_user', 'member of managed-cloud admin role "cloudsqlsuperuser"'],
    ]) {
      const declaring = await configFile(dir, `version: 1\nroles:\n  ${role}: {}\n`);
      const result = await runCli(['plan', '-c', declaring, '--db', server.url()]);
      expect(result.exitCode).toBe(1);
      expect(firstLine(result.stderr)).toBe(
        `error: ${declaring}:3:3: role "${role}" is protected (${reason}) and cannot be managed`,
      );
    }
  });
});

describe('a session that logs in as one role and acts as another (ALTER ROLE ... SET role)', () => {
  it('never locks out the login role, nor cuts the chain that lets it SET ROLE', async () => {
    // so_deployer logs in and, by its role setting, becomes so_admin through so_mid.
    await server.query(`
      CREATE ROLE so_admin NOLOGIN SUPERUSER;
      CREATE ROLE so_mid NOLOGIN;
      CREATE ROLE so_deployer LOGIN PASSWORD 'deployer-pw';
      CREATE ROLE so_stray NOLOGIN;
      GRANT so_admin TO so_mid;
      GRANT so_mid TO so_deployer;
      ALTER ROLE so_deployer SET role = 'so_admin';
    `);
    const url = urlAs(server, 'so_deployer', 'deployer-pw');
    const session = async (): Promise<unknown> => sessionAndCurrentUser(url);
    expect(await session()).toEqual([{ session_user: 'so_deployer', current_user: 'so_admin' }]);
    const chain = `rolname IN ('so_deployer', 'so_mid', 'so_admin')`;
    const before = await rolesAndMemberships(chain, chain);
    const settings = async (): Promise<unknown> =>
      server.query(
        `SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'so_deployer'::regrole`,
      );
    const settingsBefore = await settings();

    // Declaring the login role is refused, naming it, as declaring the connecting role is.
    const declaring = await configFile(
      dir,
      `version: 1\nroles:\n  so_deployer:\n    login: false\n`,
    );
    for (const command of [['plan'], ['apply', '--yes']]) {
      const result = await runCli([...command, '-c', declaring, '--db', url]);
      expect(result.exitCode).toBe(1);
      expect(firstLine(result.stderr)).toBe(
        `error: ${declaring}:3:3: role "so_deployer" is protected (session user: pgward logs in as it) and cannot be managed`,
      );
    }

    // A config that declares so_mid without its membership in so_admin, and drops what it
    // does not declare: the chain stays, and the plan says why.
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["su_*", "nsu_*", "cloud_*", "inh_*"]
roles:
  so_mid: {}
`,
    );
    const args = ['-c', file, '--db', url];
    const plan = await runCli(['plan', '--format', 'sql', ...args]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('DROP ROLE "so_stray";');
    expect(plan.stdout).not.toMatch(/"so_(deployer|admin)"|REVOKE|RESET/);
    expect(plan.stderr.split('\n').filter((line) => line.includes('SET ROLE'))).toEqual([
      'warning: membership of "so_mid" in "so_admin" is kept as it is: the session user "so_deployer" becomes the connecting role "so_admin" (SET ROLE) through it',
    ]);
    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(await roleNames('so\\_%')).toEqual(['so_admin', 'so_deployer', 'so_mid']);
    expect(await rolesAndMemberships(chain, chain)).toEqual(before);
    expect(await settings()).toEqual(settingsBefore);
    // The next login still becomes so_admin, and has nothing left to do.
    expect(await session()).toEqual([{ session_user: 'so_deployer', current_user: 'so_admin' }]);
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);

    // Not declared at all, so_mid is not dropped either.
    const undeclared = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["su_*", "nsu_*", "cloud_*", "inh_*"]
roles: {}
`,
    );
    const kept = await runCli(['apply', '--yes', '-c', undeclared, '--db', url]);
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stderr).toContain(
      'warning: role "so_mid" is not in the config but is not dropped: the session user "so_deployer" becomes the connecting role "so_admin" (SET ROLE) through it',
    );
    expect(await rolesAndMemberships(chain, chain)).toEqual(before);
    expect(await session()).toEqual([{ session_user: 'so_deployer', current_user: 'so_admin' }]);
  });
});

describe('INHERIT on the way to the power of a non-superuser connecting role', () => {
  it('is never taken from a role that passes that power on (before 16: its attribute)', async () => {
    // inh_deployer owns nothing: it reaches the owner of inh_app through inh_grp.
    const inheritable = server.major >= 16 ? ' WITH INHERIT TRUE' : '';
    await server.query(`
      CREATE ROLE inh_deployer LOGIN CREATEROLE PASSWORD 'inh-pw';
      SET ROLE inh_deployer;
      CREATE ROLE inh_grp NOLOGIN;
      CREATE ROLE inh_owner NOLOGIN;
      RESET ROLE;
      GRANT inh_grp TO inh_deployer${inheritable};
      GRANT inh_owner TO inh_grp${inheritable};
      CREATE SCHEMA inh_app AUTHORIZATION inh_owner;
      CREATE TABLE inh_app.orders (id int);
      ALTER TABLE inh_app.orders OWNER TO inh_owner;
    `);
    const file = await configFile(
      dir,
      `version: 1
roles:
  inh_grp:
    inherit: false
    member_of: [inh_owner]
  inh_reader:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [inh_app] }
      - { privileges: [SELECT], object_type: table, objects: [inh_app.orders] }
`,
    );
    const args = ['-c', file, '--db', urlAs(server, 'inh_deployer', 'inh-pw')];
    const plan = await runCli(['plan', '--format', 'sql', ...args]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const warnings = plan.stderr.split('\n').filter((line) => line.includes('acts through'));
    if (server.major < 16) {
      // Before 16 a role's INHERIT attribute decides whether it passes on its groups' privileges.
      expect(plan.stdout).not.toContain('NOINHERIT');
      expect(warnings).toEqual([
        'warning: role "inh_grp" keeps INHERIT: the connecting role "inh_deployer" acts through it, and before PostgreSQL 16 NOINHERIT would stop it passing on the privileges of the roles it is a member of',
      ]);
    } else {
      // From 16 the attribute only sets the default of later grants; the row's INHERIT option
      // is what counts, and the config's inherit: false would take it from the row.
      expect(plan.stdout).toContain('ALTER ROLE "inh_grp" WITH NOINHERIT;');
      expect(plan.stdout).not.toMatch(/INHERIT FALSE|REVOKE/);
      expect(warnings).toEqual([
        'warning: membership of "inh_grp" in "inh_owner" is kept as it is: the connecting role "inh_deployer" acts through it',
      ]);
    }
    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const [access] = await server.query<Record<string, boolean>>(`
      SELECT has_schema_privilege('inh_deployer', 'inh_app', 'USAGE') AS deployer_usage,
             pg_has_role('inh_deployer', 'inh_owner', 'USAGE') AS deployer_owner,
             has_table_privilege('inh_reader', 'inh_app.orders', 'SELECT') AS reader_select`);
    expect(access).toEqual({ deployer_usage: true, deployer_owner: true, reader_select: true });
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
    // The next apply can still act on the owner's objects.
    await server.query('REVOKE SELECT ON inh_app.orders FROM inh_reader');
    const again = await runCli(['apply', '--yes', ...args]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });
});

describe('membership in a managed-cloud admin role', () => {
  it('is refused at plan time: its members are protected, so it would work once and never again', async () => {
    for (const name of MANAGED_CLOUD_ADMIN_ROLES)
      await server.query(
        `DO $$BEGIN CREATE ROLE ${name} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$`,
      );
    for (const name of MANAGED_CLOUD_ADMIN_ROLES) {
      const file = await configFile(
        dir,
        `version: 1\nroles:\n  cloud_new:\n    member_of: [${name}]\n`,
      );
      const before = await rolesAndMemberships(`rolname IN ('cloud_new', '${name}')`);
      for (const command of [['plan'], ['apply', '--yes']]) {
        const result = await runCli([...command, '-c', file, '--db', server.url()]);
        expect(result.exitCode).toBe(1);
        expect(firstLine(result.stderr)).toBe(
          `error: ${file}:4:17: membership of "cloud_new" in "${name}": "${name}" is a managed-cloud admin role, whose members pgward protects, so it could never manage "cloud_new" again; grant it outside pgward and add "cloud_new" to ignore_roles`,
        );
      }
      expect(await rolesAndMemberships(`rolname IN ('cloud_new', '${name}')`)).toEqual(before);
      expect(await roleNames('cloud\\_new')).toEqual([]);
    }
  });
});

describe('the grantor of a membership on the SET ROLE chain (PostgreSQL 16+ records it)', () => {
  it('is never dropped, nor its ADMIN OPTION taken: either would take the membership with it', async () => {
    // gr_deployer logs in and becomes gr_admin through gr_mid; gr_granter granted gr_mid its
    // membership, with the ADMIN OPTION gr_root granted it.
    await server.query(`
      CREATE ROLE gr_admin NOLOGIN SUPERUSER;
      CREATE ROLE gr_mid NOLOGIN;
      CREATE ROLE gr_deployer LOGIN PASSWORD 'gr-pw';
      CREATE ROLE gr_root NOLOGIN;
      CREATE ROLE gr_granter NOLOGIN;
      CREATE ROLE gr_stray NOLOGIN;
      GRANT gr_admin TO gr_root WITH ADMIN OPTION;
      GRANT gr_admin TO gr_granter WITH ADMIN OPTION GRANTED BY gr_root;
      GRANT gr_admin TO gr_mid GRANTED BY gr_granter;
      GRANT gr_mid TO gr_deployer;
      ALTER ROLE gr_deployer SET role = 'gr_admin';
    `);
    const url = urlAs(server, 'gr_deployer', 'gr-pw');
    const session = async (): Promise<unknown> => sessionAndCurrentUser(url);
    const becomesAdmin = [{ session_user: 'gr_deployer', current_user: 'gr_admin' }];
    expect(await session()).toEqual(becomesAdmin);
    const chain = `rolname IN ('gr_deployer', 'gr_mid', 'gr_admin')`;
    const before = await rolesAndMemberships(chain, chain);
    const ignore = `["su_*", "nsu_*", "cloud_*", "so_*", "inh_*"]`;
    // gr_granter is declared without its ADMIN OPTION, gr_root not at all.
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ${ignore}
roles:
  gr_mid: {}
  gr_granter:
    member_of: [gr_admin]
`,
    );
    const args = ['-c', file, '--db', url];
    const plan = await runCli(['plan', '--format', 'sql', ...args]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('DROP ROLE "gr_stray";');
    if (server.major >= 16) {
      expect(plan.stdout).not.toMatch(/"gr_(root|granter)"/);
      expect(plan.stderr.split('\n').filter((line) => line.includes('granted'))).toEqual([
        'warning: role "gr_root" is not in the config but is not dropped: it granted the membership of "gr_granter" in "gr_admin", which pgward needs, and dropping it would take that membership with it',
        'warning: membership of "gr_granter" in "gr_admin" is kept as it is: it granted the membership of "gr_mid" in "gr_admin", which pgward needs, and dropping it would take that membership with it',
      ]);
    }
    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(await rolesAndMemberships(chain, chain)).toEqual(before);
    expect(await session()).toEqual(becomesAdmin);
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
    // Before 16 a grantor is a name only: dropping it leaves the membership.
    expect(await roleNames('gr\\_%')).toEqual(
      server.major >= 16
        ? ['gr_admin', 'gr_deployer', 'gr_granter', 'gr_mid', 'gr_root']
        : ['gr_admin', 'gr_deployer', 'gr_granter', 'gr_mid'],
    );

    // With no chain role declared, every apply used to fail ("did not converge: drop role
    // gr_mid", the grantor's drop having cut the chain); now nothing on the chain is dropped.
    const undeclared = await configFile(
      dir,
      `version: 1\nsettings:\n  unmanaged_roles: drop\n  ignore_roles: ${ignore}\nroles: {}\n`,
    );
    const kept = await runCli(['apply', '--yes', '-c', undeclared, '--db', url]);
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(await rolesAndMemberships(chain, chain)).toEqual(before);
    expect(await session()).toEqual(becomesAdmin);
    expect(await roleNames('gr\\_%')).toEqual(
      server.major >= 16
        ? ['gr_admin', 'gr_deployer', 'gr_granter', 'gr_mid', 'gr_root']
        : ['gr_admin', 'gr_deployer', 'gr_mid'],
    );
    expect(
      (await runCli(['plan', '--detailed-exitcode', '-c', undeclared, '--db', url])).exitCode,
    ).toBe(0);
  });
});

describe("the session user's CONNECT on the connected database", () => {
  it('is never revoked from the last role it holds it through: the next login would be refused', async () => {
    // cx_deployer logs in (CONNECT is checked for it, before its role setting makes it
    // cx_admin) and holds CONNECT on the database only through cx_connectors.
    const database = await server.createDatabase('cx');
    await server.query(`
      CREATE ROLE cx_admin NOLOGIN SUPERUSER;
      CREATE ROLE cx_deployer LOGIN PASSWORD 'cx-pw';
      CREATE ROLE cx_connectors NOLOGIN;
      CREATE ROLE cx_other NOLOGIN;
      GRANT cx_admin TO cx_deployer;
      GRANT cx_connectors TO cx_deployer;
      ALTER ROLE cx_deployer SET role = 'cx_admin';
      REVOKE ALL ON DATABASE ${database} FROM PUBLIC;
      GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO cx_connectors, cx_other;
    `);
    const url = urlAs(server, 'cx_deployer', 'cx-pw', database);
    // Both roles are declared without grants: pgward revokes what they hold here.
    const file = await configFile(
      dir,
      `version: 1
roles:
  cx_connectors:
    description: people who may connect
  cx_other: {}
`,
    );
    const args = ['-c', file, '--db', url];
    const plan = await runCli(['plan', '--format', 'sql', ...args]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stderr.split('\n').filter((line) => line.includes('CONNECT'))).toEqual([
      `warning: CONNECT on database "${database}" is kept for "cx_connectors": the session user "cx_deployer" needs CONNECT to log in (checked before any role setting applies) and holds it through it, with no other source left`,
    ]);
    expect(plan.stdout).not.toMatch(/REVOKE [^;]*CONNECT[^;]*"cx_connectors"/);
    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const [access] = await server.query<Record<string, boolean>>(
      `SELECT has_database_privilege('cx_connectors', $1, 'CONNECT') AS connectors_connect,
              has_database_privilege('cx_connectors', $1, 'TEMPORARY') AS connectors_temp,
              has_database_privilege('cx_other', $1, 'CONNECT') AS other_connect`,
      [database],
    );
    expect(access).toEqual({
      connectors_connect: true,
      connectors_temp: false,
      other_connect: false,
    });
    // The next login still works, and has nothing left to do.
    const client = await connected(url);
    await client.end();
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);

    // With another source (PUBLIC), the revoke is planned as any other.
    await server.query(`GRANT CONNECT ON DATABASE ${database} TO PUBLIC`);
    const free = await runCli(['apply', '--yes', ...args]);
    expect(free.exitCode, free.stderr).toBe(0);
    expect(free.stderr).not.toContain('is kept for');
    const [direct] = await server.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_database, aclexplode(datacl) a
        WHERE datname = $1 AND a.grantee = 'cx_connectors'::regrole`,
      [database],
    );
    expect(direct?.n).toBe(0);
  });
});

describe('DROP OWNED by a CREATEROLE connecting role', () => {
  it('is refused at plan time when it lacks the privileges of the role (ADMIN OPTION alone is not enough)', async () => {
    // ow_deployer may manage ow_granter (ADMIN OPTION) but does not have its privileges,
    // which PostgreSQL's DROP OWNED requires; ow_granter holds a privilege, so dropping it
    // takes a DROP OWNED.
    await server.query(`
      CREATE ROLE ow_deployer LOGIN CREATEROLE PASSWORD 'ow-pw';
      CREATE ROLE ow_granter NOLOGIN;
      CREATE TABLE ow_orders (id int);
      GRANT SELECT ON ow_orders TO ow_granter;
      ${
        server.major >= 16
          ? 'GRANT ow_granter TO ow_deployer WITH ADMIN OPTION, INHERIT FALSE, SET FALSE;'
          : 'ALTER ROLE ow_deployer NOINHERIT; GRANT ow_granter TO ow_deployer WITH ADMIN OPTION;'
      }
    `);
    const file = await configFile(
      dir,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ["su_*", "nsu_*", "cloud_*", "so_*", "inh_*", "gr_*", "cx_*", "ow_deployer"]
roles: {}
`,
    );
    const args = ['-c', file, '--db', urlAs(server, 'ow_deployer', 'ow-pw')];
    for (const command of [['plan'], ['apply', '--yes']]) {
      const result = await runCli([...command, ...args]);
      if (server.major >= 16) {
        expect(result.exitCode).toBe(1);
        expect(firstLine(result.stderr)).toBe(
          'error: role "ow_granter": DROP OWNED needs the privileges of role "ow_granter", and the connecting role "ow_deployer" does not have them (a membership with INHERIT gives them: GRANT "ow_granter" TO "ow_deployer" WITH INHERIT TRUE)',
        );
      } else {
        // Before 16 pgward counts every membership of a non-superuser connecting role as one
        // it acts through, so ow_granter is kept rather than dropped.
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stderr).toContain(
          'warning: role "ow_granter" is not in the config but is not dropped: the connecting role "ow_deployer" acts through it',
        );
      }
    }
    expect(await roleNames('ow\\_%')).toEqual(['ow_deployer', 'ow_granter']);
  });
});
