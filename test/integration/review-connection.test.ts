/**
 * Spec §2 as a user meets it: a unix-socket directory in PGHOST works, and a connection that
 * fails is one line on stderr (exit 1), with no stack trace and no password, for every command
 * that connects.
 */
import { chmod, chown, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/sandbox/embedded-postgres.js';
import { openConnection } from '../../src/execute/connection.js';
import { quoteIdent } from '../../src/sql/quote.js';
import { binariesFor } from '../support/binaries.js';
import { ensureBuilt, runCli, runCliProcess } from '../support/cli.js';

const PASSWORD = 'Sup3rS3cret';

let server: EmbeddedPostgres;
let dir: string;

async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  ensureBuilt();
  // A server of our own rather than useTestServer(): the test needs its socket directory.
  server = await startEmbeddedPostgres({
    binaries: await binariesFor(inject('pgMajor')),
    templateDataDir: inject('pgTemplateDataDir'),
    tcp: true,
  });
  dir = await mkdtemp(join(tmpdir(), 'pgward-review-connection-'));
  await writeFile(
    join(dir, 'pgward.yaml'),
    'version: 1\nroles:\n  via_socket:\n    login: true\n    connection_limit: 3\n',
  );
});

afterAll(async () => {
  await query('DROP ROLE IF EXISTS via_socket').catch(() => undefined);
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PGHOST naming a unix-socket directory', () => {
  // Local connections are trusted and TCP ones need a password: with no password given,
  // only the socket can succeed.
  const socketEnv = () => ({
    PGHOST: server.socketDir,
    PGPORT: String(server.port),
    PGUSER: 'postgres',
    PGDATABASE: 'postgres',
  });

  it('plan, apply and the listings connect through the socket', async () => {
    const plan = await runCliProcess(['plan', '--detailed-exitcode'], {
      cwd: dir,
      env: socketEnv(),
    });
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('+ create role "via_socket" (login, connection limit 3)');

    const apply = await runCliProcess(['apply', '--yes'], { cwd: dir, env: socketEnv() });
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toContain('Apply complete: 1 added, 0 changed, 0 destroyed.');
    expect(
      await query('SELECT rolcanlogin, rolconnlimit FROM pg_roles WHERE rolname = $1', [
        'via_socket',
      ]),
    ).toEqual([{ rolcanlogin: true, rolconnlimit: 3 }]);

    const roles = await runCliProcess(['roles'], { cwd: dir, env: socketEnv() });
    expect(roles.exitCode).toBe(0);
    expect(roles.stdout).toMatch(/^via_socket +login, connection limit 3$/m);
  });

  it('a socket with no server behind it is one line naming the socket', async () => {
    const result = await runCliProcess(['roles'], {
      cwd: dir,
      env: { ...socketEnv(), PGPORT: '1' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `error: could not connect to database "postgres" at socket ${server.socketDir}/.s.PGSQL.1 as "postgres": connect ENOENT ${server.socketDir}/.s.PGSQL.1\n`,
    );
  });
});

describe('no user given at all', () => {
  // libpq then logs in as the operating-system user (getpwuid), whatever $USER says;
  // node-postgres alone would take $USER, and with it unset, "undefined".
  const osUser = userInfo().username;
  beforeAll(async () => {
    await query(`CREATE ROLE ${quoteIdent(osUser)} LOGIN`);
  });
  afterAll(async () => {
    await query(`DROP ROLE IF EXISTS ${quoteIdent(osUser)}`).catch(() => undefined);
  });

  it('logs in as the operating-system user, with USER and PGUSER unset or USER set to another', async () => {
    const socketEnv = {
      PGHOST: server.socketDir,
      PGPORT: String(server.port),
      PGDATABASE: 'postgres',
    };
    for (const env of [socketEnv, { ...socketEnv, USER: 'someone_else' }]) {
      const result = await runCliProcess(['roles'], { cwd: dir, env });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
    }
    const uri = `postgresql:///postgres?host=${encodeURIComponent(server.socketDir)}&port=${server.port}`;
    const client = await openConnection({ url: uri, env: {} });
    const { rows } = await client.query<{ u: string }>('SELECT session_user AS u');
    await client.end();
    expect(rows[0]?.u).toBe(osUser);
    // A user that does not exist is named in the error, never "undefined".
    const failed = await runCliProcess(
      ['roles', '--db', `postgresql://127.0.0.1:${server.port}/postgres`],
      { cwd: dir },
    );
    expect(failed.stderr).toMatch(
      new RegExp(
        `^error: could not connect to database "postgres" at 127\\.0\\.0\\.1:\\d+ as "${osUser}": `,
      ),
    );
  });
});

describe('no host given at all', () => {
  // libpq then uses the local server's socket (/var/run/postgresql or /tmp), where peer or
  // trust authentication needs no password; TCP localhost would ask for one.
  let local: EmbeddedPostgres;
  beforeAll(async () => {
    local = await startEmbeddedPostgres({
      binaries: await binariesFor(inject('pgMajor')),
      templateDataDir: inject('pgTemplateDataDir'),
      settings: { unix_socket_directories: '/tmp' },
      tcp: true,
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('connects through the socket in /tmp, with PGPORT or a URI without host', async () => {
    const env = { PGPORT: String(local.port), PGUSER: 'postgres', PGDATABASE: 'postgres' };
    const fromEnv = await runCliProcess(['roles'], { cwd: dir, env });
    expect(fromEnv.stderr).toBe('');
    expect(fromEnv.stdout).toMatch(/^postgres +superuser/m);

    const fromUri = await runCliProcess(['roles', '--db', 'postgresql://postgres@/postgres'], {
      cwd: dir,
      env: { PGPORT: String(local.port) },
    });
    expect(fromUri.stderr).toBe('');
    expect(fromUri.exitCode).toBe(0);
  });

  it('says so in libpq terms when TCP asks for a password that was not given', async () => {
    const result = await runCli(
      ['roles', '--db', `postgresql://postgres@127.0.0.1:${local.port}/postgres`],
      { cwd: dir },
    );
    expect(result.stderr).toBe(
      `error: could not connect to database "postgres" at 127.0.0.1:${local.port} as "postgres": the server asks for a password and none was given (in the URI, PGPASSWORD or ~/.pgpass)\n`,
    );
  });
});

describe('a connection that fails', () => {
  // Port 1 on the loopback: nothing listens there, the connection is refused at once.
  const refused = `postgresql://pgward:${PASSWORD}@127.0.0.1:1/postgres`;
  const COMMANDS: readonly (readonly string[])[] = [
    ['plan'],
    ['apply', '--yes'],
    ['apply', 'plan.json'],
    ['drift'],
    ['inventory'],
    ['export'],
    ['roles'],
    ['members', 'via_socket'],
    ['grants', 'via_socket'],
    ['login', 'create', 'carol'],
    ['login', 'drop', 'carol'],
    ['login', 'list'],
  ];

  beforeAll(async () => {
    const saved = await runCli(['plan', '--out', 'plan.json'], {
      cwd: dir,
      env: { DATABASE_URL: server.url() },
    });
    expect(saved.exitCode).toBe(0);
  });

  it.each(COMMANDS.map((args) => [args.join(' '), args] as const))(
    'is one line without stack trace or password: pgward %s',
    async (_line, args) => {
      const result = await runCli(args, { cwd: dir, env: { DATABASE_URL: refused } });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^error: could not connect to database "postgres" at 127\.0\.0\.1:1 as "pgward": connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
      );
    },
  );

  it('with a wrong password is refused by the server in one line that does not repeat it', async () => {
    const url = new URL(server.url());
    url.password = PASSWORD;
    const result = await runCli(['roles', '--db', url.toString()], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `error: could not connect to database "postgres" at 127.0.0.1:${server.port} as "postgres": password authentication failed for user "postgres"\n`,
    );
  });

  it('never quotes a keyword=value connection string, which may hold a password', async () => {
    const result = await runCli(
      ['plan', '--db', `host=127.0.0.1 port=1 user=pgward password=${PASSWORD}`],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(/^error: the connection string is not a postgresql:\/\/ URI/);
    expect(result.stderr).not.toContain(PASSWORD);

    const fromEnv = await runCli(['plan'], {
      cwd: dir,
      env: { DATABASE_URL: `dbname=postgres password=${PASSWORD}` },
    });
    expect(fromEnv.exitCode).toBe(1);
    expect(fromEnv.stderr).toMatch(/^error: DATABASE_URL is not a postgresql:\/\/ URI/);
    expect(fromEnv.stderr).not.toContain(PASSWORD);
  });

  it('reports a malformed URI as such, not as an internal error', async () => {
    const result = await runCli(
      ['drift', '--db', `postgresql://pgward:${PASSWORD}@127.0.0.1:notaport/postgres`],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'error: the connection string is not a valid postgresql:// URI: Invalid URL\n',
    );
  });
});

describe('a URI libpq would refuse or read differently', () => {
  const at = (query: string, password = PASSWORD): string =>
    `postgresql://pgward:${password}@127.0.0.1:1/postgres${query}`;

  it.each([
    ['a "%" that starts no escape', at('', 'S3cr%zzet'), 'error: invalid percent-encoded token in the connection URI: a "%" must start %XX'],
    ['%00', at('', 'a%00b'), 'error: forbidden value %00 in a percent-encoded value of the connection URI'],
    ['a parameter libpq does not know (a misspelt sslmode)', at('?sslmod=verify-full'), 'error: invalid URI query parameter: "sslmod"'],
    ['a libpq parameter pgward would ignore', at('?sslmode=require&channel_binding=require'), 'error: URI query parameter "channel_binding" is not supported by pgward, which would ignore it (supported: host, port, dbname, user, password, options, application_name, fallback_application_name, client_encoding, connect_timeout, sslmode, sslrootcert, sslcert, sslkey, ssl, uselibpqcompat)'],
    ['a connect_timeout that is not an integer', at('?connect_timeout=abc'), 'error: invalid integer value "abc" for connection option "connect_timeout"'],
  ])('is refused before connecting, in one line without the password: %s', async (_name, url, line) => {
    const result = await runCli(['plan', '--db', url], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${line}\n`);
  }); // prettier-ignore

  it("adds the URI's options (else PGOPTIONS) to pgward's, which win where both set something", async () => {
    const shown = async (url: string, env: Record<string, string | undefined> = {}) => {
      const client = await openConnection({ url, env });
      try {
        const row = (
          await client.query<{ tz: string; timeout: string; path: string }>(
            "SELECT pg_catalog.current_setting('TimeZone') AS tz, pg_catalog.current_setting('statement_timeout') AS timeout, pg_catalog.current_setting('search_path') AS path",
          )
        ).rows[0];
        return row;
      } finally {
        await client.end();
      }
    };
    const pinned = await shown(server.url());
    const options = encodeURIComponent('-c statement_timeout=4321 -c TimeZone=Europe/Paris -c search_path=evil');
    const withOptions = await shown(`${server.url()}${server.url().includes('?') ? '&' : '?'}options=${options}`);
    expect(withOptions).toEqual({ tz: 'UTC', timeout: '4321ms', path: pinned?.path });
    const fromEnv = await shown(server.url(), { PGOPTIONS: '-c statement_timeout=2222' });
    expect(fromEnv).toEqual({ tz: 'UTC', timeout: '2222ms', path: pinned?.path });
  }); // prettier-ignore
});

describe('sslmode as libpq reads it', () => {
  const tls = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tls');
  let secure: EmbeddedPostgres;
  let keyDir: string;

  beforeAll(async () => {
    // PostgreSQL refuses a key file that others can read; as root the server runs as nobody.
    keyDir = await mkdtemp(join(tmpdir(), 'pgward-tls-'));
    await chmod(keyDir, 0o755);
    for (const file of ['server.crt', 'server.key']) {
      await copyFile(join(tls, file), join(keyDir, file));
      await chmod(join(keyDir, file), 0o600);
      if (process.getuid?.() === 0) await chown(join(keyDir, file), 65534, 65534);
    }
    secure = await startEmbeddedPostgres({
      binaries: await binariesFor(inject('pgMajor')),
      templateDataDir: inject('pgTemplateDataDir'),
      settings: {
        ssl: 'on',
        ssl_cert_file: join(keyDir, 'server.crt'),
        ssl_key_file: join(keyDir, 'server.key'),
      },
      tcp: true,
    });
  });
  afterAll(async () => {
    await secure?.stop();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  /** Whether the session pgward opened with these options is encrypted. */
  async function encrypted(url: string, env: Record<string, string> = {}): Promise<boolean> {
    const client = await openConnection({ url, env });
    try {
      const { rows } = await client.query<{ ssl: boolean }>(
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      return rows[0]!.ssl;
    } finally {
      await client.end();
    }
  }
  const withMode = (url: string, mode: string) => `${url}?sslmode=${mode}`;

  it('require encrypts without checking the certificate, from the URI or PGSSLMODE', async () => {
    expect(await encrypted(withMode(secure.url(), 'require'))).toBe(true);
    expect(await encrypted(secure.url(), { PGSSLMODE: 'require' })).toBe(true);
    expect(await encrypted(withMode(secure.url(), 'prefer'))).toBe(true);
    expect(await encrypted(withMode(secure.url(), 'disable'))).toBe(false);
  });

  it('with no sslmode, prefers SSL as libpq does, and goes plain where the server has none', async () => {
    expect(await encrypted(secure.url())).toBe(true);
    expect(await encrypted(server.url())).toBe(false);
  });

  /** A HOME of its own, with `root` (a certificate file) as ~/.postgresql/root.crt if given. */
  async function home(root?: string): Promise<string> {
    const path = await mkdtemp(join(dir, 'home-'));
    if (root) {
      await mkdir(join(path, '.postgresql'));
      await copyFile(root, join(path, '.postgresql', 'root.crt'));
    }
    return path;
  }
  /** A CA certificate that did not sign the server's: the first of Node's trusted roots. */
  async function otherCa(): Promise<string> {
    const path = join(dir, 'other-ca.crt');
    await writeFile(path, rootCertificates[0] ?? '');
    return path;
  }
  const serverCa = () => join(tls, 'server.crt');
  const notVerified = /: (self[- ]signed certificate|unable to verify the first certificate)/;

  it('verify-ca and verify-full need a root certificate, as libpq does', async () => {
    const HOME = await home();
    const missing = `root certificate file "${HOME}/.postgresql/root.crt" does not exist; either provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification`;
    for (const mode of ['verify-ca', 'verify-full']) {
      await expect(encrypted(withMode(secure.url(), mode), { HOME })).rejects.toThrow(
        new RegExp(
          `^could not connect to database "postgres" at 127\\.0\\.0\\.1:\\d+ as "postgres": ${missing.replace(/[.()"]/g, '\\$&')}$`,
        ),
      );
      await expect(encrypted(secure.url(), { HOME, PGSSLMODE: mode })).rejects.toThrow(missing);
    }
    const cli = await runCliProcess(['roles', '--db', withMode(secure.url(), 'verify-ca')], {
      cwd: dir,
      env: { HOME },
    });
    expect(cli.exitCode).toBe(1);
    expect(cli.stderr).toMatch(
      /^error: could not connect to .*: root certificate file ".*" does not exist; /,
    );
  });

  it('verify-ca and verify-full check the certificate against the root certificate given', async () => {
    const HOME = await home();
    for (const mode of ['verify-ca', 'verify-full']) {
      expect(
        await encrypted(`${withMode(secure.url(), mode)}&sslrootcert=${serverCa()}`, { HOME }),
      ).toBe(true);
      expect(
        await encrypted(secure.url(), { HOME, PGSSLMODE: mode, PGSSLROOTCERT: serverCa() }),
      ).toBe(true);
      await expect(
        encrypted(secure.url(), { HOME, PGSSLMODE: mode, PGSSLROOTCERT: await otherCa() }),
      ).rejects.toThrow(notVerified);
    }
    // sslrootcert=system: the system's roots, which did not sign this certificate.
    await expect(
      encrypted(`${withMode(secure.url(), 'verify-full')}&sslrootcert=system`, { HOME }),
    ).rejects.toThrow(notVerified);
    await expect(
      encrypted(`${withMode(secure.url(), 'require')}&sslrootcert=system`, { HOME }),
    ).rejects.toThrow(
      'weak sslmode "require" may not be used with sslrootcert=system (use "verify-full")',
    );
  });

  it('require with a root certificate checks the server against it (libpq: as verify-ca)', async () => {
    const HOME = await home();
    await expect(
      encrypted(`${withMode(secure.url(), 'require')}&sslrootcert=${await otherCa()}`, { HOME }),
    ).rejects.toThrow(notVerified);
    await expect(
      encrypted(secure.url(), { HOME, PGSSLMODE: 'require', PGSSLROOTCERT: await otherCa() }),
    ).rejects.toThrow(notVerified);
    expect(
      await encrypted(`${withMode(secure.url(), 'require')}&sslrootcert=${serverCa()}`, { HOME }),
    ).toBe(true);
  });

  it('reads ~/.postgresql/root.crt as the default root certificate; PGSSLROOTCERT overrides it', async () => {
    const wrong = await home(await otherCa());
    await expect(encrypted(withMode(secure.url(), 'require'), { HOME: wrong })).rejects.toThrow(
      notVerified,
    );
    expect(
      await encrypted(withMode(secure.url(), 'require'), {
        HOME: wrong,
        PGSSLROOTCERT: serverCa(),
      }),
    ).toBe(true);
    const right = await home(serverCa());
    expect(await encrypted(withMode(secure.url(), 'verify-full'), { HOME: right })).toBe(true);
    expect(await encrypted(secure.url(), { HOME: right, PGSSLMODE: 'verify-ca' })).toBe(true);
  });

  it('an sslmode libpq does not know is an error naming it', async () => {
    await expect(encrypted(withMode(secure.url(), 'bogus'))).rejects.toThrow(
      'invalid sslmode value: "bogus" (in the connection URI; expected one of disable, allow, prefer, require, verify-ca, verify-full)',
    );
    const cli = await runCli(['roles'], {
      cwd: dir,
      env: { PGSSLMODE: 'Require', DATABASE_URL: secure.url() },
    });
    expect(cli.exitCode).toBe(1);
    expect(cli.stderr).toBe(
      'error: invalid sslmode value: "Require" (in PGSSLMODE; expected one of disable, allow, prefer, require, verify-ca, verify-full)\n',
    );
  });

  it('prefer falls back to a plain connection when the server has no SSL; require does not', async () => {
    expect(await encrypted(withMode(server.url(), 'prefer'))).toBe(false);
    expect(await encrypted(server.url(), { PGSSLMODE: 'prefer' })).toBe(false);
    await expect(encrypted(withMode(server.url(), 'require'))).rejects.toThrow(
      /: The server does not support SSL connections$/,
    );
  });

  it('a unix socket never uses SSL, whatever sslmode or PGSSLMODE says', async () => {
    const socket = `postgresql://postgres@/postgres?host=${encodeURIComponent(server.socketDir)}&port=${server.port}`;
    expect(await encrypted(`${socket}&sslmode=require`)).toBe(false);
    expect(await encrypted(socket, { PGSSLMODE: 'require' })).toBe(false);
  });

  it('the CLI connects with sslmode=require and prints no node-postgres warning', async () => {
    const result = await runCliProcess(['roles', '--db', withMode(secure.url(), 'require')], {
      cwd: dir,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});
