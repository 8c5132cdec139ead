/**
 * Safety promise 6: PostgreSQL 14 to 18, version differences handled on purpose. Every test
 * here runs on every version (PGWARD_TEST_PG_VERSION) and asserts that version's outcome:
 * PG16 membership options and grantors, PG16's CREATEROLE rules, PG15's `public` schema and
 * parameter privileges, PG17's MAINTAIN (and what ALL means on each version).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogSnapshot } from '../support/catalog.js';
import { runCli, type CliResult } from '../support/cli.js';
import { urlAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';
import { configFile, firstLine, tempDir } from './support.js';

const server = useTestServer();

let dir: string;
beforeAll(async () => {
  dir = await tempDir('versions');
});

async function pgward(command: string[], file: string, db = server.url()): Promise<CliResult> {
  return runCli([...command, '-c', file, '--db', db]);
}

/** plan and apply --yes both refuse with `headline` first, and the catalog stays as it was. */
async function expectRefused(file: string, headline: string, db?: string): Promise<void> {
  const before = await catalogSnapshot(server, [server.database]);
  for (const command of [['plan'], ['apply', '--yes']]) {
    const result = await pgward(command, file, db);
    expect(result.exitCode).toBe(1);
    expect(firstLine(result.stderr)).toBe(headline);
  }
  expect(await catalogSnapshot(server, [server.database])).toBe(before);
}

async function expectConverged(file: string, db?: string): Promise<void> {
  const plan = await pgward(['plan', '--detailed-exitcode'], file, db);
  expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
}

async function applied(file: string, db?: string): Promise<CliResult> {
  const result = await pgward(['apply', '--yes'], file, db);
  expect(result.exitCode, result.stderr).toBe(0);
  return result;
}

describe(`PostgreSQL ${server.major}`, () => {
  it('membership INHERIT/SET options: from 16 granted and kept per grantor, before 16 a plan error at the entry', async () => {
    await server.query('CREATE ROLE mo_group NOLOGIN; CREATE ROLE mo_admin NOLOGIN CREATEROLE');
    const file = await configFile(
      dir,
      `version: 1
roles:
  mo_alice:
    login: true
    member_of:
      - { role: mo_group, inherit: false, set: false }
`,
    );
    if (server.major < 16) {
      await expectRefused(
        file,
        `error: ${file}:6:9: membership of "mo_alice" in "mo_group": inherit: false needs PostgreSQL 16 (the server runs ${server.major})`,
      );
      return;
    }
    const first = await applied(file);
    expect(first.stdout).toContain('GRANT "mo_group" TO "mo_alice" WITH INHERIT FALSE, SET FALSE');
    await expectConverged(file);

    // Someone grants the same membership again as another grantor, with INHERIT: on 16+ that
    // is a second row, and pgward takes INHERIT back from that row, naming its grantor.
    await server.query(`
      GRANT mo_group TO mo_admin WITH ADMIN OPTION;
      SET ROLE mo_admin;
      GRANT mo_group TO mo_alice WITH INHERIT TRUE, SET TRUE;
      RESET ROLE;`);
    const drift = await pgward(['plan', '--format', 'sql'], file);
    expect(drift.stdout).toContain(
      'REVOKE INHERIT OPTION FOR "mo_group" FROM "mo_alice" GRANTED BY "mo_admin";\nREVOKE SET OPTION FOR "mo_group" FROM "mo_alice" GRANTED BY "mo_admin";',
    );
    await applied(file);
    const rows = await server.query(
      `SELECT grantor::regrole::text AS grantor, inherit_option, set_option
         FROM pg_auth_members WHERE roleid = 'mo_group'::regrole AND member = 'mo_alice'::regrole
        ORDER BY 1`,
    );
    expect(rows.map((row) => [row.inherit_option, row.set_option])).toEqual([
      [false, false],
      [false, false],
    ]);
    expect(rows.map((row) => row.grantor)).toContain('mo_admin');
    await expectConverged(file);
  });

  it('CREATEROLE without superuser: manages any non-superuser role before 16, from 16 only roles it has ADMIN on (a plan error otherwise)', async () => {
    await server.query(`
      CREATE ROLE cr_manager LOGIN CREATEROLE PASSWORD 'manager-pw';
      CREATE ROLE cr_legacy NOLOGIN;`);
    const manager = urlAs(server, 'cr_manager', 'manager-pw');
    const file = await configFile(
      dir,
      `version: 1
roles:
  cr_fresh:
    login: true
  cr_legacy:
    login: true
`,
    );
    if (server.major >= 16) {
      // cr_legacy was created by a superuser: the manager has no ADMIN OPTION on it, which
      // the plan says before anything runs; cr_fresh is not created either.
      await expectRefused(
        file,
        'error: role "cr_legacy": the connecting role "cr_manager" has no ADMIN OPTION on it, which PostgreSQL 16+ requires of a CREATEROLE role to manage it (a superuser can give it: GRANT "cr_legacy" TO "cr_manager" WITH ADMIN OPTION)',
        manager,
      );
      await server.query('GRANT cr_legacy TO cr_manager WITH ADMIN OPTION');
    }
    await applied(file, manager);
    const rows = await server.query<{ rolname: string; rolcanlogin: boolean }>(
      `SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'cr\\_%' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { rolname: 'cr_fresh', rolcanlogin: true },
      { rolname: 'cr_legacy', rolcanlogin: true },
      { rolname: 'cr_manager', rolcanlogin: true },
    ]);
    // From 16, CREATE ROLE by a CREATEROLE role makes it an ADMIN member of the new role;
    // that row is the manager's own and stays, and the plan is empty.
    const [admin] = await server.query<{ rows: number }>(
      `SELECT count(*)::int AS rows FROM pg_auth_members
        WHERE roleid = 'cr_fresh'::regrole AND member = 'cr_manager'::regrole AND admin_option`,
    );
    expect(admin?.rows).toBe(server.major >= 16 ? 1 : 0);
    await expectConverged(file, manager);

    // SUPERUSER is a superuser's to give, on every version: said at plan time.
    const promoting = await configFile(
      dir,
      'version: 1\nroles:\n  cr_fresh:\n    login: true\n    superuser: true\n  cr_legacy:\n    login: true\n',
    );
    await expectRefused(
      promoting,
      'error: role "cr_fresh": only a superuser can give or take SUPERUSER, and the connecting role "cr_manager" is not one',
      manager,
    );
  });

  it("public schema: PUBLIC's CREATE before 15 and the database owner's schema from 15, left as PostgreSQL made them", async () => {
    await server.query('CREATE ROLE ps_dbowner NOLOGIN; CREATE ROLE ps_bystander NOLOGIN');
    const database = `ps_${server.major}`;
    await server.query(`CREATE DATABASE ${database} OWNER ps_dbowner`, [], 'postgres');
    const db = server.url(database);
    const [bootstrap] = await server.query<{ rolname: string }>(
      'SELECT rolname FROM pg_roles WHERE oid = 10',
    );
    const [before] = await server.query<{ owner: string; public_create: boolean }>(
      `SELECT nspowner::regrole::text AS owner,
              has_schema_privilege('ps_bystander', 'public', 'CREATE') AS public_create
         FROM pg_namespace WHERE nspname = 'public'`,
      [],
      database,
    );
    expect(before).toEqual(
      server.major >= 15
        ? { owner: 'pg_database_owner', public_create: false }
        : { owner: bootstrap?.rolname, public_create: true },
    );

    const file = await configFile(
      dir,
      `version: 1
roles:
  ps_reader:
    permissions:
      - { type: read, schemas: [public] }
  ps_writer:
    grants:
      - { privileges: [USAGE, CREATE], object_type: schema, objects: [public] }
`,
    );
    await applied(file, db);
    await expectConverged(file, db);
    // PUBLIC is not pgward's to manage: its CREATE on public stays where PostgreSQL put it.
    const [after] = await server.query<{ public_create: boolean; for_role: string }>(
      `SELECT has_schema_privilege('ps_bystander', 'public', 'CREATE') AS public_create,
              (SELECT string_agg(DISTINCT defaclrole::regrole::text, ',') FROM pg_default_acl) AS for_role`,
      [],
      database,
    );
    // The future-object half of `permissions` is for the schema's owner: on 15+ that is
    // pg_database_owner, whose default privileges never apply, so it is the database owner.
    expect(after).toEqual({
      public_create: server.major < 15,
      for_role: server.major >= 15 ? 'ps_dbowner' : bootstrap?.rolname,
    });

    // A table the database owner creates: covered by those default privileges from 15 (no
    // drift), a new grant to make before 15 (the schema owner is someone else there).
    await server.query(
      'SET ROLE ps_dbowner; CREATE TABLE public.ps_new (id int); RESET ROLE',
      [],
      database,
    );
    const plan = await pgward(['plan', '--format', 'sql'], file, db);
    if (server.major >= 15) expect(plan.stdout).toContain('No changes');
    else expect(plan.stdout).toContain('GRANT SELECT ON TABLE "public"."ps_new" TO "ps_reader";');
  });

  it('parameter privileges: granted from 15, a plan error at the grant before', async () => {
    const file = await configFile(
      dir,
      `version: 1
roles:
  pp_tuner:
    grants:
      - { privileges: [SET, ALTER SYSTEM], object_type: parameter, objects: [work_mem] }
`,
    );
    if (server.major < 15) {
      await expectRefused(
        file,
        `error: ${file}:5:9: privileges on parameters need PostgreSQL 15 (the server runs ${server.major})`,
      );
      return;
    }
    await applied(file);
    const [row] = await server.query<{ set: boolean; alter: boolean }>(
      `SELECT has_parameter_privilege('pp_tuner', 'work_mem', 'SET') AS set,
              has_parameter_privilege('pp_tuner', 'work_mem', 'ALTER SYSTEM') AS alter`,
    );
    expect(row).toEqual({ set: true, alter: true });
    await expectConverged(file);
  });

  it('MAINTAIN: granted from 17, a plan error at the grant before', async () => {
    await server.query('CREATE TABLE public.mt_stats (id int)');
    const file = await configFile(
      dir,
      `version: 1
roles:
  mt_maintainer:
    grants:
      - { privileges: [MAINTAIN], object_type: table, objects: [public.mt_stats] }
`,
    );
    if (server.major < 17) {
      await expectRefused(
        file,
        `error: ${file}:5:9: privilege MAINTAIN on table needs PostgreSQL 17 (the server runs ${server.major})`,
      );
      return;
    }
    await applied(file);
    const [row] = await server.query<{ ok: boolean }>(
      `SELECT has_table_privilege('mt_maintainer', 'public.mt_stats', 'MAINTAIN') AS ok`,
    );
    expect(row?.ok).toBe(true);
    await expectConverged(file);
  });

  it('ALL on tables is what this server grants (MAINTAIN from 17): no perpetual diff either way', async () => {
    await server.query(`
      CREATE ROLE al_creator NOLOGIN;
      CREATE TABLE public.al_orders (id int);
      CREATE TABLE public.al_by_hand (id int);
      CREATE ROLE al_admin NOLOGIN;
      GRANT ALL ON public.al_by_hand TO al_admin;`);
    const file = await configFile(
      dir,
      `version: 1
roles:
  al_admin:
    grants:
      - { privileges: [ALL], object_type: table, objects: [public.al_orders, public.al_by_hand] }
    default_privileges:
      - { for_role: al_creator, schema: public, object_type: table, privileges: [ALL] }
`,
    );
    // GRANT ALL by hand is exactly what the config's ALL means: only al_orders is missing.
    const plan = await pgward(['plan', '--format', 'sql'], file);
    expect(plan.stdout).not.toContain('al_by_hand');
    await applied(file);
    await expectConverged(file);
    const everything = server.major >= 17 ? 'arwdDxtm' : 'arwdDxt';
    const acls = await server.query<{ relname: string; acl: string }>(
      `SELECT relname, relacl::text AS acl FROM pg_class
        WHERE relname IN ('al_orders', 'al_by_hand') ORDER BY 1`,
    );
    for (const { acl } of acls) expect(acl).toContain(`al_admin=${everything}/`);
    // A table al_creator makes later carries the same ALL through the default privileges.
    await server.query(`
      GRANT CREATE ON SCHEMA public TO al_creator;
      SET ROLE al_creator;
      CREATE TABLE public.al_later (id int);
      RESET ROLE;`);
    const [later] = await server.query<{ acl: string }>(
      `SELECT relacl::text AS acl FROM pg_class WHERE relname = 'al_later'`,
    );
    expect(later?.acl).toContain(`al_admin=${everything}/al_creator`);
    await expectConverged(file);
  });
});
