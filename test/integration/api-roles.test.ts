/**
 * Library API, roles: createRole / alterRole / dropRole / roleExists / listRoles, each checked
 * against the catalog (pg_roles, pg_authid, pg_auth_members) and, for passwords, by logging in
 * over TCP (the test server's TCP authentication is SCRAM-SHA-256).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, InvalidArgumentError, QueryError, type PgwardDatabase } from '../../src/index.js';
import { failure, sentWhile } from '../support/calls.js';
import { loginAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let db: PgwardDatabase;

beforeAll(async () => {
  db = await connect(server.url());
});
afterAll(async () => {
  await db.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface RoleRow {
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolinherit: boolean;
  rolcanlogin: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolconnlimit: number;
  valid_until: string | null;
  rolpassword: string | null;
}

async function roleRow(name: string): Promise<RoleRow | undefined> {
  const [row] = await server.query<RoleRow>(
    `SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolcanlogin, rolreplication,
            rolbypassrls, rolconnlimit, rolpassword,
            to_char(rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS valid_until
       FROM pg_authid WHERE rolname = $1`,
    [name],
  );
  return row;
}

async function membersOf(role: string): Promise<string[]> {
  const rows = await server.query<{ member: string }>(
    `SELECT m.rolname AS member FROM pg_auth_members am
       JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
      WHERE r.rolname = $1 ORDER BY 1`,
    [role],
  );
  return rows.map((row) => row.member);
}

/** Everything an error exposes: message, fields, the display statement and its causes. */
function everythingIn(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    parts.push(String(current), current.stack ?? '', JSON.stringify(current));
    for (const key of Object.getOwnPropertyNames(current)) {
      parts.push(String((current as unknown as Record<string, unknown>)[key]));
    }
    current = current.cause;
  }
  return parts.join('\n');
}

describe('createRole', () => {
  it('creates a role with PostgreSQL defaults when given no options', async () => {
    expect(await db.createRole('plain')).toBe(true);
    expect(await roleRow('plain')).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolinherit: true,
      rolcanlogin: false,
      rolreplication: false,
      rolbypassrls: false,
      rolconnlimit: -1,
      valid_until: null,
      rolpassword: null,
    });
  });

  it('sets every attribute option', async () => {
    await db.createRole('full', {
      superuser: true,
      createdb: true,
      createrole: true,
      inherit: false,
      login: true,
      replication: true,
      bypassrls: true,
      connectionLimit: 10,
      validUntil: '2026-12-31',
    });
    expect(await roleRow('full')).toEqual({
      rolsuper: true,
      rolcreatedb: true,
      rolcreaterole: true,
      rolinherit: false,
      rolcanlogin: true,
      rolreplication: true,
      rolbypassrls: true,
      rolconnlimit: 10,
      valid_until: '2026-12-31 00:00:00',
      rolpassword: null,
    });
  });

  it('accepts a Date for validUntil', async () => {
    await db.createRole('dated', { validUntil: new Date('2030-06-15T12:30:00Z') });
    expect((await roleRow('dated'))?.valid_until).toBe('2030-06-15 12:30:00');
  });

  it('stores a SCRAM-SHA-256 verifier with which the role can log in over TCP', async () => {
    await db.createRole('appuser', { login: true, password: 'correct horse' });
    expect((await roleRow('appuser'))?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    await expect(loginAs(server, 'appuser', 'correct horse')).resolves.toBe('appuser');
    await expect(loginAs(server, 'appuser', 'wrong horse')).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('never sends the plaintext password, only its verifier', async () => {
    const password = 'plaintext-Never-Sent-7';
    const sent = await sentWhile(() =>
      db.createRole('hashed_on_client', { login: true, password }),
    );
    expect(sent.some((sql) => sql.includes('SCRAM-SHA-256$'))).toBe(true);
    expect(sent.filter((sql) => sql.includes(password))).toEqual([]);
    await expect(loginAs(server, 'hashed_on_client', password)).resolves.toBe('hashed_on_client');
  });

  it('makes the role a member of inRoles in the same transaction', async () => {
    await db.createRole('readers');
    await db.createRole('writers');
    await db.createRole('analyst', { login: true, inRoles: ['readers', 'writers'] });
    expect(await membersOf('readers')).toEqual(['analyst']);
    expect(await membersOf('writers')).toEqual(['analyst']);
  });

  it('creates nothing when one of inRoles does not exist', async () => {
    const error = await failure(db.createRole('orphan', { inRoles: ['readers', 'ghost'] }));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('42704');
    expect(error.message).toContain('role "ghost" does not exist');
    expect(await roleRow('orphan')).toBeUndefined();
    expect(await membersOf('readers')).not.toContain('orphan');
  });

  it('with ifNotExists leaves an existing role exactly as it is', async () => {
    await db.createRole('existing', { connectionLimit: 3 });
    expect(
      await db.createRole('existing', {
        ifNotExists: true,
        connectionLimit: 99,
        login: true,
        inRoles: ['readers'],
      }),
    ).toBe(false);
    expect(await roleRow('existing')).toMatchObject({ rolconnlimit: 3, rolcanlogin: false });
    expect(await membersOf('readers')).not.toContain('existing');
  });

  it('without ifNotExists reports the existing role with the server code', async () => {
    const password = 'do-not-leak-1';
    const error = await failure(db.createRole('existing', { password }));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('42710');
    expect(error.message).toBe('role "existing" already exists');
    expect((error as QueryError).statement).toContain('(sensitive)');
    expect(everythingIn(error)).not.toContain(password);
    expect(everythingIn(error)).not.toContain('SCRAM-SHA-256$');
  });

  it('keeps names that need quoting literally', async () => {
    const name = 'Mixed "Case"';
    await db.createRole(name, { login: true, password: 'quoted pw', inRoles: ['readers'] });
    expect(await roleRow(name)).toMatchObject({ rolcanlogin: true });
    expect(await roleRow('mixed "case"')).toBeUndefined();
    expect(await membersOf('readers')).toContain(name);
    await expect(loginAs(server, name, 'quoted pw')).resolves.toBe(name);
  });

  it('refuses bad arguments before sending any SQL', async () => {
    const cases: Array<[string, Parameters<PgwardDatabase['createRole']>[1], RegExp]> = [
      ['x'.repeat(64), {}, /64 bytes long/],
      ['', {}, /non-empty/],
      ['ok_name', { password: '' }, /password must be a non-empty string/],
      ['ok_name', { connectionLimit: -2 }, /connectionLimit/],
      ['ok_name', { connectionLimit: 1.5 }, /connectionLimit/],
      ['ok_name', { validUntil: new Date('nonsense') }, /invalid Date/],
      ['ok_name', { inRoles: ['é'.repeat(32)] }, /64 bytes long/],
      ['evil\nname', {}, /contains a control character/],
      ['public', {}, /reserved by PostgreSQL/],
    ];
    for (const [name, options, message] of cases) {
      const sent = await sentWhile(async () => {
        const error = await failure(db.createRole(name, options));
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(error.message).toMatch(message);
      });
      expect(sent).toEqual([]);
    }
    expect(await roleRow('ok_name')).toBeUndefined();
  });

  it('reports an unparsable validUntil from the server and creates nothing', async () => {
    const error = await failure(db.createRole('bad_date', { validUntil: 'next tuesday' }));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('22007');
    expect(await roleRow('bad_date')).toBeUndefined();
  });
});

describe('alterRole', () => {
  it('changes only the attributes given', async () => {
    await db.createRole('alterme', { createdb: true, connectionLimit: 5 });
    await db.alterRole('alterme', { login: true, connectionLimit: 20, validUntil: '2027-01-01' });
    expect(await roleRow('alterme')).toMatchObject({
      rolcanlogin: true,
      rolcreatedb: true,
      rolconnlimit: 20,
      valid_until: '2027-01-01 00:00:00',
    });
    await db.alterRole('alterme', {
      superuser: true,
      createdb: false,
      createrole: true,
      inherit: false,
      replication: true,
      bypassrls: true,
    });
    expect(await roleRow('alterme')).toMatchObject({
      rolsuper: true,
      rolcreatedb: false,
      rolcreaterole: true,
      rolinherit: false,
      rolreplication: true,
      rolbypassrls: true,
      rolcanlogin: true,
      rolconnlimit: 20,
    });
  });

  it('removes the expiry with validUntil null', async () => {
    await db.createRole('expiring', { validUntil: '2026-01-01' });
    await db.alterRole('expiring', { validUntil: null });
    const [row] = await server.query<{ ok: boolean }>(
      `SELECT rolvaliduntil IS NULL OR rolvaliduntil = 'infinity' AS ok FROM pg_roles WHERE rolname = 'expiring'`,
    );
    expect(row?.ok).toBe(true);
    expect((await db.listRoles()).find((r) => r.name === 'expiring')?.valid_until).toBeNull();
  });

  it('sets a new password as a verifier, and renames keeping it', async () => {
    const password = 'new-Secret-9';
    await db.createRole('renamer', { login: true, password: 'old one' });
    const sent = await sentWhile(() =>
      db.alterRole('renamer', { password, renameTo: 'Renamed Role' }),
    );
    expect(sent.filter((sql) => sql.includes(password))).toEqual([]);
    expect(await roleRow('renamer')).toBeUndefined();
    expect((await roleRow('Renamed Role'))?.rolpassword).toMatch(/^SCRAM-SHA-256\$/);
    await expect(loginAs(server, 'Renamed Role', password)).resolves.toBe('Renamed Role');
    await expect(loginAs(server, 'Renamed Role', 'old one')).rejects.toThrow();
  });

  it('changes nothing when a later part fails', async () => {
    await db.createRole('taken');
    await db.createRole('keeper', { connectionLimit: 1 });
    const error = await failure(
      db.alterRole('keeper', { connectionLimit: 50, password: 'pw-keeper', renameTo: 'taken' }),
    );
    expect((error as QueryError).code).toBe('42710');
    expect(everythingIn(error)).not.toContain('pw-keeper');
    expect(await roleRow('keeper')).toMatchObject({ rolconnlimit: 1, rolpassword: null });
  });

  it('reports a missing role without the password', async () => {
    const error = await failure(db.alterRole('ghost', { password: 'ghost-password-3' }));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('42704');
    expect(error.message).toBe('role "ghost" does not exist');
    expect(everythingIn(error)).not.toContain('ghost-password-3');
    expect(everythingIn(error)).not.toContain('SCRAM-SHA-256$');
  });

  it('sends nothing when given no options', async () => {
    expect(await sentWhile(() => db.alterRole('keeper', {}))).toEqual([]);
  });
});

describe('dropRole and roleExists', () => {
  it('drops a role', async () => {
    await db.createRole('dropme');
    expect(await db.roleExists('dropme')).toBe(true);
    expect(await db.dropRole('dropme')).toBe(true);
    expect(await db.roleExists('dropme')).toBe(false);
    expect(await roleRow('dropme')).toBeUndefined();
  });

  it('is exact about names', async () => {
    await db.createRole('CaseSensitive');
    expect(await db.roleExists('CaseSensitive')).toBe(true);
    expect(await db.roleExists('casesensitive')).toBe(false);
    expect(await db.roleExists('Mixed "Case"')).toBe(true);
  });

  it('fails on a missing role without ifExists, and does nothing with it', async () => {
    const error = await failure(db.dropRole('never_was'));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('42704');
    expect((error as QueryError).statement).toBe('DROP ROLE "never_was"');
    expect(await db.dropRole('never_was', { ifExists: true })).toBe(false);
  });

  it('keeps the server detail when the role still owns objects, and drops nothing', async () => {
    await db.createRole('owner_role');
    await server.query(
      'CREATE TABLE owned_table (id int); ALTER TABLE owned_table OWNER TO owner_role',
    );
    const error = await failure(db.dropRole('owner_role', { ifExists: true }));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('2BP01');
    // Schema-qualified: pgward's sessions pin search_path to pg_catalog, pg_temp.
    expect((error as QueryError).detail).toContain('owner of table public.owned_table');
    expect(error.message).toContain('DETAIL: owner of table public.owned_table');
    expect(await db.roleExists('owner_role')).toBe(true);
  });
});

describe('listRoles', () => {
  it('lists roles sorted by name, with the bootstrap superuser and without pg_* roles', async () => {
    const roles = await db.listRoles();
    const names = roles.map((role) => role.name);
    expect(names).toEqual([...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    expect(names).toContain('postgres');
    expect(names.filter((name) => name.startsWith('pg_'))).toEqual([]);
    const [{ count }] = (await server.query<{ count: string }>(
      `SELECT count(*) AS count FROM pg_roles WHERE rolname !~ '^pg_'`,
    )) as [{ count: string }];
    expect(roles).toHaveLength(Number(count));
  });

  it('reports each role with the documented fields', async () => {
    const roles = await db.listRoles();
    expect(roles.find((role) => role.name === 'full')).toEqual({
      name: 'full',
      superuser: true,
      createrole: true,
      createdb: true,
      login: true,
      replication: true,
      connection_limit: 10,
      valid_until: '2026-12-31T00:00:00.000Z',
    });
    expect(roles.find((role) => role.name === 'plain')).toEqual({
      name: 'plain',
      superuser: false,
      createrole: false,
      createdb: false,
      login: false,
      replication: false,
      connection_limit: -1,
      valid_until: null,
    });
  });

  it('adds the pg_* roles with includeSystem', async () => {
    const all = (await db.listRoles({ includeSystem: true })).map((role) => role.name);
    expect(all).toContain('pg_monitor');
    expect(all).toContain('postgres');
    const [{ count }] = (await server.query<{ count: string }>(
      'SELECT count(*) AS count FROM pg_roles',
    )) as [{ count: string }];
    expect(all).toHaveLength(Number(count));
  });
});
