/**
 * `owns` (spec §9): ALTER ... OWNER TO for every kind it takes, in plan order relative to
 * grants, PostgreSQL's rewrite of the ACL on an owner change, drift of an owner changed by
 * hand, and the connecting role's limits checked at plan time.
 */
import { describe, expect, it } from 'vitest';
import { FixtureDatabase, planStatements } from '../support/convergence.js';
import { useConfigFiles } from '../support/config-files.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

const writeConfig = useConfigFiles('pgward-owns-');

async function owners(db: FixtureDatabase): Promise<Record<string, string>> {
  const rows = await db.query<{ object: string; owner: string }>(
    `SELECT 'schema app' AS object, pg_catalog.pg_get_userbyid(nspowner)::text AS owner
       FROM pg_catalog.pg_namespace WHERE nspname = 'app'
     UNION ALL
     SELECT c.relkind::text || ' ' || c.relname, pg_catalog.pg_get_userbyid(c.relowner)::text
       FROM pg_catalog.pg_class c WHERE c.relnamespace = 'app'::regnamespace AND c.relkind IN ('r','v','m','S')
     UNION ALL
     SELECT 'function ' || proname, pg_catalog.pg_get_userbyid(proowner)::text
       FROM pg_catalog.pg_proc WHERE pronamespace = 'app'::regnamespace
     UNION ALL
     SELECT 'type ' || typname, pg_catalog.pg_get_userbyid(typowner)::text
       FROM pg_catalog.pg_type WHERE typnamespace = 'app'::regnamespace AND typtype IN ('e','d')
     UNION ALL
     SELECT 'database', pg_catalog.pg_get_userbyid(datdba)::text
       FROM pg_catalog.pg_database WHERE datname = current_database()`,
  );
  return Object.fromEntries(rows.map((row) => [row.object, row.owner]));
}

const SETUP = `
  CREATE ROLE own_old; CREATE ROLE own_new; CREATE ROLE own_reader;
  CREATE SCHEMA app AUTHORIZATION own_old;
  SET ROLE own_old;
  CREATE TABLE app.t (id serial PRIMARY KEY, note text);
  CREATE VIEW app.v AS SELECT id FROM app.t;
  CREATE MATERIALIZED VIEW app.m AS SELECT id FROM app.t;
  CREATE SEQUENCE app.standalone;
  CREATE FUNCTION app.f(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1';
  CREATE TYPE app.mood AS ENUM ('ok');
  CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
  GRANT USAGE ON SCHEMA app TO own_reader;
  GRANT SELECT ON app.t TO own_reader;
  RESET ROLE;`;

const CONFIG = `version: 1
roles:
  own_new:
    owns:
      - { object_type: schema, objects: [app] }
      - { object_type: table, all_in_schemas: [app] }
      - { object_type: sequence, objects: [app.standalone] }
      - { object_type: function, objects: ["app.f(integer)"] }
      - { object_type: type, all_in_schemas: [app] }
  own_old:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [app] }
      - { privileges: [SELECT], object_type: table, objects: [app.t] }
  own_reader:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [app] }
      - { privileges: [SELECT], object_type: table, objects: [app.t] }
`;

describe('owns', () => {
  it('changes owners before granting, keeps the old owner’s grants, and repairs an owner changed by hand', async () => {
    const database = await server.createDatabase('owns');
    await server.query(SETUP, [], database);
    const db = new FixtureDatabase(server, 'ownership', database);
    const config = await writeConfig(CONFIG);

    const plan = await db.plan({ config });
    const statements = planStatements(plan);
    expect(statements).toEqual([
      'ALTER SCHEMA "app" OWNER TO "own_new"',
      'ALTER MATERIALIZED VIEW "app"."m" OWNER TO "own_new"',
      'ALTER TABLE "app"."t" OWNER TO "own_new"',
      'ALTER VIEW "app"."v" OWNER TO "own_new"',
      'ALTER SEQUENCE "app"."standalone" OWNER TO "own_new"',
      'ALTER FUNCTION "app"."f"(integer) OWNER TO "own_new"',
      'ALTER TYPE "app"."mood" OWNER TO "own_new"',
      'ALTER DOMAIN "app"."positive" OWNER TO "own_new"',
      // The old owner's privileges went with the ownership; the config gives back what it wants.
      'GRANT USAGE ON SCHEMA "app" TO "own_old"',
      'GRANT SELECT ON TABLE "app"."t" TO "own_old"',
    ]);
    expect(plan.changes[0]?.summary).toBe(
      'change owner of schema "app" from "own_old" to "own_new"',
    );
    expect(plan.changes[0]?.kind).toBe('alter_owner');

    await db.apply({ config });
    const after = await owners(db);
    expect(Object.values(after).filter((owner) => owner === 'own_old')).toEqual([]);
    // The serial's sequence followed its table; the database was not in owns: left alone.
    expect(after['S t_id_seq']).toBe('own_new');
    expect(after.database).not.toBe('own_new');
    // own_reader's grant, made by the old owner, survives (now in the new owner's name).
    const acl = await db.query<{ entry: string }>(
      `SELECT format('%s=%s/%s', pg_get_userbyid(a.grantee), a.privilege_type, pg_get_userbyid(a.grantor)) AS entry
         FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'app.t'::regclass AND a.grantee <> c.relowner ORDER BY 1`,
    );
    expect(acl.map((row) => row.entry)).toEqual([
      'own_old=SELECT/own_new',
      'own_reader=SELECT/own_new',
    ]);
    expect(await db.check(`SELECT has_table_privilege('own_old', 'app.t', 'INSERT') AS ok`)).toBe(
      false,
    );
    await db.expectConverged({ config });

    // By hand: the table goes back to its old owner, which gets all its privileges.
    await db.query('ALTER TABLE app.t OWNER TO own_old');
    const drift = await db.cli(['drift'], { config });
    expect(drift.code, drift.stderr).toBe(2);
    expect(drift.stdout).toContain('change owner of table "app.t" from "own_old" to "own_new"');
    await db.apply({ config });
    expect((await owners(db))['r t']).toBe('own_new');
    await db.expectConverged({ config });
  });

  it('sets the owner of the connected database', async () => {
    const database = await server.createDatabase('ownsdb');
    await server.query('CREATE SCHEMA app', [], database);
    const db = new FixtureDatabase(server, 'ownership', database);
    const config = await writeConfig(`version: 1
roles:
  own_dba:
    owns:
      - { object_type: database, objects: [${database}] }
`);
    expect(planStatements(await db.plan({ config }))).toEqual([
      'CREATE ROLE "own_dba"',
      `ALTER DATABASE "${database}" OWNER TO "own_dba"`,
    ]);
    await db.apply({ config });
    expect((await owners(db)).database).toBe('own_dba');
    await db.expectConverged({ config });
  });

  it('refuses at plan time what a non-superuser connecting role cannot do', async () => {
    const database = await server.createDatabase('ownslimit');
    await server.query(
      `CREATE ROLE own_admin LOGIN PASSWORD 'secret' CREATEROLE;
       CREATE ROLE own_a; CREATE ROLE own_b;
       CREATE SCHEMA lim AUTHORIZATION own_a;
       CREATE TABLE lim.x (id int); ALTER TABLE lim.x OWNER TO own_a;`,
      [],
      database,
    );
    const db = new FixtureDatabase(server, 'ownership', database, {
      connectAs: { user: 'own_admin', password: 'secret' },
    });
    const config = await writeConfig(`version: 1
roles:
  own_b:
    owns:
      - { object_type: table, objects: [lim.x] }
`);
    const result = await db.cli(['plan'], { config });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'cannot change the owner of table "lim.x" to "own_b": the connecting role "own_admin" is not a superuser and it does not have the privileges of the owner "own_a", it cannot SET ROLE to the new owner "own_b", it lacks CREATE on schema "lim"',
    );
  });
});
