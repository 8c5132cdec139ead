/**
 * The role administration commands as a user runs them (spec §3): `roles`, `members`,
 * `grants` and `login create | drop | list`, through the CLI's `run()` against a real server.
 * Outputs are compared exactly for a known catalog; effects are read back from the catalog,
 * and a created password is checked by logging in over TCP (SCRAM-SHA-256).
 *
 * Roles are cluster-wide, so every role here starts with `adm_` and the listings are compared
 * on those rows only (the server may hold other files' roles).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { loginAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

function db(): string[] {
  return ['--db', server.url()];
}

/** Cells of a text table (columns are two or more spaces apart). */
function cells(line: string): string[] {
  return line.split(/ {2,}/);
}

/** The header and the rows about adm_ roles of a text table, as cells. */
function admRows(text: string): string[][] {
  const [header = '', ...rows] = text.trimEnd().split('\n');
  return [cells(header), ...rows.filter((line) => line.startsWith('adm_')).map(cells)];
}

async function roleRow(
  name: string,
): Promise<{ rolcanlogin: boolean; rolpassword: string | null } | undefined> {
  const [row] = await server.query<{ rolcanlogin: boolean; rolpassword: string | null }>(
    'SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = $1',
    [name],
  );
  return row;
}

async function memberships(member: string): Promise<string[]> {
  const rows = await server.query<{ role: string }>(
    `SELECT DISTINCT r.rolname AS role FROM pg_auth_members am
       JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
      WHERE m.rolname = $1 ORDER BY 1`,
    [member],
  );
  return rows.map((row) => row.role);
}

beforeAll(async () => {
  await server.query(`
    CREATE ROLE adm_reader;
    CREATE ROLE adm_writer;
    GRANT adm_reader TO adm_writer;
    CREATE ROLE adm_alice LOGIN CONNECTION LIMIT 3 VALID UNTIL '2030-01-01 00:00:00+00';
    GRANT adm_reader TO adm_alice;
    GRANT adm_writer TO adm_alice;
    CREATE ROLE adm_boss LOGIN CREATEDB CREATEROLE;
    CREATE ROLE adm_empty;
    CREATE SCHEMA adm_app;
    CREATE TABLE adm_app.orders (id int, note text);
    CREATE SEQUENCE adm_app.order_ids;
    CREATE FUNCTION adm_app.total(integer, text) RETURNS integer LANGUAGE sql AS 'SELECT $1';
    GRANT USAGE ON SCHEMA adm_app TO adm_reader;
    GRANT SELECT ON adm_app.orders TO adm_reader;
    GRANT SELECT, INSERT, UPDATE ON adm_app.orders TO adm_writer;
    GRANT USAGE, SELECT ON SEQUENCE adm_app.order_ids TO adm_writer;
    GRANT EXECUTE ON FUNCTION adm_app.total(integer, text) TO adm_reader;
    GRANT CONNECT, TEMPORARY ON DATABASE "${server.database}" TO adm_reader;
  `);
});

describe('pgward roles', () => {
  it('lists roles with their attributes as a table', async () => {
    const result = await runCli(['roles', ...db()]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(admRows(result.stdout)).toEqual([
      ['ROLE', 'ATTRIBUTES'],
      ['adm_alice', 'login, connection limit 3, valid until 2030-01-01T00:00:00.000Z'],
      ['adm_boss', 'createrole, createdb, login'],
      ['adm_empty', '-'],
      ['adm_reader', '-'],
      ['adm_writer', '-'],
    ]);
    expect(result.stdout).toMatch(
      /^postgres {2,}superuser, createrole, createdb, login, replication$/m,
    );
    expect(result.stdout).not.toMatch(/^pg_/m);
  });

  it('--system adds the pg_* roles; --format json gives the library listRoles objects', async () => {
    const result = await runCli(['roles', '--system', '--format', 'json', ...db()]);
    expect(result.exitCode, result.stderr).toBe(0);
    const roles = JSON.parse(result.stdout) as { name: string }[];
    expect(roles.filter((role) => role.name.startsWith('adm_'))).toEqual([
      {
        name: 'adm_alice',
        superuser: false,
        createrole: false,
        createdb: false,
        login: true,
        replication: false,
        connection_limit: 3,
        valid_until: '2030-01-01T00:00:00.000Z',
      },
      {
        name: 'adm_boss',
        superuser: false,
        createrole: true,
        createdb: true,
        login: true,
        replication: false,
        connection_limit: -1,
        valid_until: null,
      },
      ...['adm_empty', 'adm_reader', 'adm_writer'].map((name) => ({
        name,
        superuser: false,
        createrole: false,
        createdb: false,
        login: false,
        replication: false,
        connection_limit: -1,
        valid_until: null,
      })),
    ]);
    expect(roles.map((role) => role.name)).toContain('pg_read_all_data');
  });
});

describe('pgward members', () => {
  it('prints one member per line, sorted', async () => {
    const result = await runCli(['members', 'adm_reader', ...db()]);
    expect(result).toEqual({ exitCode: 0, stdout: 'adm_alice\nadm_writer\n', stderr: '' });
  });

  it('prints nothing (and says so on stderr) for a role without members', async () => {
    const result = await runCli(['members', 'adm_empty', ...db()]);
    expect(result).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: 'role "adm_empty" has no members\n',
    });
  });

  it('exits 1 with one line when the role does not exist', async () => {
    const result = await runCli(['members', 'adm_ghost', ...db()]);
    expect(result).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'error: role "adm_ghost" does not exist\n',
    });
  });
});

describe('pgward grants', () => {
  it('lists the privileges a role holds, one object per line', async () => {
    const result = await runCli(['grants', 'adm_reader', ...db()]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split('\n').map(cells)).toEqual([
      ['OBJECT', 'PRIVILEGES'],
      [`database ${server.database}`, 'CONNECT, TEMPORARY'],
      ['schema adm_app', 'USAGE'],
      ['adm_app.orders', 'SELECT'],
      ['adm_app.total(integer, text)', 'EXECUTE'],
    ]);
  });

  it('--format json: databases, schemas and the library listRoleGrants objects', async () => {
    const result = await runCli(['grants', 'adm_writer', '--format', 'json', ...db()]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      role: 'adm_writer',
      databases: [],
      schemas: [],
      objects: [
        { schema: 'adm_app', object_name: 'order_ids', privilege: 'SELECT' },
        { schema: 'adm_app', object_name: 'order_ids', privilege: 'USAGE' },
        { schema: 'adm_app', object_name: 'orders', privilege: 'INSERT' },
        { schema: 'adm_app', object_name: 'orders', privilege: 'SELECT' },
        { schema: 'adm_app', object_name: 'orders', privilege: 'UPDATE' },
      ],
    });
  });

  it('says (none) for a role without privileges, and exits 1 for a missing role', async () => {
    expect(await runCli(['grants', 'adm_empty', ...db()])).toEqual({
      exitCode: 0,
      stdout: '(none)\n',
      stderr: '',
    });
    const missing = await runCli(['grants', 'adm_ghost', ...db()]);
    expect(missing).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'error: role "adm_ghost" does not exist\n',
    });
  });
});

describe('pgward login list', () => {
  it('lists login roles with the roles they are members of', async () => {
    const result = await runCli(['login', 'list', ...db()]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(admRows(result.stdout)).toEqual([
      ['ROLE', 'MEMBER OF', 'ATTRIBUTES'],
      [
        'adm_alice',
        'adm_reader, adm_writer',
        'connection limit 3, valid until 2030-01-01T00:00:00.000Z',
      ],
      ['adm_boss', '-', 'createrole, createdb'],
    ]);
    const json = await runCli(['login', 'list', '--format', 'json', ...db()]);
    const logins = JSON.parse(json.stdout) as { name: string; member_of: string[] }[];
    expect(logins.find((role) => role.name === 'adm_alice')?.member_of).toEqual([
      'adm_reader',
      'adm_writer',
    ]);
    expect(logins.map((role) => role.name)).not.toContain('adm_reader');
  });
});

describe('pgward login create', () => {
  it('creates a login role with a SCRAM password from the environment and memberships', async () => {
    const password = 'c0rrect horse';
    const result = await runCli(
      [
        'login',
        'create',
        'adm_carol',
        '--password-env',
        'CAROL_PW',
        '--member-of',
        'adm_reader',
        '--member-of',
        'adm_writer',
        ...db(),
      ],
      { env: { CAROL_PW: password } },
    );
    expect(result).toEqual({
      exitCode: 0,
      stdout:
        'Created login role "adm_carol" with a password, member of "adm_reader", "adm_writer".\n',
      stderr: '',
    });
    const row = await roleRow('adm_carol');
    expect(row?.rolcanlogin).toBe(true);
    expect(row?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(await memberships('adm_carol')).toEqual(['adm_reader', 'adm_writer']);
    expect(await loginAs(server, 'adm_carol', password)).toBe('adm_carol');
    await expect(loginAs(server, 'adm_carol', 'wrong')).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('creates a login role without a password when none is asked for', async () => {
    const result = await runCli(['login', 'create', 'adm_nopw', ...db()]);
    expect(result).toEqual({
      exitCode: 0,
      stdout: 'Created login role "adm_nopw".\n',
      stderr: '',
    });
    expect(await roleRow('adm_nopw')).toEqual({ rolcanlogin: true, rolpassword: null });
  });

  it('refuses an unset or empty password variable before touching the database', async () => {
    for (const env of [{}, { EMPTY: '' }]) {
      const result = await runCli(
        ['login', 'create', 'adm_nopass', '--password-env', 'EMPTY', ...db()],
        { env },
      );
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[0]).toMatch(
        /^error: environment variable EMPTY is (not set|empty) \(--password-env\)$/,
      );
    }
    expect(await roleRow('adm_nopass')).toBeUndefined();
  });

  it('exits 1 for an existing role, and creates nothing when a membership fails', async () => {
    const existing = await runCli(['login', 'create', 'adm_alice', ...db()]);
    expect(existing).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'error: role "adm_alice" already exists\n',
    });
    const ghost = await runCli([
      'login',
      'create',
      'adm_dave',
      '--member-of',
      'adm_ghost',
      ...db(),
    ]);
    expect(ghost.exitCode).toBe(1);
    expect(ghost.stderr).toMatch(/^error: role "adm_ghost" does not exist/);
    expect(await roleRow('adm_dave')).toBeUndefined();
  });

  it('never prints the password, even when creating fails', async () => {
    const secret = 'Sup3r-secret-value';
    const result = await runCli(['login', 'create', 'adm_alice', '--password-env', 'PW', ...db()], {
      env: { PW: secret },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe('pgward login drop', () => {
  it('drops a login role that owns nothing, revoking its privileges', async () => {
    await server.query(`
      CREATE ROLE adm_temp LOGIN;
      GRANT adm_reader TO adm_temp;
      GRANT SELECT ON adm_app.orders TO adm_temp;
    `);
    const result = await runCli(['login', 'drop', 'adm_temp', ...db()]);
    expect(result).toEqual({ exitCode: 0, stdout: 'Dropped login role "adm_temp".\n', stderr: '' });
    expect(await roleRow('adm_temp')).toBeUndefined();
  });

  it('refuses a role that owns objects, saying what and where; --reassign-to hands them over', async () => {
    await server.query(`
      CREATE ROLE adm_owner LOGIN;
      CREATE TABLE adm_app.owned (id int);
      ALTER TABLE adm_app.owned OWNER TO adm_owner;
      CREATE SCHEMA adm_owned AUTHORIZATION adm_owner;
      GRANT SELECT ON adm_app.orders TO adm_owner;
    `);
    const refused = await runCli(['login', 'drop', 'adm_owner', ...db()]);
    expect(refused).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: [
        `error: role "adm_owner" owns 2 objects in database "${server.database}"; give --reassign-to ROLE to hand them over before dropping it`,
        '  schema adm_owned',
        '  table adm_app.owned',
        '',
      ].join('\n'),
    });
    expect(await roleRow('adm_owner')).toBeDefined();

    const dropped = await runCli([
      'login',
      'drop',
      'adm_owner',
      '--reassign-to',
      'adm_boss',
      ...db(),
    ]);
    expect(dropped).toEqual({
      exitCode: 0,
      stdout: 'Dropped login role "adm_owner", its objects now owned by "adm_boss".\n',
      stderr: '',
    });
    expect(await roleRow('adm_owner')).toBeUndefined();
    const owners = await server.query<{ owner: string }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'adm_app.owned'::regclass
       UNION ALL SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'adm_owned'`,
    );
    expect(owners).toEqual([{ owner: 'adm_boss' }, { owner: 'adm_boss' }]);
  });

  it('refuses a role that owns objects in another database, even with --reassign-to', async () => {
    const other = await server.createDatabase('adm_other');
    await server.query('CREATE ROLE adm_elsewhere LOGIN');
    await server.query('CREATE TABLE t (id int); ALTER TABLE t OWNER TO adm_elsewhere', [], other);
    const result = await runCli([
      'login',
      'drop',
      'adm_elsewhere',
      '--reassign-to',
      'adm_boss',
      ...db(),
    ]);
    expect(result).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: [
        'error: role "adm_elsewhere" still owns or holds privileges in other databases; run REASSIGN OWNED BY / DROP OWNED BY there first',
        `  database "${other}": owns 1 object`,
        '',
      ].join('\n'),
    });
    expect(await roleRow('adm_elsewhere')).toBeDefined();
  });

  it('refuses a --reassign-to that is the role itself or does not exist', async () => {
    await server.query('CREATE ROLE adm_stays LOGIN');
    expect(
      await runCli(['login', 'drop', 'adm_stays', '--reassign-to', 'adm_stays', ...db()]),
    ).toEqual({
      exitCode: 1,
      stdout: '',
      stderr:
        'error: --reassign-to names the role being dropped, "adm_stays"\nRun "pgward --help" for usage.\n',
    });
    expect(
      await runCli(['login', 'drop', 'adm_stays', '--reassign-to', 'adm_nobody', ...db()]),
    ).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'error: role "adm_nobody" (--reassign-to) does not exist\n',
    });
    expect(await roleRow('adm_stays')).toBeDefined();
  });

  it('never drops pg_* roles, the bootstrap superuser, the connecting role or a group role', async () => {
    const [{ bootstrap } = { bootstrap: '' }] = await server.query<{ bootstrap: string }>(
      'SELECT rolname AS bootstrap FROM pg_roles WHERE oid = 10',
    );
    await server.query(
      "CREATE ROLE adm_admin LOGIN CREATEROLE PASSWORD 'adm-admin-pw'; GRANT adm_boss TO adm_admin WITH ADMIN OPTION",
    );
    const asAdmin = new URL(server.url());
    asAdmin.username = 'adm_admin';
    asAdmin.password = 'adm-admin-pw';
    const cases: [string[], string][] = [
      [
        ['pg_monitor', ...db()],
        'error: role "pg_monitor" is protected (pg_ roles belong to PostgreSQL): pgward never drops it',
      ],
      [
        [bootstrap, ...db()],
        `error: role "${bootstrap}" is protected (bootstrap superuser): pgward never drops it`,
      ],
      [
        ['adm_admin', '--db', asAdmin.toString()],
        'error: role "adm_admin" is protected (connecting role): pgward never drops it',
      ],
      [
        ['adm_reader', ...db()],
        'error: role "adm_reader" cannot log in: pgward login drop only drops login roles; to retire a group role, write `adm_reader: { absent: true }` under roles: in the config and apply it',
      ],
      [['adm_ghost', ...db()], 'error: role "adm_ghost" does not exist'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['login', 'drop', ...args]);
      expect(result).toEqual({ exitCode: 1, stdout: '', stderr: `${message}\n` });
    }
    expect(await roleRow('adm_admin')).toBeDefined();
    expect(await roleRow('adm_reader')).toBeDefined();
  });
});

describe('--help', () => {
  it('describes each command with examples', async () => {
    for (const command of [
      ['roles'],
      ['members'],
      ['grants'],
      ['login'],
      ['login', 'create'],
      ['login', 'drop'],
      ['login', 'list'],
      ['export'],
    ]) {
      const result = await runCli([...command, '--help']);
      expect(result.exitCode, command.join(' ')).toBe(0);
      expect(result.stdout, command.join(' ')).toContain('Examples:');
    }
  });

  it('exits 1 when login is given no subcommand', async () => {
    expect(await runCli(['login'])).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'error: name a login command: create, drop or list\nRun "pgward --help" for usage.\n',
    });
  });
});
