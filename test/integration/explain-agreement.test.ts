/**
 * explain agrees with PostgreSQL (spec §11): random membership graphs (INHERIT/SET options on
 * 16+, the member's rolinherit on 14/15), grants, PUBLIC grants and revokes, column grants,
 * ownership (the database's too, for pg_database_owner) and predefined-role memberships are
 * built on a real server; then, for EVERY (role, privilege, object), explain's `allowed` is
 * compared with has_table_privilege / has_column_privilege / has_any_column_privilege /
 * has_sequence_privilege / has_schema_privilege / has_function_privilege /
 * has_database_privilege, and its paths with its answer.
 *
 * The PRNG is seeded (PGWARD_EXPLAIN_SEED to replay one); every failure message starts with
 * the seed and round. Run on 14 and 16 too: PGWARD_TEST_PG_VERSION=14 npx vitest run <this file>.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainPrivileges, type ExplainKind } from '../../src/model/explain-catalog.js';
import { explainContext, explainPrivilege } from '../../src/explain/privilege.js';
import { resolveTarget, targetSchema } from '../../src/explain/resolve.js';
import { effectiveObjects } from '../../src/explain/role.js';
import { readExplainCatalog } from '../../src/introspect/explain.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: server.url() });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

/** mulberry32: small, seeded, good enough to pick shapes. */
function prng(seed: number): {
  next(): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
} {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (p) => next() < p,
  };
}

const ROLES = ['x_r0', 'x_r1', 'x_r2', 'x_r3', 'x_r4', 'x_r5', 'x_r6'];
const TABLES = ['xa.t0', 'xa.t1', 'xb.t2', 'xa.v0'];
const SEQUENCES = ['xa.s0', 'xb.s1'];
const FUNCTIONS = ['xa.f0(integer)', 'xb.p0()'];
const q = (name: string): string => `"${name}"`;

/** The SQL of one random scenario. */
function scenario(random: ReturnType<typeof prng>, major: number, database: string): string[] {
  const sql: string[] = [];
  const roles = [...ROLES].sort(() => random.next() - 0.5);
  const superuser = random.chance(0.3) ? random.pick(roles) : undefined;
  for (const role of roles)
    sql.push(
      `CREATE ROLE ${role}${random.chance(0.3) ? ' NOINHERIT' : ''}${role === superuser ? ' SUPERUSER' : ''}${random.chance(0.3) ? ' LOGIN' : ''}`,
    );
  // Memberships only from later to earlier roles of a random order: never a cycle.
  for (let member = 1; member < roles.length; member++)
    for (let group = 0; group < member; group++) {
      if (!random.chance(0.35)) continue;
      const options: string[] = [];
      if (random.chance(0.2)) options.push('ADMIN OPTION');
      if (major >= 16) {
        if (random.chance(0.7)) options.push(`INHERIT ${random.chance(0.6) ? 'TRUE' : 'FALSE'}`);
        if (random.chance(0.5)) options.push(`SET ${random.chance(0.7) ? 'TRUE' : 'FALSE'}`);
        options.forEach((option, index) => {
          if (option === 'ADMIN OPTION') options[index] = 'ADMIN TRUE';
        });
      }
      sql.push(
        `GRANT ${roles[group]} TO ${roles[member]}${options.length > 0 ? ` WITH ${options.join(', ')}` : ''}`,
      );
    }
  const predefined = [
    'pg_read_all_data',
    'pg_write_all_data',
    ...(major >= 17 ? ['pg_maintain'] : []),
  ];
  for (const role of predefined)
    if (random.chance(0.4))
      sql.push(
        `GRANT ${role} TO ${random.pick(roles)}${major >= 16 && random.chance(0.3) ? ' WITH INHERIT FALSE' : ''}`,
      );
  const owner = (): string => (random.chance(0.25) ? 'postgres' : random.pick(roles));
  sql.push(
    `CREATE SCHEMA xa AUTHORIZATION ${owner()}`,
    `CREATE SCHEMA xb AUTHORIZATION ${owner()}`,
    'CREATE TABLE xa.t0 (a integer, b text)',
    'CREATE TABLE xa.t1 (a integer, b text)',
    'CREATE TABLE xb.t2 (a integer, b text)',
    'CREATE VIEW xa.v0 AS SELECT a, b FROM xa.t0',
    'CREATE SEQUENCE xa.s0',
    'CREATE SEQUENCE xb.s1',
    'CREATE FUNCTION xa.f0(integer) RETURNS integer LANGUAGE sql AS $$ SELECT $1 $$',
    'CREATE PROCEDURE xb.p0() LANGUAGE sql AS $$ SELECT 1 $$',
  );
  for (const table of TABLES)
    sql.push(`ALTER ${table.endsWith('v0') ? 'VIEW' : 'TABLE'} ${table} OWNER TO ${owner()}`);
  for (const sequence of SEQUENCES) sql.push(`ALTER SEQUENCE ${sequence} OWNER TO ${owner()}`);
  sql.push(
    `ALTER FUNCTION xa.f0(integer) OWNER TO ${owner()}`,
    `ALTER PROCEDURE xb.p0() OWNER TO ${owner()}`,
  );
  if (random.chance(0.6)) sql.push(`ALTER DATABASE ${q(database)} OWNER TO ${random.pick(roles)}`);

  const grantee = (): string =>
    random.chance(0.15) ? 'PUBLIC' : random.chance(0.1) ? 'pg_database_owner' : random.pick(roles);
  const tablePrivileges = explainPrivileges('table', major * 10000);
  for (let i = 0; i < 14; i++) {
    const table = random.pick(TABLES);
    sql.push(`GRANT ${random.pick(tablePrivileges)} ON TABLE ${table} TO ${grantee()}`);
  }
  for (let i = 0; i < 6; i++) {
    const table = random.pick(TABLES.filter((t) => !t.endsWith('v0')));
    const privilege = random.pick(['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']);
    sql.push(`GRANT ${privilege} (${random.pick(['a', 'b'])}) ON ${table} TO ${grantee()}`);
  }
  for (let i = 0; i < 4; i++)
    sql.push(
      `GRANT ${random.pick(['USAGE', 'SELECT', 'UPDATE'])} ON SEQUENCE ${random.pick(SEQUENCES)} TO ${grantee()}`,
    );
  for (let i = 0; i < 4; i++)
    sql.push(
      `GRANT ${random.pick(['USAGE', 'CREATE'])} ON SCHEMA ${random.pick(['xa', 'xb'])} TO ${grantee()}`,
    );
  if (random.chance(0.5)) sql.push('REVOKE EXECUTE ON FUNCTION xa.f0(integer) FROM PUBLIC');
  if (random.chance(0.5)) sql.push('REVOKE EXECUTE ON PROCEDURE xb.p0() FROM PUBLIC');
  for (let i = 0; i < 2; i++)
    sql.push(`GRANT EXECUTE ON ROUTINE ${random.pick(FUNCTIONS)} TO ${grantee()}`);
  if (random.chance(0.5))
    sql.push(`REVOKE CONNECT, TEMPORARY ON DATABASE ${q(database)} FROM PUBLIC`);
  for (let i = 0; i < 3; i++)
    sql.push(
      `GRANT ${random.pick(['CONNECT', 'CREATE', 'TEMPORARY'])} ON DATABASE ${q(database)} TO ${grantee()}`,
    );
  // An owner may revoke its own privileges: ownership alone then does not give them.
  if (random.chance(0.4))
    sql.push(
      `DO $$ BEGIN EXECUTE format('REVOKE SELECT ON xa.t0 FROM %I', (SELECT pg_catalog.pg_get_userbyid(relowner) FROM pg_catalog.pg_class WHERE oid = 'xa.t0'::regclass)); END $$`,
    );
  return sql;
}

async function reset(database: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS xa, xb CASCADE`);
  await client.query(`ALTER DATABASE ${q(database)} OWNER TO postgres`);
  await client.query(`REVOKE ALL ON DATABASE ${q(database)} FROM PUBLIC, pg_database_owner`);
  await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${q(database)} TO PUBLIC`);
  const { rows } = await client.query<{ rolname: string }>(
    `SELECT rolname FROM pg_catalog.pg_roles WHERE rolname LIKE 'x\\_r%'`,
  );
  if (rows.length > 0) {
    const names = rows.map((row) => row.rolname).join(', ');
    await client.query(`DROP OWNED BY ${names}`);
    await client.query(`DROP ROLE ${names}`);
  }
}

interface ServerAnswer {
  role: string;
  kind: ExplainKind | 'any_column';
  object: string;
  privilege: string;
  allowed: boolean;
}

/** The server's answer for every (role, privilege, object), in one query. */
async function serverAnswers(major: number): Promise<ServerAnswer[]> {
  const versionNum = major * 10000;
  const privs = (kind: ExplainKind): string[] => [...explainPrivileges(kind, versionNum)];
  const { rows } = await client.query<ServerAnswer>(
    `WITH r AS (SELECT oid, rolname FROM pg_catalog.pg_roles WHERE rolname LIKE 'x\\_r%'),
     rel AS (SELECT c.oid, c.relkind, n.nspname || '.' || c.relname AS name
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('xa', 'xb') AND c.relkind IN ('r', 'v', 'S'))
     SELECT r.rolname AS role, 'table' AS kind, rel.name AS object, p AS privilege,
            pg_catalog.has_table_privilege(r.oid, rel.oid, p) AS allowed
       FROM r, rel, unnest($1::text[]) AS p WHERE rel.relkind <> 'S'
     UNION ALL
     SELECT r.rolname, 'any_column', rel.name, p, pg_catalog.has_any_column_privilege(r.oid, rel.oid, p)
       FROM r, rel, unnest($2::text[]) AS p WHERE rel.relkind <> 'S'
     UNION ALL
     SELECT r.rolname, 'column', rel.name || '.' || a.attname, p,
            pg_catalog.has_column_privilege(r.oid, rel.oid, a.attnum, p)
       FROM r, rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0,
            unnest($2::text[]) AS p WHERE rel.relkind <> 'S'
     UNION ALL
     SELECT r.rolname, 'sequence', rel.name, p, pg_catalog.has_sequence_privilege(r.oid, rel.oid, p)
       FROM r, rel, unnest($3::text[]) AS p WHERE rel.relkind = 'S'
     UNION ALL
     SELECT r.rolname, 'schema', n.nspname, p, pg_catalog.has_schema_privilege(r.oid, n.oid, p)
       FROM r, pg_catalog.pg_namespace n, unnest($4::text[]) AS p
      WHERE n.nspname IN ('xa', 'xb', 'public')
     UNION ALL
     SELECT r.rolname, 'function',
            n.nspname || '.' || f.proname || '(' || pg_catalog.oidvectortypes(f.proargtypes) || ')',
            'EXECUTE', pg_catalog.has_function_privilege(r.oid, f.oid, 'EXECUTE')
       FROM r, pg_catalog.pg_proc f JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace
      WHERE n.nspname IN ('xa', 'xb')
     UNION ALL
     SELECT r.rolname, 'database', d.datname, p, pg_catalog.has_database_privilege(r.oid, d.oid, p)
       FROM r, pg_catalog.pg_database d, unnest($5::text[]) AS p`,
    [privs('table'), privs('column'), privs('sequence'), privs('schema'), privs('database')],
  );
  return rows;
}

describe('explain agrees with has_*_privilege', () => {
  it('on random memberships, grants, ownership and predefined roles', async () => {
    const seed = Number(process.env.PGWARD_EXPLAIN_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const random = prng(seed);
    const deadline = Date.now() + 20_000;
    let compared = 0;
    let allowedCount = 0;
    let rounds = 0;
    let roleTriples = 0;
    while (rounds < 40 && (rounds < 5 || Date.now() < deadline)) {
      await reset(server.database);
      const statements = scenario(random, server.major, server.database);
      for (const statement of statements) await client.query(statement);
      const context = explainContext(await readExplainCatalog(client, { withObjects: true }));
      const mismatches: string[] = [];
      const answers = await serverAnswers(server.major);
      // explain ROLE / grants --effective list exactly the allowed (object, privilege) pairs;
      // a table privilege held on some columns only is listed with its columns.
      const key = (kind: string, object: string, privilege: string, columns: boolean): string =>
        `${kind} ${object} ${privilege}${columns ? ' (columns)' : ''}`;
      const comparedObjects = new Set(
        answers.map((a) => `${a.kind === 'any_column' ? 'table' : a.kind} ${a.object}`),
      );
      const allowedSet = new Set(
        answers
          .filter((a) => a.allowed)
          .map((a) => `${a.role} ${key(a.kind, a.object, a.privilege, false)}`),
      );
      for (const role of ROLES) {
        const listed = effectiveObjects(context, role)
          .flatMap((object) => {
            const name = `${object.schema === null ? '' : `${object.schema}.`}${object.name}`;
            return object.privileges.map((p) =>
              key(object.kind, name, p.privilege, p.columns !== undefined),
            );
          })
          .filter((line) => comparedObjects.has(line.split(' ').slice(0, 2).join(' ')))
          .sort();
        const expected = answers
          .filter((a) => a.role === role && a.allowed && a.kind !== 'column')
          .filter(
            (a) =>
              a.kind !== 'any_column' ||
              !allowedSet.has(`${role} ${key('table', a.object, a.privilege, false)}`),
          )
          .map((a) =>
            a.kind === 'any_column'
              ? key('table', a.object, a.privilege, true)
              : key(a.kind, a.object, a.privilege, false),
          )
          .sort();
        if (JSON.stringify(listed) !== JSON.stringify(expected))
          mismatches.push(
            `effective access of ${role}: explain ${JSON.stringify(listed)}, server ${JSON.stringify(expected)}`,
          );
      }
      // Memberships: USAGE = privileges used without SET ROLE (explain's holders), SET (16+) or
      // MEMBER (14/15) = may SET ROLE (its settable roles). A superuser is a member of everything
      // to pg_has_role, which explain answers with the SUPERUSER path instead.
      const { rows: memberships } = await client.query<{
        role: string;
        target: string;
        usage: boolean;
        can_set: boolean;
      }>(
        `SELECT r.rolname AS role, g.rolname AS target,
                pg_catalog.pg_has_role(r.oid, g.oid, 'USAGE') AS usage,
                pg_catalog.pg_has_role(r.oid, g.oid, $1) AS can_set
           FROM pg_catalog.pg_roles r, pg_catalog.pg_roles g
          WHERE r.rolname LIKE 'x\\_r%' AND NOT r.rolsuper
            AND (g.rolname LIKE 'x\\_r%' OR g.rolname LIKE 'pg\\_%')`,
        [server.major >= 16 ? 'SET' : 'MEMBER'],
      );
      for (const m of memberships) {
        const holds = context.graph.holders(m.role).has(m.target);
        const sets = context.graph.settable(m.role).has(m.target);
        if (holds !== m.usage || sets !== m.can_set)
          mismatches.push(
            `pg_has_role(${m.role}, ${m.target}): server USAGE ${m.usage} SET ${m.can_set}, explain ${holds} ${sets}`,
          );
        roleTriples++;
      }
      // Explaining one object reads only its schema's objects: the answer is the same.
      const focused = new Map<string, ReturnType<typeof explainContext>>();
      for (const schema of ['xa', 'xb', ''])
        focused.set(
          schema,
          explainContext(await readExplainCatalog(client, { withObjects: true, schema })),
        );
      for (const answer of answers) {
        const kind = answer.kind === 'any_column' ? 'table' : answer.kind;
        const target = resolveTarget(context.catalog, kind, answer.object);
        if ('error' in target) throw new Error(`seed ${seed} round ${rounds}: ${target.error}`);
        const explained = explainPrivilege(
          context,
          answer.role,
          answer.privilege as never,
          target.ok,
        );
        const schema = targetSchema(kind, answer.object) ?? '';
        const narrow = focused.get(schema);
        const narrowTarget = narrow && resolveTarget(narrow.catalog, kind, answer.object);
        if (!narrow || !narrowTarget || 'error' in narrowTarget)
          throw new Error(`seed ${seed}: ${answer.object} not read with schema "${schema}"`);
        const narrowAnswer = explainPrivilege(
          narrow,
          answer.role,
          answer.privilege as never,
          narrowTarget.ok,
        );
        if (JSON.stringify(narrowAnswer) !== JSON.stringify(explained))
          mismatches.push(
            `reading schema "${schema}" only changes the answer: ${JSON.stringify(narrowAnswer)}`,
          );
        const ours =
          answer.kind === 'any_column'
            ? explained.allowed || explained.columns.length > 0
            : explained.allowed;
        // A usable path (one without SET ROLE) exists exactly when the privilege is allowed.
        const usablePath = explained.paths.some((path) => path.every((s) => s.kind !== 'set_role'));
        if (answer.kind !== 'any_column' && usablePath !== explained.allowed)
          mismatches.push(`paths disagree with allowed: ${JSON.stringify(explained)}`);
        if (ours !== answer.allowed)
          mismatches.push(
            `${answer.kind} ${answer.privilege} ${answer.object} for ${answer.role}: server ${answer.allowed}, explain ${ours} ${JSON.stringify(explained.paths)}`,
          );
        compared++;
        if (answer.allowed) allowedCount++;
      }
      expect(
        mismatches,
        `seed ${seed} round ${rounds} (PGWARD_EXPLAIN_SEED=${seed} to replay)\n${statements.join(';\n')}`,
      ).toEqual([]);
      rounds++;
    }
    console.log(
      `explain agreement on PostgreSQL ${server.major}: ${compared} (role, privilege, object) triples and ${roleTriples} pg_has_role pairs in ${rounds} rounds, ${allowedCount} allowed (seed ${seed})`,
    );
    expect(compared).toBeGreaterThan(5000);
    expect(allowedCount).toBeGreaterThan(compared / 10);
    expect(allowedCount).toBeLessThan(compared);
  }, 60_000);
});
