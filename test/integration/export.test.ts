/**
 * `pgward export` on a real server, as a user adopting pgward runs it: a realistic catalog
 * (attributes, comments, settings, nested memberships, table / sequence / routine / column
 * grants, grant options, default privileges, a schema of 200 tables) is exported, and then:
 *
 * - the exact YAML is what a reviewer would expect (one all_in_schemas line for 200 tables);
 * - `validate` accepts it and `plan --detailed-exitcode` with it exits 0 (no changes);
 * - exporting twice gives the same bytes;
 * - on a fresh copy (same schema script, no roles but the schema's owner), `apply` of the
 *   export followed by a new export gives the very same bytes.
 *
 * Roles are cluster-wide: every role here starts with `exp_`, and the export is limited to
 * them with `--include 'exp_*'`. For the fresh copy the database is dropped, the roles too,
 * and the database is created again under the same name (the export names it in CONNECT).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
const since16 = (): boolean => server.major >= 16;

let dir: string;
let database: string;

/** The schema: what a migration tool creates, owned by exp_owner. */
const SCHEMA_SQL = `
  CREATE ROLE exp_owner;
  CREATE SCHEMA exp_app AUTHORIZATION exp_owner;
  CREATE SCHEMA exp_bulk AUTHORIZATION exp_owner;
  CREATE SCHEMA "exp.Odd" AUTHORIZATION exp_owner;
  SET ROLE exp_owner;
  CREATE TABLE exp_app.orders (id int PRIMARY KEY, customer text, total numeric);
  CREATE TABLE exp_app.customers (id int PRIMARY KEY, email text, name text, secret text);
  CREATE TABLE exp_app.audit_log (id int, entry text);
  CREATE VIEW exp_app.order_totals AS SELECT customer, sum(total) AS total FROM exp_app.orders GROUP BY customer;
  CREATE SEQUENCE exp_app.order_ids;
  CREATE FUNCTION exp_app.calc(integer, text) RETURNS integer LANGUAGE sql AS 'SELECT $1';
  CREATE FUNCTION exp_app.calc(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1';
  CREATE PROCEDURE exp_app.refresh() LANGUAGE sql AS 'SELECT 1';
  CREATE TABLE "exp.Odd"."Mixed ""Case"" Table" (id int);
  DO $$
  BEGIN
    FOR i IN 1..200 LOOP
      EXECUTE format('CREATE TABLE exp_bulk.t%s (id int)', lpad(i::text, 3, '0'));
    END LOOP;
  END $$;
  RESET ROLE;
`;

/** The access rules people set up by hand over the years: what export must describe. */
function accessSql(): string {
  return `
  CREATE ROLE exp_reader;
  COMMENT ON ROLE exp_reader IS 'Read-only: dashboards and support';
  CREATE ROLE exp_writer;
  GRANT exp_reader TO exp_writer;
  CREATE ROLE exp_auditor;
  CREATE ROLE "exp_Quoted ""Role""";
  CREATE ROLE exp_alice LOGIN PASSWORD 'alice-secret' NOINHERIT CONNECTION LIMIT 5
    VALID UNTIL '2030-06-30 12:00:00+00';
  ALTER ROLE exp_alice SET search_path = exp_app, public;
  ALTER ROLE exp_alice SET statement_timeout = '30s';
  GRANT exp_writer TO exp_alice WITH ADMIN OPTION;
  GRANT pg_read_all_stats TO exp_alice;
  CREATE ROLE exp_batch LOGIN CREATEDB BYPASSRLS;
  GRANT exp_writer TO exp_batch;
  ${since16() ? 'GRANT exp_auditor TO exp_batch WITH INHERIT FALSE, SET FALSE;' : 'GRANT exp_auditor TO exp_batch;'}

  GRANT CONNECT ON DATABASE "${database}" TO exp_reader, exp_batch;
  GRANT USAGE ON SCHEMA exp_app, exp_bulk TO exp_reader;
  GRANT USAGE ON SCHEMA "exp.Odd" TO "exp_Quoted ""Role""";
  GRANT SELECT ON "exp.Odd"."Mixed ""Case"" Table" TO "exp_Quoted ""Role""";
  GRANT SELECT ON ALL TABLES IN SCHEMA exp_bulk TO exp_reader;
  GRANT SELECT ON exp_app.orders, exp_app.order_totals TO exp_reader;
  GRANT SELECT (email, name) ON exp_app.customers TO exp_reader;
  GRANT EXECUTE ON FUNCTION exp_app.calc(integer, text) TO exp_reader;
  GRANT INSERT, UPDATE ON exp_app.orders TO exp_writer WITH GRANT OPTION;
  GRANT UPDATE (email) ON exp_app.customers TO exp_writer;
  GRANT USAGE, SELECT ON SEQUENCE exp_app.order_ids TO exp_writer;

  -- Future tables of exp_owner in exp_app are readable by exp_auditor, and so are the
  -- current ones; future routines anywhere are executable by exp_writer, current ones too.
  ALTER DEFAULT PRIVILEGES FOR ROLE exp_owner IN SCHEMA exp_app GRANT SELECT ON TABLES TO exp_auditor;
  GRANT SELECT ON ALL TABLES IN SCHEMA exp_app TO exp_auditor;
  ALTER DEFAULT PRIVILEGES FOR ROLE exp_owner GRANT EXECUTE ON FUNCTIONS TO exp_writer;
  GRANT EXECUTE ON ALL ROUTINES IN SCHEMA exp_app TO exp_writer;
  ALTER DEFAULT PRIVILEGES FOR ROLE exp_owner IN SCHEMA exp_app
    GRANT USAGE ON SEQUENCES TO exp_batch WITH GRANT OPTION;
  GRANT USAGE ON SEQUENCE exp_app.order_ids TO exp_batch WITH GRANT OPTION;
  `;
}

const HEADER = [
  '# Exported by `pgward export`: roles, memberships and privileges as they are in the database.',
  '# Applying this file back changes nothing. Passwords are not exported: add',
  '# `password: { env: VAR }` (or file / hashed) to the login roles that need one.',
].join('\n');

/** What the export of this catalog must be, byte for byte. */
function expectedYaml(): string {
  const auditorMembership = since16()
    ? ['      - role: exp_auditor', '        inherit: false', '        set: false']
    : ['      - exp_auditor'];
  // Before 16 a membership has no INHERIT option; from 16 it follows the member's attribute
  // (NOINHERIT for exp_alice), so nothing to write either way.
  return [
    HEADER,
    '',
    'version: 1',
    'roles:',
    '  exp_Quoted "Role":',
    '    grants:',
    '      - privileges: [USAGE]',
    '        object_type: schema',
    '        objects:',
    '          - \'"exp.Odd"\'',
    '      - privileges: [SELECT]',
    '        object_type: table',
    '        objects:',
    '          - \'"exp.Odd"."Mixed ""Case"" Table"\'',
    '  exp_alice:',
    '    login: true',
    '    inherit: false',
    '    connection_limit: 5',
    '    valid_until: "2030-06-30T12:00:00.000Z"',
    '    config:',
    '      search_path: exp_app, public',
    '      statement_timeout: "30s"',
    '    member_of:',
    '      - role: exp_writer',
    '        admin: true',
    '      - pg_read_all_stats',
    '  exp_auditor:',
    '    default_privileges:',
    '      - for_role: exp_owner',
    '        schema: exp_app',
    '        object_type: table',
    '        privileges: [SELECT]',
    '  exp_batch:',
    '    login: true',
    '    createdb: true',
    '    bypassrls: true',
    '    member_of:',
    ...auditorMembership,
    '      - exp_writer',
    '    grants:',
    '      - privileges: [CONNECT]',
    '        object_type: database',
    '        objects:',
    `          - ${database}`,
    '    default_privileges:',
    '      - for_role: exp_owner',
    '        schema: exp_app',
    '        object_type: sequence',
    '        privileges: [USAGE]',
    '        with_grant_option: true',
    '  exp_owner: {}',
    '  exp_reader:',
    '    description: "Read-only: dashboards and support"',
    '    grants:',
    '      - privileges: [CONNECT]',
    '        object_type: database',
    '        objects:',
    `          - ${database}`,
    '      - privileges: [USAGE]',
    '        object_type: schema',
    '        objects:',
    '          - exp_app',
    '          - exp_bulk',
    '      - privileges: [SELECT]',
    '        object_type: table',
    '        all_in_schemas: [exp_bulk]',
    '      - privileges: [SELECT]',
    '        object_type: table',
    '        objects:',
    '          - exp_app.order_totals',
    '          - exp_app.orders',
    '      - privileges: [SELECT]',
    '        object_type: table',
    '        objects:',
    '          - exp_app.customers',
    '        columns: [email, name]',
    '      - privileges: [EXECUTE]',
    '        object_type: function',
    '        objects:',
    '          - exp_app.calc(integer, text)',
    '  exp_writer:',
    '    member_of:',
    '      - exp_reader',
    '    grants:',
    '      - privileges: [INSERT, UPDATE]',
    '        object_type: table',
    '        objects:',
    '          - exp_app.orders',
    '        with_grant_option: true',
    '      - privileges: [UPDATE]',
    '        object_type: table',
    '        objects:',
    '          - exp_app.customers',
    '        columns: [email]',
    '      - privileges: [SELECT, USAGE]',
    '        object_type: sequence',
    '        objects:',
    '          - exp_app.order_ids',
    '    default_privileges:',
    '      - for_role: exp_owner',
    '        object_type: function',
    '        privileges: [EXECUTE]',
    '',
  ].join('\n');
}

async function exportNow(): Promise<string> {
  const result = await runCli(['export', '--include', 'exp_*', '--db', server.url(database)]);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

async function saved(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-export-'));
  database = await server.createDatabase('exp');
  await server.query(SCHEMA_SQL, [], database);
  await server.query(accessSql(), [], database);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pgward export', () => {
  let first: string;

  it('describes roles, memberships, grants and default privileges exactly', async () => {
    first = await exportNow();
    expect(first).toBe(expectedYaml());
    expect(first).not.toContain('alice-secret');
    expect(first).not.toContain('SCRAM');
  });

  it('is accepted by validate, and plan with it has nothing to do', async () => {
    const file = await saved('export.yaml', first);
    const validate = await runCli(['validate', '-c', file]);
    expect(validate.exitCode, validate.stderr).toBe(0);
    const plan = await runCli([
      'plan',
      '-c',
      file,
      '--detailed-exitcode',
      '--db',
      server.url(database),
    ]);
    expect(plan.stderr).toBe('');
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.stdout).toContain('No changes');
    const drift = await runCli(['drift', '-c', file, '--db', server.url(database)]);
    expect(drift.exitCode, drift.stdout).toBe(0);
  });

  it('gives the same bytes when run again', async () => {
    expect(await exportNow()).toBe(first);
  });

  it('applied to a fresh copy of the schema, exports the same bytes again', async () => {
    const file = await saved('fresh.yaml', first);
    const roles = await server.query<{ rolname: string }>(
      "SELECT rolname FROM pg_roles WHERE rolname LIKE 'exp\\_%' ORDER BY rolname",
    );
    await server.query(`DROP DATABASE "${database}"`, [], 'postgres');
    for (const { rolname } of roles)
      await server.query(`DROP ROLE "${rolname.replaceAll('"', '""')}"`, [], 'postgres');
    await server.query(`CREATE DATABASE "${database}"`, [], 'postgres');
    await server.query(SCHEMA_SQL, [], database);

    const apply = await runCli(['apply', '-c', file, '--yes', '--db', server.url(database)]);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(await exportNow()).toBe(first);
    const plan = await runCli([
      'plan',
      '-c',
      file,
      '--detailed-exitcode',
      '--db',
      server.url(database),
    ]);
    expect(plan.exitCode, plan.stdout).toBe(0);
  });
});

describe('pgward export --include', () => {
  it('exports only matching roles, and keeps their memberships in roles left out', async () => {
    const result = await runCli([
      'export',
      '--include',
      'exp_w*',
      '--include',
      'exp_batch',
      '--db',
      server.url(database),
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {2}exp_batch:$/m);
    expect(result.stdout).toMatch(/^ {2}exp_writer:$/m);
    expect(result.stdout).not.toMatch(/^ {2}exp_reader:$/m);
    expect(result.stdout).toContain('    member_of:\n      - exp_reader\n');
    const file = await saved('subset.yaml', result.stdout);
    const plan = await runCli([
      'plan',
      '-c',
      file,
      '--detailed-exitcode',
      '--db',
      server.url(database),
    ]);
    expect(plan.exitCode, plan.stdout).toBe(0);
  });

  it('warns when no role matches, and still prints a valid (empty) config', async () => {
    const result = await runCli(['export', '--include', 'nobody_*', '--db', server.url(database)]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('warning: no role matches --include nobody_*\n');
    expect(result.stdout).toBe(`${HEADER}\n\nversion: 1\nroles: {}\n`);
  });

  it('exits 1 with one line when the database cannot be reached', async () => {
    const url = new URL(server.url(database));
    url.port = '1';
    const result = await runCli(['export', '--db', url.toString()]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toMatch(/^error: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('pgward export --sandbox', () => {
  it('exports what a setup script leaves behind, every non-system role, on a throwaway server', async () => {
    const setup = await saved(
      'sandbox-setup.sql',
      [
        'CREATE ROLE app_owner;',
        'CREATE SCHEMA app AUTHORIZATION app_owner;',
        'CREATE TABLE app.a (id int); CREATE TABLE app.b (id int);',
        'ALTER TABLE app.a OWNER TO app_owner; ALTER TABLE app.b OWNER TO app_owner;',
        'CREATE ROLE app_reader;',
        'GRANT USAGE ON SCHEMA app TO app_reader;',
        'GRANT SELECT ON ALL TABLES IN SCHEMA app TO app_reader;',
        'CREATE ROLE app_login LOGIN IN ROLE app_reader;',
        '',
      ].join('\n'),
    );
    const result = await runCli(['export', '--sandbox', setup]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^pgward: working in a throwaway PostgreSQL /);
    expect(result.stdout).toBe(
      [
        HEADER,
        '',
        'version: 1',
        'roles:',
        '  app_login:',
        '    login: true',
        '    member_of:',
        '      - app_reader',
        '  app_owner: {}',
        '  app_reader:',
        '    grants:',
        '      - privileges: [USAGE]',
        '        object_type: schema',
        '        objects:',
        '          - app',
        '      - privileges: [SELECT]',
        '        object_type: table',
        '        all_in_schemas: [app]',
        '',
      ].join('\n'),
    );
  }, 120_000);
});
