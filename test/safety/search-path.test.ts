/**
 * Safety promise: nothing a database user creates runs inside pgward's sessions. With
 * `ALTER DATABASE … SET search_path = public, pg_catalog`, a role with CREATE on `public` can
 * create functions and operators named like the catalog's (`current_setting`, `to_char`,
 * `has_table_privilege`, `!~` …); a name pgward's SQL resolved through the search_path would
 * run that code as the connecting superuser. Each trap here makes its owner superuser when a
 * superuser calls it (SECURITY INVOKER); every command and library call must leave it not one.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, loadConfig, planConfig, takeInventory } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from './support.js';

const server = useTestServer();
const ATTACKER = 'sp_mallory';

/**
 * The attacker's code: when a superuser calls it, make the attacker superuser; where a
 * read-only transaction forbids that, fail the caller's statement instead, so that a trap
 * sprung during plan or drift shows too. Called by anyone else, it does nothing.
 */
const PAYLOAD = `
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r
       WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
    BEGIN
      EXECUTE 'ALTER ROLE ${ATTACKER} SUPERUSER';
    EXCEPTION WHEN read_only_sql_transaction THEN
      RAISE EXCEPTION 'a trap ran as superuser';
    END;
  END IF;`;

const TRAPS = `
CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN ${PAYLOAD} RETURN pg_catalog.current_setting($1); END $$;
CREATE FUNCTION public.current_database() RETURNS name LANGUAGE plpgsql AS $$
BEGIN ${PAYLOAD} RETURN pg_catalog.current_database(); END $$;
CREATE FUNCTION public.to_char(timestamp without time zone, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN ${PAYLOAD} RETURN pg_catalog.to_char($1, $2); END $$;
CREATE FUNCTION public.has_table_privilege(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN ${PAYLOAD} RETURN pg_catalog.has_table_privilege($1, $2); END $$;
CREATE FUNCTION public.pg_advisory_xact_lock(bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN ${PAYLOAD} PERFORM pg_catalog.pg_advisory_xact_lock($1); END $$;
CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text LANGUAGE plpgsql AS $$
BEGIN ${PAYLOAD} RETURN pg_catalog.set_config($1, $2, $3); END $$;
CREATE FUNCTION public.trap_nregex(name, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN ${PAYLOAD} RETURN pg_catalog.nameregexne($1, $2); END $$;
CREATE OPERATOR public.!~ (LEFTARG = name, RIGHTARG = text, FUNCTION = public.trap_nregex);
CREATE FUNCTION public.trap_texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN ${PAYLOAD} RETURN pg_catalog.texteq($1, $2); END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.trap_texteq);
`;

async function isSuperuser(): Promise<boolean> {
  const [row] = await server.query<{ rolsuper: boolean }>(
    'SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname OPERATOR(pg_catalog.=) $1',
    [ATTACKER],
  );
  return row?.rolsuper ?? false;
}

let dir: string;
let config: string;
beforeAll(async () => {
  dir = await tempDir('search-path');
  await server.query(`
    CREATE ROLE ${ATTACKER} LOGIN;
    GRANT CREATE ON SCHEMA public TO ${ATTACKER};
    CREATE TABLE public.orders (id int);
    CREATE ROLE sp_existing NOLOGIN VALID UNTIL '2030-01-01';
  `);
  // The traps are the attacker's own objects, created as the attacker.
  await server.query(`SET ROLE ${ATTACKER}; ${TRAPS}`);
  await server.query(
    `ALTER DATABASE "${server.database}" SET search_path = public, pg_catalog`,
    [],
    'postgres',
  );
  config = join(dir, 'pgward.yaml');
  await writeFile(
    config,
    `version: 1
settings:
  ignore_roles: ['${ATTACKER}', 'sp_existing']
roles:
  sp_reader:
    valid_until: '2031-01-01'
    config: { search_path: 'app, public' }
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.orders] }
  sp_writer:
    member_of: [sp_reader]
`,
  );
});

afterAll(async () => {
  await server.query(`ALTER DATABASE "${server.database}" RESET search_path`, [], 'postgres');
});

describe('a database whose search_path puts a user-writable schema before pg_catalog', () => {
  it('runs none of the shadowing functions or operators in any CLI command', async () => {
    const db = ['--db', server.url()];
    const commands = [
      ['plan', '-c', config, ...db],
      ['apply', '--yes', '-c', config, ...db],
      ['drift', '-c', config, ...db],
      ['inventory', '-c', config, ...db],
      ['export', ...db],
      ['roles', '--system', ...db],
      ['grants', 'sp_reader', ...db],
      ['members', 'sp_reader', ...db],
      ['grants', 'sp_reader', '--effective', ...db],
      ['explain', 'sp_reader', ...db],
      ['explain', 'sp_reader', 'SELECT', 'table', 'public.orders', ...db],
      ['graph', ...db],
      ['login', 'list', ...db],
      ['login', 'create', 'sp_login', ...db],
      ['login', 'drop', 'sp_login', ...db],
    ];
    for (const args of commands) {
      const result = await runCli(args);
      const command = args.slice(0, 2).join(' ');
      expect({ command, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        command,
        exitCode: 0,
        stderr: '',
      });
      expect({ command, superuser: await isSuperuser() }).toEqual({ command, superuser: false });
    }
    // What apply did is there, and the database still says search_path = public, pg_catalog.
    const [granted] = await server.query<{ ok: boolean }>(
      "SELECT pg_catalog.has_table_privilege('sp_reader', 'public.orders', 'SELECT') AS ok",
    );
    expect(granted?.ok).toBe(true);
    const after = await runCli(['plan', '--detailed-exitcode', '-c', config, ...db]);
    expect(after.exitCode).toBe(0);
  });

  it('runs none of them through the library: connect() and the engine on a caller client', async () => {
    const database = await connect(server.url());
    try {
      await database.listRoles();
      await database.listRoleGrants('sp_reader');
      await database.listRoleMembers('sp_reader');
      await database.roleExists('sp_reader');
      const plan = await database.plan(config);
      expect(plan.steps).toEqual([]);
      await database.inventory(config);
    } finally {
      await database.close();
    }
    expect(await isSuperuser()).toBe(false);

    // A caller's own client: pgward pins search_path while it reads, then puts theirs back.
    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    try {
      const { plan } = await planConfig(client, loadConfig(config));
      expect(plan.steps).toEqual([]);
      await takeInventory(client, loadConfig(config));
      const { rows } = await client.query<{ search_path: string }>('SHOW search_path');
      expect(rows[0]?.search_path).toBe('public, pg_catalog');
    } finally {
      await client.end();
    }
    expect(await isSuperuser()).toBe(false);
  });

  it('is a real trap: a superuser session that calls current_setting unqualified makes the attacker superuser', async () => {
    await server.query("SELECT current_setting('server_version_num')");
    expect(await isSuperuser()).toBe(true);
    await server.query(`ALTER ROLE ${ATTACKER} NOSUPERUSER`);
    await expect(
      server.query("BEGIN READ ONLY; SELECT 'a'::name !~ 'b'::text; COMMIT"),
    ).rejects.toThrow('a trap ran as superuser');
  });
});
