/**
 * Privileges that depend on who owns an object converge when the plan itself changes owners.
 * `renamed_from` renames an owner and `unmanaged_roles: drop` hands a dropped role's objects to
 * `reassign_owned_to`; the default privileges and grants due to the owner are those of the
 * catalog as the plan leaves it (each case was a failure of the property-based test: a
 * statement naming the old role, or an apply that did not converge).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../safety/support.js';

const server = useTestServer();

let dir: string;
beforeAll(async () => {
  dir = await tempDir('owner-change');
});

async function applyThenPlan(name: string, config: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, config);
  const apply = await runCli(['apply', '--yes', '-c', file, '--db', server.url()]);
  expect(apply.stderr).toBe('');
  expect(apply.exitCode).toBe(0);
  const plan = await runCli(['plan', '--detailed-exitcode', '-c', file, '--db', server.url()]);
  expect(plan.stdout).toContain('No changes');
  expect(plan.exitCode).toBe(0);
  return apply.stdout;
}

async function can(role: string, table: string, privilege: string): Promise<boolean> {
  const [row] = await server.query<{ can: boolean }>(
    'SELECT pg_catalog.has_table_privilege($1, $2, $3) AS can',
    [role, table, privilege],
  );
  return row?.can ?? false;
}

async function ownerOf(table: string): Promise<string | undefined> {
  const [row] = await server.query<{ owner: string }>(
    'SELECT pg_catalog.pg_get_userbyid(c.relowner) AS owner FROM pg_catalog.pg_class AS c WHERE c.oid = $1::pg_catalog.regclass',
    [table],
  );
  return row?.owner;
}

describe('owners changed by the plan', () => {
  it('unmanaged_roles: drop grants what the heir default privileges cover on the objects it inherits', async () => {
    await server.query(`
      CREATE ROLE heir; CREATE ROLE leaver; CREATE SCHEMA app; CREATE TABLE app.t (id int);
      ALTER TABLE app.t OWNER TO leaver;`);
    const stdout = await applyThenPlan(
      'reassign',
      `version: 1
settings:
  unmanaged_roles: drop
  reassign_owned_to: heir
roles:
  heir: {}
  reader2:
    default_privileges:
      - { for_role: heir, schema: app, object_type: table, privileges: [SELECT] }
`,
    );
    expect(stdout).toContain('REASSIGN OWNED BY "leaver" TO "heir"');
    expect(await ownerOf('app.t')).toBe('heir');
    expect(await can('reader2', 'app.t', 'SELECT')).toBe(true);
    const left = await server.query(`SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'leaver'`);
    expect(left).toHaveLength(0);
  });

  it('renamed_from of a schema owner writes default privileges FOR ROLE its new name', async () => {
    await server.query(`
      CREATE ROLE old_owner; CREATE SCHEMA s AUTHORIZATION old_owner;
      CREATE TABLE s.t (id int); ALTER TABLE s.t OWNER TO old_owner;`);
    const stdout = await applyThenPlan(
      'rename',
      `version: 1
roles:
  new_owner:
    renamed_from: old_owner
  reader:
    permissions:
      - { type: read, schemas: [s] }
`,
    );
    expect(stdout).toContain('FOR ROLE "new_owner"');
    expect(await can('reader', 's.t', 'SELECT')).toBe(true);
    await server.query('SET ROLE new_owner; CREATE TABLE s.later (id int); RESET ROLE');
    expect(await can('reader', 's.later', 'SELECT')).toBe(true);
  });
});
