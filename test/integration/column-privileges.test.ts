/**
 * Column privileges where the role holds the same privilege on the whole table: REVOKE on a
 * table also revokes that privilege on each of its columns, so the plan grants the columns
 * after revoking the table. (Found by the property test, test/safety/property.test.ts: the
 * column grant ran first, the revoke undid it, and the apply never converged.)
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const server = useTestServer();

it('a column grant replacing a table grant of the same privilege is applied after the revoke', async () => {
  await server.query(`
    CREATE ROLE col_reader;
    CREATE TABLE public.accounts (id int, email text, secret text);
    GRANT SELECT, UPDATE ON public.accounts TO col_reader;
  `);
  const config = join(await tempDir('columns'), 'pgward.yaml');
  await writeFile(
    config,
    `version: 1
roles:
  col_reader:
    grants:
      - { privileges: [SELECT, UPDATE], object_type: table, objects: [public.accounts], columns: [id, email] }
`,
  );
  const args = ['-c', config, '--db', server.url()];

  const plan = await runCli(['plan', '--format', 'sql', ...args]);
  expect(plan.exitCode, plan.stderr).toBe(0);
  const revoke = plan.stdout.indexOf(
    'REVOKE SELECT, UPDATE ON TABLE "public"."accounts" FROM "col_reader";',
  );
  const grant = plan.stdout.indexOf(
    'GRANT SELECT ("id", "email"), UPDATE ("id", "email") ON TABLE "public"."accounts" TO "col_reader";',
  );
  expect(revoke, plan.stdout).toBeGreaterThan(-1);
  expect(grant, plan.stdout).toBeGreaterThan(revoke);

  const applied = await runCli(['apply', '--yes', ...args]);
  expect(applied.exitCode, applied.stderr).toBe(0);
  const [row] = await server.query<Record<string, boolean>>(`
    SELECT pg_catalog.has_table_privilege('col_reader', 'public.accounts', 'SELECT') AS table_select,
           pg_catalog.has_column_privilege('col_reader', 'public.accounts', 'id', 'SELECT') AS id_select,
           pg_catalog.has_column_privilege('col_reader', 'public.accounts', 'email', 'UPDATE') AS email_update,
           pg_catalog.has_column_privilege('col_reader', 'public.accounts', 'secret', 'SELECT') AS secret_select`);
  expect(row).toEqual({
    table_select: false,
    id_select: true,
    email_update: true,
    secret_select: false,
  });
  expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
});

// Column names are read only for the tables of the config's column grants (and those with a
// column privilege already): a table named with a dot and quotes must still be found, in the
// config's quoting and in PUBLIC's grants, and a missing column still refused by name.
it('checks and grants columns of tables the config names, however they are spelt', async () => {
  await server.query(`
    CREATE ROLE col_odd;
    CREATE SCHEMA "we""ird.s";
    CREATE TABLE "we""ird.s"."T.1" ("Id" int, "e.mail" text, other text);
    CREATE TABLE public.plain (a int, b int);
  `);
  const dir = await tempDir('columns');
  const config = join(dir, 'pgward.yaml');
  const write = (columns: string): Promise<void> =>
    writeFile(
      config,
      `version: 1
roles:
  col_odd:
    grants:
      - privileges: [SELECT]
        object_type: table
        objects: ['"we""ird.s"."T.1"']
        columns: [${columns}]
public:
  manage: [table]
  grants:
    - { privileges: [SELECT], object_type: table, objects: [public.plain], columns: [b] }
`,
    );
  const args = ['-c', config, '--db', server.url()];

  await write(`'Id', 'e.mail', nope`);
  const refused = await runCli(['plan', ...args]);
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr).toContain('column "nope" of table');
  expect(refused.stderr).not.toContain('column "Id"');

  await write(`'Id', 'e.mail'`);
  const applied = await runCli(['apply', '--yes', ...args]);
  expect(applied.exitCode, applied.stderr).toBe(0);
  const [row] = await server.query<Record<string, boolean>>(`
    SELECT pg_catalog.has_column_privilege('col_odd', '"we""ird.s"."T.1"', 'Id', 'SELECT') AS id,
           pg_catalog.has_column_privilege('col_odd', '"we""ird.s"."T.1"', 'e.mail', 'SELECT') AS email,
           pg_catalog.has_column_privilege('col_odd', '"we""ird.s"."T.1"', 'other', 'SELECT') AS other,
           pg_catalog.has_column_privilege('public', 'public.plain', 'b', 'SELECT') AS public_b`);
  expect(row).toEqual({ id: true, email: true, other: false, public_b: true });
  expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
});
