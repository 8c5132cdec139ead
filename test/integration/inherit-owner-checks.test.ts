/**
 * The plan-time checks that ask "can the connecting role act as this owner?" follow
 * PostgreSQL's has_privs_of_role: a membership without INHERIT (16+) or a NOINHERIT member
 * (before 16) does not lend the owner's rights. Before, they counted every membership: the plan
 * showed row-level security changes and owner changes that failed at apply ("must be owner"),
 * and a REVOKE CONNECT ... FROM PUBLIC that cut the connecting role off was not refused.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useConfigFiles } from '../support/config-files.js';
import { urlAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
const writeConfig = useConfigFiles('pgward-inherit-owner-');
const PASSWORD = 'deployer-secret';

/** deployer: CREATEROLE, a member of `owner` that does not inherit its rights. */
async function deployerWithoutInherit(owner: string): Promise<string> {
  await server.query(`CREATE ROLE ${owner}`);
  await server.query(
    `CREATE ROLE deployer_${owner} LOGIN CREATEROLE PASSWORD '${PASSWORD}'${server.major < 16 ? ' NOINHERIT' : ''}`,
  );
  await server.query(
    `GRANT ${owner} TO deployer_${owner}${server.major >= 16 ? ' WITH INHERIT FALSE' : ''}`,
  );
  return urlAs(server, `deployer_${owner}`, PASSWORD);
}

describe('checks of what the connecting role may do as an owner', () => {
  it('row-level security on a table whose owner it cannot act as is a plan error, not a failed apply', async () => {
    const url = await deployerWithoutInherit('rls_owner');
    await server.query('CREATE TABLE public.orders_ni (id int)');
    await server.query('ALTER TABLE public.orders_ni OWNER TO rls_owner');
    const config = await writeConfig(
      'version: 1\ntables:\n  public.orders_ni:\n    row_security: enabled\n',
    );
    const plan = await runCli(['plan', '-c', config], { env: { DATABASE_URL: url } });
    expect(plan.exitCode, plan.stdout).toBe(1);
    expect(plan.stderr).toContain(
      'cannot change row-level security or policies of table "public.orders_ni": the connecting role "deployer_rls_owner" is not a superuser and does not have the privileges of its owner "rls_owner"',
    );

    // With the owner's rights inherited, the same config plans and applies.
    await server.query(
      server.major >= 16
        ? 'GRANT rls_owner TO deployer_rls_owner WITH INHERIT TRUE'
        : 'ALTER ROLE deployer_rls_owner INHERIT',
    );
    const apply = await runCli(['apply', '-c', config, '--yes'], { env: { DATABASE_URL: url } });
    expect(apply.exitCode, apply.stderr).toBe(0);
    const [flags] = await server.query<{ enabled: boolean }>(
      "SELECT relrowsecurity AS enabled FROM pg_class WHERE oid = 'public.orders_ni'::regclass",
    );
    expect(flags?.enabled).toBe(true);
    const again = await runCli(['plan', '-c', config, '--detailed-exitcode'], {
      env: { DATABASE_URL: url },
    });
    expect(again.exitCode, again.stdout).toBe(0);
  });

  it('revoking CONNECT from PUBLIC is refused when the only other path lends no privileges', async () => {
    const url = await deployerWithoutInherit('db_gate');
    const database = server.database;
    await server.query(`GRANT CONNECT ON DATABASE "${database}" TO db_gate`);
    const config = await writeConfig('version: 1\npublic:\n  manage: [database]\n');
    const plan = await runCli(['plan', '-c', config], { env: { DATABASE_URL: url } });
    expect(plan.stderr).toContain(
      `revoking CONNECT on database "${database}" from PUBLIC would lock out the connecting role "deployer_db_gate"`,
    );
    expect(plan.exitCode).toBe(1);
    // Nothing was revoked: the deployer still logs in.
    const [row] = await server.query<{ connect: boolean }>(
      `SELECT has_database_privilege('deployer_db_gate', current_database(), 'CONNECT') AS connect`,
    );
    expect(row?.connect).toBe(true);
  });
});
