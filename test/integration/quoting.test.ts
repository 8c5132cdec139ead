/**
 * Quoting torture test: names with double quotes, dots, spaces, upper case, unicode, reserved
 * words, a backslash, a single quote and an injection attempt go through renderOperation, the
 * SQL runs on a real server, and the catalog must show exactly the intended change and
 * nothing else. Setup and assertions use node-postgres' own escaping and query parameters,
 * never the code under test.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_ATTRIBUTES } from '../../src/model/state.js';
import type { Operation } from '../../src/model/operations.js';
import { renderOperation } from '../../src/sql/render.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

const ROLES = {
  quote: 'Weird "Role"',
  dot: 'dot.role',
  space: 'space role',
  upper: 'UPPER',
  unicode: 'ünïcødé 角色',
  select: 'select',
  user: 'user',
  backslash: 'back\\slash',
  hostile: 'x"; DROP TABLE t; --',
  apostrophe: "o'reilly",
} as const;
const ROLE_NAMES = Object.values(ROLES);

const SCHEMA = 'Sch"ema.1';
const HOSTILE_TABLE = 'x"; DROP TABLE t; --';
const TABLES = [HOSTILE_TABLE, 'Mixed.Case', 'user'] as const;
const COLUMNS = ['Col "1"', 'select', 'a.b', 'ü', 'plain'] as const;

const id = pg.escapeIdentifier;
const lit = pg.escapeLiteral;

let client: pg.Client;
let versionNum = 0;

/** Runs the statements an operation renders to, on the file's database. */
async function apply(...operations: Operation[]): Promise<string[]> {
  const statements = operations.flatMap((op) => renderOperation(op, versionNum));
  for (const statement of statements) await client.query(statement);
  return statements;
}

async function rows<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
  return (await client.query<R>(sql, params)).rows;
}

/** Every privilege on every relation and column of the test schemas, as sorted lines. */
async function privilegeFacts(): Promise<string[]> {
  const result = await rows<{ fact: string }>(
    `SELECT format('%s.%s|%s|%s|%s|%s', n.nspname, c.relname, '',
                   g.rolname, acl.privilege_type, acl.is_grantable::text) AS fact
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL aclexplode(c.relacl) acl
       JOIN pg_roles g ON g.oid = acl.grantee
      WHERE n.nspname IN ($1, 'public', 'select') AND c.relkind = 'r' AND g.rolname <> 'postgres'
      UNION ALL
     SELECT format('%s.%s|%s|%s|%s|%s', n.nspname, c.relname, a.attname,
                   g.rolname, acl.privilege_type, acl.is_grantable::text)
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
       CROSS JOIN LATERAL aclexplode(a.attacl) acl
       JOIN pg_roles g ON g.oid = acl.grantee
      WHERE n.nspname IN ($1, 'public', 'select') AND c.relkind = 'r' AND g.rolname <> 'postgres'
      ORDER BY 1`,
    [SCHEMA],
  );
  return result.map((row) => row.fact);
}

async function memberships(): Promise<string[]> {
  const result = await rows<{ fact: string }>(
    `SELECT format('%s|%s|%s', r.rolname, m.rolname, am.admin_option::text) AS fact
       FROM pg_auth_members am
       JOIN pg_roles r ON r.oid = am.roleid
       JOIN pg_roles m ON m.oid = am.member
      WHERE NOT r.rolname LIKE 'pg\\_%'
      ORDER BY 1`,
  );
  return result.map((row) => row.fact);
}

async function tableStillExists(schema: string, table: string): Promise<boolean> {
  const [row] = await rows<{ found: boolean }>(
    `SELECT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = $1 AND c.relname = $2) AS found`,
    [schema, table],
  );
  return row?.found ?? false;
}

const tableRef = (name: string) => ({ kind: 'table', schema: SCHEMA, name }) as const;

beforeAll(async () => {
  client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  const [row] = await rows<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  versionNum = Number(row?.v);
  await client.query(`CREATE TABLE public.t (id int)`);
  await client.query(`CREATE SCHEMA ${id(SCHEMA)}`);
  await client.query(`CREATE SCHEMA "select"`);
  const columns = COLUMNS.map((column) => `${id(column)} int`).join(', ');
  for (const table of TABLES)
    await client.query(`CREATE TABLE ${id(SCHEMA)}.${id(table)} (${columns})`);
  await client.query(`CREATE TABLE "select"."from" (id int)`);
});

afterAll(async () => {
  await client?.end();
});

describe('quoting torture test', () => {
  it('creates roles whose names need every kind of quoting', async () => {
    for (const role of ROLE_NAMES) {
      await apply({
        type: 'create_role',
        role,
        attributes: { ...DEFAULT_ROLE_ATTRIBUTES, connectionLimit: 3 },
      });
    }
    const created = await rows<{ rolname: string; rolconnlimit: number }>(
      `SELECT rolname, rolconnlimit FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [ROLE_NAMES],
    );
    expect(created.map((role) => role.rolname).sort()).toEqual([...ROLE_NAMES].sort());
    expect(created.every((role) => role.rolconnlimit === 3)).toBe(true);
    expect(await tableStillExists('public', 't')).toBe(true);
  });

  it('grants and revokes table privileges on exactly the named tables and roles', async () => {
    const before = await privilegeFacts();
    const target = {
      scope: 'objects',
      kind: 'table',
      objects: [tableRef(HOSTILE_TABLE), tableRef('Mixed.Case')],
    } as const;
    await apply({
      type: 'grant_privileges',
      target,
      privileges: ['SELECT', 'INSERT'],
      grantees: [ROLES.hostile, ROLES.quote, ROLES.unicode],
      withGrantOption: false,
    });
    const expected = [HOSTILE_TABLE, 'Mixed.Case'].flatMap((table) =>
      [ROLES.hostile, ROLES.quote, ROLES.unicode].flatMap((role) =>
        ['INSERT', 'SELECT'].map((privilege) => `${SCHEMA}.${table}||${role}|${privilege}|false`),
      ),
    );
    const after = await privilegeFacts();
    expect(after.filter((fact) => !before.includes(fact)).sort()).toEqual(expected.sort());
    expect(before.filter((fact) => !after.includes(fact))).toEqual([]);

    // has_table_privilege agrees, by OID so that no name is parsed on the way.
    const [check] = await rows<{ granted: boolean; other: boolean }>(
      `SELECT has_table_privilege(r.oid, c.oid, 'SELECT') AS granted,
              has_table_privilege(r.oid, u.oid, 'SELECT') AS other
         FROM pg_roles r, pg_class c, pg_class u
        WHERE r.rolname = $1
          AND c.relname = $2 AND c.relnamespace = to_regnamespace(${lit(id(SCHEMA))})
          AND u.relname = 'user' AND u.relnamespace = c.relnamespace`,
      [ROLES.hostile, HOSTILE_TABLE],
    );
    expect(check).toEqual({ granted: true, other: false });

    await apply({
      type: 'revoke_privileges',
      target,
      privileges: ['INSERT', 'SELECT'],
      grantees: [ROLES.hostile, ROLES.quote, ROLES.unicode],
      grantOptionOnly: false,
    });
    expect(await privilegeFacts()).toEqual(before);
    expect(await tableStillExists('public', 't')).toBe(true);
    expect(await tableStillExists(SCHEMA, HOSTILE_TABLE)).toBe(true);
  });

  it('grants column privileges on exactly the named columns', async () => {
    const before = await privilegeFacts();
    await apply({
      type: 'grant_privileges',
      target: { scope: 'objects', kind: 'table', objects: [tableRef(HOSTILE_TABLE)] },
      privileges: ['UPDATE', 'SELECT'],
      columns: ['Col "1"', 'select', 'a.b', 'ü'],
      grantees: [ROLES.backslash, ROLES.apostrophe],
      withGrantOption: true,
    });
    const added = (await privilegeFacts()).filter((fact) => !before.includes(fact));
    const expected = ['Col "1"', 'select', 'a.b', 'ü'].flatMap((column) =>
      [ROLES.backslash, ROLES.apostrophe].flatMap((role) =>
        ['SELECT', 'UPDATE'].map(
          (privilege) => `${SCHEMA}.${HOSTILE_TABLE}|${column}|${role}|${privilege}|true`,
        ),
      ),
    );
    expect(added.sort()).toEqual(expected.sort());

    const checks = await rows<{ attname: string; granted: boolean }>(
      `SELECT a.attname, has_column_privilege(r.oid, c.oid, a.attnum, 'UPDATE') AS granted
         FROM pg_roles r, pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
        WHERE r.rolname = $1 AND c.relname = $2
          AND c.relnamespace = to_regnamespace(${lit(id(SCHEMA))})
        ORDER BY a.attnum`,
      [ROLES.apostrophe, HOSTILE_TABLE],
    );
    expect(checks).toEqual([
      { attname: 'Col "1"', granted: true },
      { attname: 'select', granted: true },
      { attname: 'a.b', granted: true },
      { attname: 'ü', granted: true },
      { attname: 'plain', granted: false },
    ]);

    await apply({
      type: 'revoke_privileges',
      target: { scope: 'objects', kind: 'table', objects: [tableRef(HOSTILE_TABLE)] },
      privileges: ['SELECT', 'UPDATE'],
      columns: ['Col "1"', 'select', 'a.b', 'ü'],
      grantees: [ROLES.backslash, ROLES.apostrophe],
      grantOptionOnly: false,
    });
    expect(await privilegeFacts()).toEqual(before);
  });

  it('grants on all tables of a schema with a quote and a dot in its name, and no others', async () => {
    const before = await privilegeFacts();
    await apply({
      type: 'grant_privileges',
      target: { scope: 'all_in_schema', kind: 'table', schema: SCHEMA },
      privileges: ['SELECT'],
      grantees: [ROLES.select],
      withGrantOption: false,
    });
    const added = (await privilegeFacts()).filter((fact) => !before.includes(fact));
    expect(added.sort()).toEqual(
      TABLES.map((table) => `${SCHEMA}.${table}||select|SELECT|false`).sort(),
    );
    await apply({
      type: 'revoke_privileges',
      target: { scope: 'all_in_schema', kind: 'table', schema: SCHEMA },
      privileges: ['SELECT'],
      grantees: [ROLES.select],
      grantOptionOnly: false,
    });
    expect(await privilegeFacts()).toEqual(before);
  });

  it('grants schema privileges and EXECUTE on a routine with quoted argument types', async () => {
    await client.query(`CREATE TYPE ${id(SCHEMA)}.${id('My Type')} AS ENUM ('a')`);
    await client.query(
      `CREATE FUNCTION ${id(SCHEMA)}.${id('fn (x)')}(${id(SCHEMA)}.${id('My Type')}, integer)
         RETURNS int LANGUAGE sql AS 'SELECT 1'`,
    );
    await client.query(
      `REVOKE EXECUTE ON FUNCTION ${id(SCHEMA)}.${id('fn (x)')}(${id(SCHEMA)}.${id('My Type')}, integer) FROM PUBLIC`,
    );
    const [routine] = await rows<{ oid: number; args: string }>(
      `SELECT p.oid, oidvectortypes(p.proargtypes) AS args FROM pg_proc p WHERE p.proname = 'fn (x)'`,
    );
    if (routine === undefined) throw new Error('function not created');
    expect(routine.args).toBe('"Sch""ema.1"."My Type", integer');

    await apply(
      {
        type: 'grant_privileges',
        target: {
          scope: 'objects',
          kind: 'schema',
          objects: [{ kind: 'schema', schema: null, name: SCHEMA }],
        },
        privileges: ['USAGE'],
        grantees: [ROLES.user],
        withGrantOption: false,
      },
      {
        type: 'grant_privileges',
        target: {
          scope: 'objects',
          kind: 'function',
          objects: [{ kind: 'function', schema: SCHEMA, name: 'fn (x)', args: routine.args }],
        },
        privileges: ['EXECUTE'],
        grantees: [ROLES.user],
        withGrantOption: false,
      },
    );
    const [check] = await rows<{ usage: boolean; execute: boolean; others: boolean }>(
      `SELECT has_schema_privilege(r.oid, to_regnamespace(${lit(id(SCHEMA))}), 'USAGE') AS usage,
              has_function_privilege(r.oid, $2::oid, 'EXECUTE') AS execute,
              has_function_privilege(o.oid, $2::oid, 'EXECUTE') AS others
         FROM pg_roles r, pg_roles o WHERE r.rolname = $1 AND o.rolname = $3`,
      [ROLES.user, routine.oid, ROLES.hostile],
    );
    expect(check).toEqual({ usage: true, execute: true, others: false });
  });

  it('grants, alters and revokes memberships between oddly named roles', async () => {
    const before = await memberships();
    await apply(
      { type: 'grant_membership', role: ROLES.hostile, member: ROLES.quote, admin: false },
      { type: 'grant_membership', role: ROLES.unicode, member: ROLES.backslash, admin: true },
    );
    expect((await memberships()).filter((fact) => !before.includes(fact)).sort()).toEqual(
      [`${ROLES.hostile}|${ROLES.quote}|false`, `${ROLES.unicode}|${ROLES.backslash}|true`].sort(),
    );
    await apply({
      type: 'alter_membership',
      role: ROLES.hostile,
      member: ROLES.quote,
      grantor: 'postgres',
      admin: true,
    });
    expect(await memberships()).toContain(`${ROLES.hostile}|${ROLES.quote}|true`);
    await apply(
      { type: 'revoke_membership', role: ROLES.hostile, member: ROLES.quote, grantor: 'postgres' },
      { type: 'revoke_membership', role: ROLES.unicode, member: ROLES.backslash },
    );
    expect(await memberships()).toEqual(before);
  });

  it('sets default privileges that then apply to a new table, and revokes them', async () => {
    await client.query(`GRANT USAGE, CREATE ON SCHEMA "select" TO ${id(ROLES.hostile)}`);
    const defaults = {
      forRole: ROLES.hostile,
      schema: 'select',
      objectType: 'table',
      privileges: ['SELECT', 'UPDATE'],
      grantees: [ROLES.dot, ROLES.space],
    } as const;
    await apply({ type: 'grant_default_privileges', ...defaults, withGrantOption: false });
    const acl = await rows<{ grantee: string; privilege_type: string }>(
      `SELECT g.rolname AS grantee, acl.privilege_type
         FROM pg_default_acl d
         CROSS JOIN LATERAL aclexplode(d.defaclacl) acl
         JOIN pg_roles g ON g.oid = acl.grantee
        WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $1)
          AND d.defaclnamespace = to_regnamespace('"select"') AND d.defaclobjtype = 'r'
        ORDER BY 1, 2`,
      [ROLES.hostile],
    );
    expect(acl).toEqual([
      { grantee: ROLES.dot, privilege_type: 'SELECT' },
      { grantee: ROLES.dot, privilege_type: 'UPDATE' },
      { grantee: ROLES.space, privilege_type: 'SELECT' },
      { grantee: ROLES.space, privilege_type: 'UPDATE' },
    ]);

    await client.query(`SET ROLE ${id(ROLES.hostile)}`);
    await client.query(`CREATE TABLE "select"."created later" (id int)`);
    await client.query('RESET ROLE');
    const [check] = await rows<{ dot: boolean; other: boolean }>(
      `SELECT has_table_privilege($1, '"select"."created later"', 'UPDATE') AS dot,
              has_table_privilege($2, '"select"."created later"', 'SELECT') AS other`,
      [ROLES.dot, ROLES.upper],
    );
    expect(check).toEqual({ dot: true, other: false });

    await apply({ type: 'revoke_default_privileges', ...defaults, grantOptionOnly: false });
    const [left] = await rows<{ count: string }>(
      `SELECT count(*) FROM pg_default_acl
        WHERE defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
      [ROLES.hostile],
    );
    expect(left?.count).toBe('0');
  });

  it('comments on roles with quotes, backslashes, newlines and unicode, exactly', async () => {
    const comment = `it's "quoted" \\ back\\slash\nnew line ünï; DROP ROLE x; --`;
    await apply({ type: 'comment_role', role: ROLES.apostrophe, comment });
    const read = async () =>
      (
        await rows<{ description: string | null }>(
          `SELECT shobj_description(oid, 'pg_authid') AS description FROM pg_roles WHERE rolname = $1`,
          [ROLES.apostrophe],
        )
      )[0]?.description;
    expect(await read()).toBe(comment);
    // E'' literals mean the same whatever standard_conforming_strings says.
    await client.query('SET standard_conforming_strings = off');
    await apply({ type: 'comment_role', role: ROLES.apostrophe, comment: `${comment}!` });
    await client.query('RESET standard_conforming_strings');
    expect(await read()).toBe(`${comment}!`);
    await apply({ type: 'comment_role', role: ROLES.apostrophe, comment: null });
    expect(await read()).toBeNull();
  });

  it('sets and resets role settings, list values element by element', async () => {
    const role = ROLES.quote;
    const settings = async () =>
      (
        await rows<{ setconfig: string[] | null }>(
          `SELECT setconfig FROM pg_db_role_setting
            WHERE setdatabase = 0 AND setrole = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
          [role],
        )
      )[0]?.setconfig ?? [];
    await apply(
      {
        type: 'set_role_config',
        role,
        name: 'search_path',
        value: `"$user", "${'Sch""ema.1'}", "select", public`,
      },
      { type: 'set_role_config', role, name: 'statement_timeout', value: '30s' },
      { type: 'set_role_config', role, name: 'myapp.flag', value: `it's \\ "on"` },
      { type: 'set_role_config', role, name: 'DateStyle', value: 'ISO, DMY' },
    );
    expect(await settings()).toEqual([
      'search_path="$user", "Sch""ema.1", "select", public',
      'statement_timeout=30s',
      `myapp.flag=it's \\ "on"`,
      'DateStyle=ISO, DMY',
    ]);

    // What PostgreSQL stores renders back to the same stored value.
    const [stored] = (await settings()).map((entry) => entry.slice('search_path='.length));
    await apply({ type: 'set_role_config', role, name: 'search_path', value: stored ?? '' });
    expect((await settings())[0]).toBe('search_path="$user", "Sch""ema.1", "select", public');

    await apply(
      { type: 'set_role_config', role, name: 'myapp.flag', value: null },
      { type: 'set_role_config', role, name: 'statement_timeout', value: null },
    );
    expect(await settings()).toEqual([
      'search_path="$user", "Sch""ema.1", "select", public',
      'DateStyle=ISO, DMY',
    ]);
  });

  it('grants SET on a parameter where PostgreSQL has parameter privileges (15+)', async () => {
    const op: Operation = {
      type: 'grant_privileges',
      target: {
        scope: 'objects',
        kind: 'parameter',
        objects: [{ kind: 'parameter', schema: null, name: 'myapp.flag' }],
      },
      privileges: ['SET'],
      grantees: [ROLES.hostile],
      withGrantOption: false,
    };
    if (server.major < 15) {
      await expect(apply(op)).rejects.toThrow(/syntax error/);
      return;
    }
    await apply(op);
    const [check] = await rows<{ set: boolean; other: boolean }>(
      `SELECT has_parameter_privilege($1, 'myapp.flag', 'SET') AS set,
              has_parameter_privilege($2, 'myapp.flag', 'SET') AS other`,
      [ROLES.hostile, ROLES.upper],
    );
    expect(check).toEqual({ set: true, other: false });
  });

  it('renames a role to another hostile name and drops it with everything it owns', async () => {
    const renamed = `${ROLES.hostile} '); DROP ROLE "UPPER"; --`;
    await apply({ type: 'rename_role', from: ROLES.hostile, to: renamed });
    await client.query(`CREATE TABLE "select".owned (id int)`);
    await client.query(`ALTER TABLE "select".owned OWNER TO ${id(renamed)}`);
    await apply(
      { type: 'reassign_owned', role: renamed, to: ROLES.upper },
      { type: 'drop_owned', role: renamed },
      { type: 'drop_role', role: renamed },
    );
    const remaining = await rows<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [[...ROLE_NAMES, renamed]],
    );
    expect(remaining.map((role) => role.rolname).sort()).toEqual(
      ROLE_NAMES.filter((name) => name !== ROLES.hostile).sort(),
    );
    const [owner] = await rows<{ owner: string }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = '"select".owned'::regclass`,
    );
    expect(owner?.owner).toBe(ROLES.upper);
    expect(await tableStillExists('public', 't')).toBe(true);
    expect(await tableStillExists(SCHEMA, HOSTILE_TABLE)).toBe(true);
  });
});

describe('membership options on this server version', () => {
  type Row = {
    grantor: string;
    admin_option: boolean;
    inherit_option?: boolean;
    set_option?: boolean;
  };
  const membershipRows = async (role: string, member: string): Promise<Row[]> =>
    rows<Row>(
      `SELECT pg_get_userbyid(grantor) AS grantor, admin_option
              ${versionNum >= 160000 ? ', inherit_option, set_option' : ''}
         FROM pg_auth_members
        WHERE roleid = (SELECT oid FROM pg_roles WHERE rolname = $1)
          AND member = (SELECT oid FROM pg_roles WHERE rolname = $2)
        ORDER BY 1`,
      [role, member],
    );

  beforeAll(async () => {
    await client.query(`CREATE ROLE ${id('Group "G"')}`);
    await client.query(`CREATE ROLE ${id('member m')}`);
  });

  it('grants with and without admin option, and changes it in place', async () => {
    await apply({ type: 'grant_membership', role: 'Group "G"', member: 'member m', admin: true });
    expect(await membershipRows('Group "G"', 'member m')).toMatchObject([
      { grantor: 'postgres', admin_option: true },
    ]);
    await apply({
      type: 'alter_membership',
      role: 'Group "G"',
      member: 'member m',
      grantor: 'postgres',
      admin: false,
    });
    await expect(membershipRows('Group "G"', 'member m')).resolves.toMatchObject([
      { grantor: 'postgres', admin_option: false },
    ]);
    await apply({
      type: 'alter_membership',
      role: 'Group "G"',
      member: 'member m',
      grantor: 'postgres',
      admin: true,
    });
    await expect(membershipRows('Group "G"', 'member m')).resolves.toMatchObject([
      { grantor: 'postgres', admin_option: true },
    ]);
    await apply({
      type: 'revoke_membership',
      role: 'Group "G"',
      member: 'member m',
      grantor: 'postgres',
    });
    expect(await membershipRows('Group "G"', 'member m')).toEqual([]);
  });

  it('sets INHERIT and SET options from 16 and updates the existing row; refuses them before', async () => {
    const grant: Operation = {
      type: 'grant_membership',
      role: 'Group "G"',
      member: 'member m',
      admin: false,
      inherit: false,
      set: false,
    };
    if (versionNum < 160000) {
      expect(() => renderOperation(grant, versionNum)).toThrow(/PostgreSQL 16/);
      return;
    }
    await apply(grant);
    expect(await membershipRows('Group "G"', 'member m')).toEqual([
      { grantor: 'postgres', admin_option: false, inherit_option: false, set_option: false },
    ]);
    await apply({
      type: 'alter_membership',
      role: 'Group "G"',
      member: 'member m',
      grantor: 'postgres',
      inherit: true,
      set: true,
      admin: true,
    });
    expect(await membershipRows('Group "G"', 'member m')).toEqual([
      { grantor: 'postgres', admin_option: true, inherit_option: true, set_option: true },
    ]);
    await apply({
      type: 'alter_membership',
      role: 'Group "G"',
      member: 'member m',
      grantor: 'postgres',
      inherit: false,
      admin: false,
    });
    expect(await membershipRows('Group "G"', 'member m')).toEqual([
      { grantor: 'postgres', admin_option: false, inherit_option: false, set_option: true },
    ]);
    await apply({
      type: 'revoke_membership',
      role: 'Group "G"',
      member: 'member m',
      grantor: 'postgres',
    });
    expect(await membershipRows('Group "G"', 'member m')).toEqual([]);
  });

  it('changes and revokes the row of the grantor named, not another one (16+: one row per grantor)', async () => {
    await client.query(`CREATE ROLE ${id('grantor "g"')} CREATEROLE`);
    await client.query(`GRANT ${id('Group "G"')} TO ${id('grantor "g"')} WITH ADMIN OPTION`);
    await apply({ type: 'grant_membership', role: 'Group "G"', member: 'member m', admin: false });
    await client.query(`SET ROLE ${id('grantor "g"')}`);
    // Before 16 this only notices the membership exists; from 16 it adds a second row.
    await client.query(`GRANT ${id('Group "G"')} TO ${id('member m')}`);
    await client.query('RESET ROLE');
    if (versionNum < 160000) {
      expect(await membershipRows('Group "G"', 'member m')).toHaveLength(1);
      await apply({
        type: 'revoke_membership',
        role: 'Group "G"',
        member: 'member m',
        grantor: 'grantor "g"',
      });
      expect(await membershipRows('Group "G"', 'member m')).toEqual([]);
      return;
    }
    await apply({
      type: 'alter_membership',
      role: 'Group "G"',
      member: 'member m',
      grantor: 'grantor "g"',
      inherit: false,
    });
    expect(await membershipRows('Group "G"', 'member m')).toEqual([
      { grantor: 'grantor "g"', admin_option: false, inherit_option: false, set_option: true },
      { grantor: 'postgres', admin_option: false, inherit_option: true, set_option: true },
    ]);
    await apply({
      type: 'revoke_membership',
      role: 'Group "G"',
      member: 'member m',
      grantor: 'grantor "g"',
    });
    expect(await membershipRows('Group "G"', 'member m')).toEqual([
      { grantor: 'postgres', admin_option: false, inherit_option: true, set_option: true },
    ]);
  });
});
