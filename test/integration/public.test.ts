/**
 * `public` (spec §9): PUBLIC's privileges on the managed kinds become exactly the config's,
 * built-in defaults included only when listed; other kinds, owners and other roles keep
 * theirs; a grant to PUBLIC by hand is drift.
 */
import { describe, expect, it } from 'vitest';
import { FixtureDatabase, planStatements } from '../support/convergence.js';
import { useConfigFiles } from '../support/config-files.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

const writeConfig = useConfigFiles('pgward-public-');

const SETUP = `
  CREATE ROLE pub_owner; CREATE ROLE pub_app; CREATE ROLE pub_lead;
  CREATE SCHEMA app AUTHORIZATION pub_owner;
  SET ROLE pub_owner;
  CREATE TABLE app.t (id int);
  CREATE TABLE app.t2 (id int);
  CREATE SEQUENCE app.s;
  CREATE FUNCTION app.f(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1';
  CREATE TYPE app.mood AS ENUM ('ok');
  GRANT SELECT ON app.t TO pub_app;
  GRANT ALL ON app.t TO PUBLIC;
  GRANT SELECT ON app.s TO PUBLIC;
  GRANT USAGE ON SCHEMA app TO pub_lead;
  GRANT SELECT ON app.t2 TO pub_lead WITH GRANT OPTION;
  RESET ROLE;
  SET ROLE pub_lead; GRANT SELECT ON app.t2 TO PUBLIC; RESET ROLE;`;

describe('public', () => {
  it('makes PUBLIC hold exactly the listed privileges on managed kinds, and repairs a hand grant', async () => {
    const database = await server.createDatabase('pub');
    await server.query(SETUP, [], database);
    const db = new FixtureDatabase(server, 'public', database);
    const config = await writeConfig(`version: 1
public:
  manage: [database, schema, table, function, language, type]
  grants:
    - { privileges: [CONNECT], object_type: database, objects: [${database}] }
    - { privileges: [USAGE], object_type: schema, objects: [public] }
    - { privileges: [USAGE], object_type: language, objects: [plpgsql] }
roles:
  pub_app:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [app.t] }
  pub_lead:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [app.t2], with_grant_option: true }
`);
    const plan = await db.plan({ config });
    const statements = planStatements(plan);
    expect(statements).toEqual(
      expect.arrayContaining([
        `REVOKE TEMPORARY ON DATABASE "${database}" FROM PUBLIC`,
        `REVOKE SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER${server.major >= 17 ? ', MAINTAIN' : ''} ON TABLE "app"."t" FROM PUBLIC`,
        'SET ROLE "pub_lead"',
        'REVOKE SELECT ON TABLE "app"."t2" FROM PUBLIC',
        // pub_lead's USAGE on app goes after its revoke as grantor, which needs it.
        'REVOKE USAGE ON SCHEMA "app" FROM "pub_lead"',
        'REVOKE EXECUTE ON FUNCTION "app"."f"(integer) FROM PUBLIC',
        'REVOKE USAGE ON TYPE "app"."mood" FROM PUBLIC',
        // Trusted languages not listed lose PUBLIC's built-in USAGE; plpgsql is listed.
        'REVOKE USAGE ON LANGUAGE "sql" FROM PUBLIC',
      ]),
    );
    // PostgreSQL 14 still gives PUBLIC CREATE on schema public; 15+ no longer does.
    if (server.major < 15)
      expect(statements).toContain('REVOKE CREATE ON SCHEMA "public" FROM PUBLIC');
    else expect(statements.join('\n')).not.toContain('SCHEMA "public"');
    expect(statements.join('\n')).not.toMatch(/SEQUENCE|CONNECT|plpgsql/);
    expect(plan.changes.map((change) => change.kind)).toContain('revoke_public');

    await db.apply({ config });
    const holds = async (sql: string): Promise<boolean> => db.check(`SELECT ${sql} AS ok`);
    expect({
      connect: await holds(`has_database_privilege('public', current_database(), 'CONNECT')`),
      temporary: await holds(`has_database_privilege('public', current_database(), 'TEMPORARY')`),
      schemaUsage: await holds(`has_schema_privilege('public', 'public', 'USAGE')`),
      schemaCreate: await holds(`has_schema_privilege('public', 'public', 'CREATE')`),
      table: await holds(`has_table_privilege('public', 'app.t', 'SELECT')`),
      table2: await holds(`has_table_privilege('public', 'app.t2', 'SELECT')`),
      execute: await holds(`has_function_privilege('public', 'app.f(integer)', 'EXECUTE')`),
      type: await holds(`has_type_privilege('public', 'app.mood', 'USAGE')`),
      language: await holds(`has_language_privilege('public', 'plpgsql', 'USAGE')`),
      sql: await holds(`has_language_privilege('public', 'sql', 'USAGE')`),
      // Kinds not managed keep PUBLIC's privileges.
      sequence: await holds(`has_sequence_privilege('public', 'app.s', 'SELECT')`),
      // Revoking from PUBLIC takes nothing from owners or other roles.
      owner: await holds(`has_table_privilege('pub_owner', 'app.t', 'INSERT')`),
      ownerExecute: await holds(`has_function_privilege('pub_owner', 'app.f(integer)', 'EXECUTE')`),
      app: await holds(`has_table_privilege('pub_app', 'app.t', 'SELECT')`),
      lead: await holds(`has_table_privilege('pub_lead', 'app.t2', 'SELECT WITH GRANT OPTION')`),
    }).toEqual({
      connect: true,
      temporary: false,
      schemaUsage: true,
      schemaCreate: false,
      table: false,
      table2: false,
      execute: false,
      type: false,
      language: true,
      sql: false,
      sequence: true,
      owner: true,
      ownerExecute: true,
      app: true,
      lead: true,
    });
    await db.expectConverged({ config });

    await db.query('GRANT SELECT ON app.t TO PUBLIC');
    const drift = await db.cli(['drift'], { config });
    expect(drift.code, drift.stderr).toBe(2);
    expect(drift.stdout).toContain('revoke SELECT on table "app.t" from PUBLIC');
    await db.apply({ config });
    expect(await holds(`has_table_privilege('public', 'app.t', 'SELECT')`)).toBe(false);
    await db.expectConverged({ config });
  });

  it('grants PUBLIC what the config lists', async () => {
    const database = await server.createDatabase('pubgrant');
    await server.query(
      `CREATE SCHEMA shop; CREATE TABLE shop.items (id int, name text);
       REVOKE ALL ON SCHEMA public FROM PUBLIC;`,
      [],
      database,
    );
    const db = new FixtureDatabase(server, 'public', database);
    const config = await writeConfig(`version: 1
public:
  manage: [schema, table]
  grants:
    - { privileges: [USAGE], object_type: schema, objects: [shop] }
    - { privileges: [SELECT], object_type: table, objects: [shop.items], columns: [name] }
`);
    expect(planStatements(await db.plan({ config }))).toEqual([
      'GRANT USAGE ON SCHEMA "shop" TO PUBLIC',
      'GRANT SELECT ("name") ON TABLE "shop"."items" TO PUBLIC',
    ]);
    await db.apply({ config });
    expect(
      await db.check(`SELECT has_column_privilege('public', 'shop.items', 'name', 'SELECT') AS ok`),
    ).toBe(true);
    expect(
      await db.check(`SELECT has_column_privilege('public', 'shop.items', 'id', 'SELECT') AS ok`),
    ).toBe(false);
    await db.expectConverged({ config });
  });

  it('refuses a grant option for PUBLIC and a kind not under manage', async () => {
    const database = await server.createDatabase('pubbad');
    const db = new FixtureDatabase(server, 'public', database);
    const config = await writeConfig(`version: 1
public:
  manage: [schema]
  grants:
    - { privileges: [USAGE], object_type: schema, objects: [public], with_grant_option: true }
    - { privileges: [SELECT], object_type: table, all_in_schemas: [public] }
`);
    const result = await db.cli(['plan'], { config });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pgward-\d+\.yaml:5:/);
    expect(result.stderr).toContain('PUBLIC cannot be given a grant option');
    expect(result.stderr).toContain(
      'grant to PUBLIC on table is not under public.manage; add "table" to manage',
    );
  });
});
