/**
 * Retiring named roles (issue 15): `roles: { old_app: { absent: true } }` drops old_app with
 * the safe sequence of `unmanaged_roles: drop` (REASSIGN OWNED, DROP OWNED, DROP ROLE) and
 * leaves every other undeclared role alone; protected roles are refused; an absent role that
 * does not exist is no change. `login drop` refuses group roles with a hint naming that way.
 *
 * Roles are cluster-wide: every role here starts with `ret_`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useConfigFiles } from '../support/config-files.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
const config = useConfigFiles('pgward-retire-');

function db(): string[] {
  return ['--db', server.url()];
}

async function exists(role: string): Promise<boolean> {
  const rows = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  return rows.length === 1;
}

beforeAll(async () => {
  await server.query(`
    CREATE ROLE ret_keeper;
    CREATE ROLE ret_group;
    CREATE ROLE ret_old_app LOGIN IN ROLE ret_group;
    CREATE ROLE ret_bystander LOGIN;
    CREATE SCHEMA ret;
    CREATE TABLE ret.notes (id int);
    ALTER TABLE ret.notes OWNER TO ret_old_app;
    CREATE TABLE ret.orders (id int);
    GRANT SELECT ON ret.orders TO ret_old_app;
  `);
});

describe('absent: true', () => {
  it('is a config error beside any other key, and wherever the config still names the role', async () => {
    const file = await config(`version: 1
settings:
  reassign_owned_to: ret_old_app
roles:
  ret_old_app:
    absent: true
    login: true
  ret_reader:
    member_of: [ret_old_app]
`);
    const result = await runCli(['validate', '-c', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').slice(0, 3)).toEqual([
      `error: ${file}:3:22: role "ret_old_app" is absent: true (retired, to be dropped) but it is reassign_owned_to; remove one of them`,
      `${file}:7:5: role "ret_old_app" is absent: true (retired, to be dropped), so it cannot have "login"; remove the key, or absent: true to keep the role`,
      `${file}:9:17: role "ret_old_app" is absent: true (retired, to be dropped) but role "ret_reader" is a member of it; remove one of them`,
    ]);
  });

  it('drops the named role safely, leaves other undeclared roles, and converges', async () => {
    const file = await config(`version: 1
settings:
  reassign_owned_to: ret_keeper
roles:
  ret_old_app: { absent: true }
  ret_never_existed: { absent: true }
`);
    const plan = await runCli(['plan', '--format', 'json', '-c', file, ...db()]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const changes = (JSON.parse(plan.stdout) as { changes: { sql: string[] }[] }).changes;
    expect(changes.flatMap((change) => change.sql)).toEqual([
      'REASSIGN OWNED BY "ret_old_app" TO "ret_keeper"',
      'DROP OWNED BY "ret_old_app"',
      'DROP ROLE "ret_old_app"',
    ]);

    const apply = await runCli(['apply', '--yes', '-c', file, ...db()]);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(await exists('ret_old_app')).toBe(false);
    expect(await exists('ret_bystander')).toBe(true);
    expect(await exists('ret_group')).toBe(true);
    const [owner] = await server.query<{ owner: string }>(
      "SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'ret' AND tablename = 'notes'",
    );
    expect(owner?.owner).toBe('ret_keeper');

    const again = await runCli(['plan', '--detailed-exitcode', '-c', file, ...db()]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    const drift = await runCli(['drift', '-c', file, ...db()]);
    expect(drift.exitCode, drift.stdout + drift.stderr).toBe(0);
  });

  it('refuses at plan time a role that owns objects when no reassign_owned_to is set', async () => {
    await server.query(
      'CREATE ROLE ret_owner; CREATE TABLE ret.owned (id int); ALTER TABLE ret.owned OWNER TO ret_owner',
    );
    const file = await config('version: 1\nroles:\n  ret_owner: { absent: true }\n');
    const plan = await runCli(['plan', '-c', file, ...db()]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr.split('\n')[0]).toContain(
      `role "ret_owner" owns 1 object in database "${server.database}"; set settings.reassign_owned_to so that pgward can drop it`,
    );
    expect(await exists('ret_owner')).toBe(true);
  });

  it('refuses protected roles (pg_*, the bootstrap superuser)', async () => {
    const [{ bootstrap } = { bootstrap: '' }] = await server.query<{ bootstrap: string }>(
      'SELECT rolname AS bootstrap FROM pg_roles WHERE oid = 10',
    );
    const file = await config(
      `version: 1\nroles:\n  "${bootstrap}": { absent: true }\n  pg_monitor: { absent: true }\n`,
    );
    const plan = await runCli(['plan', '-c', file, ...db()]);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain(
      `role "${bootstrap}" is absent: true but protected (bootstrap superuser): pgward never drops it`,
    );
    expect(plan.stderr).toContain(
      'role "pg_monitor" is absent: true but protected (pg_ roles belong to PostgreSQL): pgward never drops it',
    );
    expect(await exists('pg_monitor')).toBe(true);
  });
});

describe('pgward login drop and group roles', () => {
  it('refuses a role without LOGIN and a login role with members, naming absent: true', async () => {
    await server.query(
      'CREATE ROLE ret_team LOGIN; CREATE ROLE ret_member LOGIN IN ROLE ret_team; CREATE ROLE ret_nologin',
    );
    const nologin = await runCli(['login', 'drop', 'ret_nologin', ...db()]);
    expect(nologin).toEqual({
      exitCode: 1,
      stdout: '',
      stderr:
        'error: role "ret_nologin" cannot log in: pgward login drop only drops login roles; to retire a group role, write `ret_nologin: { absent: true }` under roles: in the config and apply it\n',
    });
    const team = await runCli(['login', 'drop', 'ret_team', ...db()]);
    expect(team).toEqual({
      exitCode: 1,
      stdout: '',
      stderr:
        'error: role "ret_team" has members ("ret_member"), so it is a group role: pgward login drop only drops login roles that are nobody\'s group; to retire a group role, write `ret_team: { absent: true }` under roles: in the config and apply it\n',
    });
    expect(await exists('ret_team')).toBe(true);
    expect(await exists('ret_nologin')).toBe(true);
    const member = await runCli(['login', 'drop', 'ret_member', ...db()]);
    expect(member.exitCode, member.stderr).toBe(0);
    expect(await exists('ret_member')).toBe(false);
  });
});
