/**
 * Library API, `db.dropLogin`: what `pgward login drop` runs. Each refusal is a DropLoginError
 * whose `refusal` carries the data (no CLI wording: no `--reassign-to`), with the catalog
 * unchanged; each drop is checked in the catalog (pg_roles, owners, ACLs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  DropLoginError,
  type DropLoginRefusal,
  type PgwardDatabase,
} from '../../src/index.js';
import { failure } from '../support/calls.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let db: PgwardDatabase;

beforeAll(async () => {
  await server.query(`
    CREATE ROLE dl_heir;
    CREATE ROLE dl_group;
    CREATE ROLE dl_member LOGIN;
    GRANT dl_group TO dl_member;
    CREATE ROLE dl_login_group LOGIN;
    GRANT dl_login_group TO dl_member;
    CREATE SCHEMA dl_app;
    CREATE TABLE dl_app.orders (id int);
  `);
  db = await connect(server.url());
});
afterAll(async () => {
  await db.close();
});

async function exists(role: string): Promise<boolean> {
  const rows = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  return rows.length === 1;
}

/** The refusal `db.dropLogin` throws, after checking that the role is still there. */
async function refusal(
  role: string,
  options: { reassignTo?: string } = {},
): Promise<{ refusal: DropLoginRefusal; message: string }> {
  const error = await failure(db.dropLogin(role, options));
  expect(error).toBeInstanceOf(DropLoginError);
  const refused = error as DropLoginError;
  expect(refused.role).toBe(role);
  // The library's words name its own option, never the CLI's flag.
  expect(refused.message).not.toContain('--');
  return { refusal: refused.refusal, message: refused.message };
}

describe('db.dropLogin refuses, changing nothing', () => {
  it('a protected role: pg_*, the bootstrap superuser, the connecting role', async () => {
    const [{ bootstrap } = { bootstrap: '' }] = await server.query<{ bootstrap: string }>(
      'SELECT rolname AS bootstrap FROM pg_roles WHERE oid = 10',
    );
    expect((await refusal('pg_monitor')).refusal).toEqual({
      kind: 'protected',
      reason: 'pg_ roles belong to PostgreSQL',
    });
    expect((await refusal(bootstrap)).refusal).toEqual({
      kind: 'protected',
      reason: 'bootstrap superuser',
    });
    await server.query(
      "CREATE ROLE dl_admin LOGIN CREATEROLE PASSWORD 'dl-admin-pw'; GRANT dl_heir TO dl_admin WITH ADMIN OPTION",
    );
    const url = new URL(server.url());
    url.username = 'dl_admin';
    url.password = 'dl-admin-pw';
    const asAdmin = await connect(url.toString());
    try {
      const error = await failure(asAdmin.dropLogin('dl_admin'));
      expect((error as DropLoginError).refusal).toEqual({
        kind: 'protected',
        reason: 'connecting role',
      });
    } finally {
      await asAdmin.close();
    }
    expect(await exists('dl_admin')).toBe(true);
  });

  it('a missing role, and a missing or identical reassignTo', async () => {
    expect(await refusal('dl_ghost')).toEqual({
      refusal: { kind: 'missing' },
      message: 'role "dl_ghost" does not exist',
    });
    await server.query('CREATE ROLE dl_self LOGIN');
    expect((await refusal('dl_self', { reassignTo: 'dl_self' })).refusal).toEqual({
      kind: 'reassign_to_itself',
    });
    expect((await refusal('dl_self', { reassignTo: 'dl_nobody' })).refusal).toEqual({
      kind: 'reassign_target_missing',
      target: 'dl_nobody',
    });
    expect(await exists('dl_self')).toBe(true);
  });

  it('a group role: no LOGIN, or with members', async () => {
    expect((await refusal('dl_group')).refusal).toEqual({ kind: 'not_login' });
    expect((await refusal('dl_login_group')).refusal).toEqual({
      kind: 'group_role',
      members: ['dl_member'],
    });
    expect(await exists('dl_group')).toBe(true);
    expect(await exists('dl_login_group')).toBe(true);
  });

  it('a role that owns objects here, listing them; with reassignTo it hands them over', async () => {
    await server.query(`
      CREATE ROLE dl_owner LOGIN;
      CREATE TABLE dl_app.owned (id int);
      ALTER TABLE dl_app.owned OWNER TO dl_owner;
      CREATE SCHEMA dl_owned AUTHORIZATION dl_owner;
    `);
    expect(await refusal('dl_owner')).toEqual({
      refusal: {
        kind: 'owns_objects',
        database: server.database,
        count: 2,
        objects: ['schema dl_owned', 'table dl_app.owned'],
      },
      message: [
        `role "dl_owner" owns 2 objects in database "${server.database}"; give reassignTo to hand them over before dropping it`,
        '  schema dl_owned',
        '  table dl_app.owned',
      ].join('\n'),
    });
    expect(await exists('dl_owner')).toBe(true);

    // With reassignTo, what it owns here goes to that role, then it is dropped.
    await db.dropLogin('dl_owner', { reassignTo: 'dl_heir' });
    expect(await exists('dl_owner')).toBe(false);
    const owners = await server.query<{ owner: string }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'dl_app.owned'::regclass
       UNION ALL SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'dl_owned'`,
    );
    expect(owners).toEqual([{ owner: 'dl_heir' }, { owner: 'dl_heir' }]);
  });

  it('lists the first 20 objects it owns and counts the rest', async () => {
    const tables = Array.from({ length: 23 }, (_, i) => `dl_many.t${String(i).padStart(2, '0')}`);
    await server.query(`
      CREATE ROLE dl_many_owner LOGIN;
      CREATE SCHEMA dl_many;
      ${tables.map((t) => `CREATE TABLE ${t} (id int); ALTER TABLE ${t} OWNER TO dl_many_owner;`).join('\n')}
    `);
    const { refusal: refused, message } = await refusal('dl_many_owner');
    expect(refused).toMatchObject({ kind: 'owns_objects', count: 23 });
    expect(refused.kind === 'owns_objects' && refused.objects).toEqual(
      tables.slice(0, 20).map((t) => `table ${t}`),
    );
    expect(message.split('\n').at(-1)).toBe('  ... and 3 more');
  });

  it('a role that owns or holds anything in another database, even with reassignTo', async () => {
    const other = await server.createDatabase('dl_other');
    await server.query('CREATE ROLE dl_elsewhere LOGIN');
    await server.query(
      'CREATE TABLE t (id int); ALTER TABLE t OWNER TO dl_elsewhere; CREATE TABLE u (id int); GRANT SELECT ON u TO dl_elsewhere',
      [],
      other,
    );
    expect(await refusal('dl_elsewhere', { reassignTo: 'dl_heir' })).toEqual({
      refusal: {
        kind: 'owns_in_other_databases',
        databases: [{ database: other, owned: 1, other: 1 }],
      },
      message: [
        'role "dl_elsewhere" still owns or holds privileges in other databases; run REASSIGN OWNED BY / DROP OWNED BY there first',
        `  database "${other}": owns 1 object and holds privileges on or is named in 1 object`,
      ].join('\n'),
    });
    expect(await exists('dl_elsewhere')).toBe(true);
  });
});

describe('db.dropLogin drops', () => {
  it('a login role that owns nothing, revoking its privileges', async () => {
    await server.query(`
      CREATE ROLE dl_temp LOGIN;
      GRANT dl_group TO dl_temp;
      GRANT SELECT ON dl_app.orders TO dl_temp;
    `);
    await db.dropLogin('dl_temp');
    expect(await exists('dl_temp')).toBe(false);
    // Only the owner's own privileges are left on the table it was granted SELECT on.
    const grantees = await server.query<{ grantee: string }>(
      `SELECT a.grantee::regrole::text AS grantee
         FROM pg_class AS c, aclexplode(c.relacl) AS a
        WHERE c.oid = 'dl_app.orders'::regclass AND a.grantee <> c.relowner`,
    );
    expect(grantees).toEqual([]);
  });
});
