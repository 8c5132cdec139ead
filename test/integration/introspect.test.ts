import { beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { planCluster } from '../../src/cluster.js';
import { parseConfig } from '../../src/config/load.js';
import { introspect, type Queryable } from '../../src/introspect/index.js';
import { loadSql, type CatalogQueryName } from '../../src/introspect/load-sql.js';
import type { ObjectRef } from '../../src/model/objects.js';
import {
  GRANTABLE_SYSTEM_SCHEMAS,
  SYSTEM_SCHEMAS,
  type Privilege,
} from '../../src/model/privileges.js';
import type {
  CatalogObject,
  CurrentState,
  DefaultPrivilegeFact,
  PrivilegeFact,
} from '../../src/model/state.js';
import { scramMatches } from '../../src/passwords/scram.js';
import { connected, urlAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

async function introspectAs(url: string, setup?: string): Promise<CurrentState> {
  const client = await connected(url);
  try {
    if (setup) await client.query(setup);
    return await introspect(client);
  } finally {
    await client.end();
  }
}

/** A Queryable that counts the statements it runs. */
function counting(client: Queryable): Queryable & { count: number } {
  const counter = {
    count: 0,
    query<R extends object>(sql: string, params?: unknown[]) {
      counter.count++;
      return client.query<R>(sql, params);
    },
  };
  return counter;
}

/** One fact per privilege, in the order introspection sorts them (by privilege name). */
function facts(
  object: ObjectRef,
  grantee: string,
  privileges: readonly Privilege[],
  options: { grantable?: boolean; column?: string; grantors?: string[] } = {},
): PrivilegeFact[] {
  return [...privileges].sort().map((privilege) => ({
    object,
    ...(options.column !== undefined && { column: options.column }),
    grantee,
    privilege,
    grantable: options.grantable ?? false,
    ...(options.grantors !== undefined && { grantors: options.grantors }),
  }));
}

/** What `CREATE TYPE app.span AS RANGE (subtype = integer)` creates besides the types. */
const RANGE_CONSTRUCTORS: ObjectRef[] = [
  { kind: 'function', schema: 'app', name: 'span', args: 'integer, integer' },
  { kind: 'function', schema: 'app', name: 'span', args: 'integer, integer, text' },
  { kind: 'function', schema: 'app', name: 'span_multirange', args: '' },
  { kind: 'function', schema: 'app', name: 'span_multirange', args: 'app.span' },
  { kind: 'function', schema: 'app', name: 'span_multirange', args: 'app.span[]' },
];

const TEST_ROLES = ['owner_role', 'app_reader', 'app_writer', 'limited', 'forever', 'doomed'];

describe('introspect', () => {
  let state: CurrentState;
  let largeObject: string;
  let tablePrivileges: Privilege[];

  beforeAll(async () => {
    // Owners get MAINTAIN on their tables from PostgreSQL 17.
    tablePrivileges = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
    if (server.major >= 17) tablePrivileges.push('MAINTAIN');
    const db = `"${server.database}"`;
    await server.query(`
      CREATE ROLE owner_role;
      CREATE ROLE app_reader NOLOGIN;
      CREATE ROLE app_writer LOGIN CREATEDB CREATEROLE NOINHERIT REPLICATION BYPASSRLS
        CONNECTION LIMIT 5 VALID UNTIL '2030-06-15 12:30:45.123+02' PASSWORD 'writer-secret';
      CREATE ROLE limited;
      CREATE ROLE forever VALID UNTIL 'infinity';
      CREATE ROLE doomed VALID UNTIL '-infinity';
      COMMENT ON ROLE app_reader IS 'Read-only access';
      ALTER ROLE app_writer SET search_path = app, public;
      ALTER ROLE app_writer SET statement_timeout = '30s';
      ALTER ROLE app_writer SET application_name = 'a=b';
      ALTER ROLE app_writer IN DATABASE ${db} SET work_mem = '64MB';
      GRANT app_reader TO app_writer WITH ADMIN OPTION;
    `);
    await server.query(
      server.major >= 16
        ? 'GRANT app_reader TO limited WITH INHERIT FALSE, SET FALSE'
        : 'GRANT app_reader TO limited',
    );
    await server.query(`
      CREATE SCHEMA app AUTHORIZATION owner_role;
      CREATE FOREIGN DATA WRAPPER fdw_test;
      CREATE SERVER srv_test FOREIGN DATA WRAPPER fdw_test;
      GRANT USAGE ON FOREIGN SERVER srv_test TO owner_role;
      SET ROLE owner_role;
      CREATE TABLE app.orders (id integer, "Email" text, gone integer, note text);
      ALTER TABLE app.orders DROP COLUMN gone;
      CREATE VIEW app.order_view AS SELECT id FROM app.orders;
      CREATE MATERIALIZED VIEW app.order_totals AS SELECT count(*) AS n FROM app.orders;
      CREATE TABLE app.events (at date, kind text) PARTITION BY RANGE (at);
      CREATE TABLE app.events_2024 PARTITION OF app.events
        FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE FOREIGN TABLE app.remote (a integer) SERVER srv_test;
      CREATE SEQUENCE app.order_seq;
      CREATE FUNCTION app.calc(a integer, b text) RETURNS integer LANGUAGE sql AS 'SELECT a';
      CREATE PROCEDURE app.refresh(x integer, label character varying) LANGUAGE sql AS 'SELECT 1';
      CREATE TYPE app.mood AS ENUM ('sad', 'happy');
      CREATE TYPE app.pair AS (a integer, b integer);
      CREATE TYPE app.span AS RANGE (subtype = integer);
      CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
      RESET ROLE;
      GRANT USAGE ON SCHEMA app TO app_reader, app_writer;
      GRANT SELECT ON app.orders TO app_reader;
      GRANT SELECT, INSERT ON app.orders TO app_writer WITH GRANT OPTION;
      GRANT SELECT ("Email"), UPDATE (note) ON app.orders TO app_reader;
      -- A second grantor: app_reader now holds SELECT twice, once with grant option.
      SET ROLE app_writer;
      GRANT SELECT ON app.orders TO app_reader WITH GRANT OPTION;
      RESET ROLE;
      GRANT USAGE ON SEQUENCE app.order_seq TO app_writer;
      GRANT EXECUTE ON FUNCTION app.calc(integer, text) TO app_reader;
      GRANT EXECUTE ON PROCEDURE app.refresh(integer, character varying) TO app_writer;
      GRANT USAGE ON TYPE app.mood TO app_reader;
      GRANT USAGE ON DOMAIN app.positive TO app_reader;
      GRANT CONNECT ON DATABASE ${db} TO app_reader;
      ALTER DEFAULT PRIVILEGES FOR ROLE owner_role GRANT SELECT ON TABLES TO app_reader;
      ALTER DEFAULT PRIVILEGES FOR ROLE owner_role REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
      ALTER DEFAULT PRIVILEGES FOR ROLE owner_role GRANT USAGE ON SCHEMAS TO app_reader;
      ALTER DEFAULT PRIVILEGES FOR ROLE owner_role IN SCHEMA app
        GRANT INSERT ON TABLES TO app_writer WITH GRANT OPTION;
      ALTER DEFAULT PRIVILEGES FOR ROLE owner_role IN SCHEMA app
        GRANT USAGE ON SEQUENCES TO app_reader;
    `);
    const [lo] = await server.query<{ oid: number }>('SELECT lo_create(0) AS oid');
    largeObject = String(lo?.oid);
    await server.query(`GRANT SELECT ON LARGE OBJECT ${largeObject} TO app_reader`);
    if (server.major >= 15) {
      await server.query(`
        GRANT SET ON PARAMETER work_mem TO app_writer;
        GRANT ALTER SYSTEM ON PARAMETER work_mem TO app_writer WITH GRANT OPTION;
      `);
    }
    state = await introspectAs(server.url());
  });

  it('reads the server facts', async () => {
    const [row] = await server.query<{ v: string }>(
      `SELECT current_setting('server_version_num') AS v`,
    );
    expect(state.server).toEqual({
      versionNum: Number(row?.v),
      currentUser: 'postgres',
      sessionUser: 'postgres',
      currentDatabase: server.database,
      bootstrapSuperuser: 'postgres',
      currentUserIsSuperuser: true,
      canReadPasswords: true,
    });
  });

  it('reads the session user apart from the current user after SET ROLE', async () => {
    const switched = await introspectAs(server.url(), 'SET ROLE app_writer');
    expect(switched.server).toMatchObject({
      currentUser: 'app_writer',
      sessionUser: 'postgres',
      currentUserIsSuperuser: false,
    });
  });

  it('reads every role with attributes, comment, settings and password', () => {
    const roles = state.roles.filter((role) => TEST_ROLES.includes(role.name));
    const writer = roles.find((role) => role.name === 'app_writer');
    const verifier = writer?.password;
    expect(typeof verifier === 'string' && scramMatches('writer-secret', verifier)).toBe(true);
    const plain = {
      superuser: false,
      createdb: false,
      createrole: false,
      inherit: true,
      login: false,
      replication: false,
      bypassrls: false,
      connectionLimit: -1,
      validUntil: null,
    };
    expect(roles.map(({ oid, ...role }) => ({ ...role, oid: typeof oid }))).toEqual([
      {
        name: 'app_reader',
        oid: 'number',
        attributes: plain,
        description: 'Read-only access',
        config: {},
        databaseConfig: {},
        password: null,
      },
      {
        name: 'app_writer',
        oid: 'number',
        attributes: {
          superuser: false,
          createdb: true,
          createrole: true,
          inherit: false,
          login: true,
          replication: true,
          bypassrls: true,
          connectionLimit: 5,
          validUntil: '2030-06-15T10:30:45.123Z',
        },
        description: null,
        // Settings for one database only (IN DATABASE) are not the role's own: they are the
        // connected database's (database_config).
        config: { search_path: 'app, public', statement_timeout: '30s', application_name: 'a=b' },
        databaseConfig: { work_mem: '64MB' },
        password: verifier,
      },
      {
        name: 'doomed',
        oid: 'number',
        attributes: { ...plain, validUntil: '-infinity' },
        description: null,
        config: {},
        databaseConfig: {},
        password: null,
      },
      {
        name: 'forever',
        oid: 'number',
        attributes: plain,
        description: null,
        config: {},
        databaseConfig: {},
        password: null,
      },
      {
        name: 'limited',
        oid: 'number',
        attributes: plain,
        description: null,
        config: {},
        databaseConfig: {},
        password: null,
      },
      {
        name: 'owner_role',
        oid: 'number',
        attributes: plain,
        description: null,
        config: {},
        databaseConfig: {},
        password: null,
      },
    ]);
  });

  it('includes system roles, with their OIDs', async () => {
    const rows = await server.query<{ oid: number; rolname: string }>(
      `SELECT oid::int AS oid, rolname FROM pg_roles ORDER BY rolname COLLATE "C"`,
    );
    expect(state.roles.map((role) => [role.oid, role.name])).toEqual(
      rows.map((row) => [row.oid, row.rolname]),
    );
    expect(state.roles.map((role) => role.name)).toContain('pg_read_all_data');
  });

  it('reads memberships with their options', () => {
    const memberships = state.memberships.filter((m) => TEST_ROLES.includes(m.role));
    // From 16 a grant by a superuser is recorded as granted by the bootstrap superuser, and
    // INHERIT defaults to the member's own INHERIT attribute (app_writer is NOINHERIT).
    expect(memberships).toEqual(
      server.major >= 16
        ? [
            {
              role: 'app_reader',
              member: 'app_writer',
              grantor: 'postgres',
              admin: true,
              inherit: false,
              set: true,
            },
            {
              role: 'app_reader',
              member: 'limited',
              grantor: 'postgres',
              admin: false,
              inherit: false,
              set: false,
            },
          ]
        : [
            {
              role: 'app_reader',
              member: 'app_writer',
              grantor: 'postgres',
              admin: true,
              inherit: null,
              set: null,
            },
            {
              role: 'app_reader',
              member: 'limited',
              grantor: 'postgres',
              admin: false,
              inherit: null,
              set: null,
            },
          ],
    );
  });

  it('lists the objects of the connected database outside system schemas', () => {
    const inApp = state.objects.filter(
      (o) => o.schema === 'app' || (o.kind === 'schema' && o.name === 'app'),
    );
    const table = (name: string, relkind: string, columns?: string[]): CatalogObject => ({
      kind: 'table',
      schema: 'app',
      name,
      owner: 'owner_role',
      relkind,
      ...(columns !== undefined && { columns }),
    });
    // Not listed: the row types of tables and sequences, array types, the dropped column.
    // Column names only of the table with column privileges (see the next test).
    expect(inApp).toEqual([
      { kind: 'schema', schema: null, name: 'app', owner: 'owner_role' },
      table('events', 'p'),
      table('events_2024', 'r'),
      table('order_totals', 'm'),
      table('order_view', 'v'),
      table('orders', 'r', ['id', 'Email', 'note']),
      table('remote', 'f'),
      { kind: 'sequence', schema: 'app', name: 'order_seq', owner: 'owner_role' },
      { kind: 'function', schema: 'app', name: 'calc', args: 'integer, text', owner: 'owner_role' },
      // A range type's constructors are real functions, owned by the bootstrap superuser.
      ...RANGE_CONSTRUCTORS.map((args) => ({ ...args, owner: 'postgres' })),
      {
        kind: 'procedure',
        schema: 'app',
        name: 'refresh',
        args: 'integer, character varying',
        owner: 'owner_role',
      },
      { kind: 'type', schema: 'app', name: 'mood', owner: 'owner_role' },
      { kind: 'type', schema: 'app', name: 'pair', owner: 'owner_role' },
      { kind: 'type', schema: 'app', name: 'span', owner: 'owner_role' },
      { kind: 'type', schema: 'app', name: 'span_multirange', owner: 'owner_role' },
      { kind: 'domain', schema: 'app', name: 'positive', owner: 'owner_role' },
    ]);
  });

  it('reads column names of the tables asked for, besides those with column privileges', async () => {
    const client = await connected(server.url());
    try {
      const asked = await introspect(client, {
        named: () => ({
          columnsOf: [
            { schema: 'app', name: 'events' },
            { schema: 'app', name: 'order_view' },
            // Pairs, not names joined by a dot: no table is app.order_view's schema "app.order".
            { schema: 'app.order', name: 'view' },
            { schema: 'app', name: 'no_such_table' },
          ],
        }),
      });
      const columns = Object.fromEntries(
        asked.objects
          .filter((o) => o.schema === 'app' && o.kind === 'table')
          .map((o) => [o.name, o.columns]),
      );
      expect(columns).toEqual({
        events: ['at', 'kind'],
        events_2024: undefined,
        order_totals: undefined,
        order_view: ['id'],
        orders: ['id', 'Email', 'note'],
        remote: undefined,
      });
    } finally {
      await client.end();
    }
  });

  it('lists cluster-wide and schema-less objects', () => {
    const others = state.objects.filter((o) => o.schema === null && o.kind !== 'schema');
    const databases = [server.database, 'postgres', 'template0', 'template1'].sort();
    expect(others).toEqual([
      ...databases.map((name) => ({ kind: 'database', schema: null, name, owner: 'postgres' })),
      // Untrusted languages (internal, c) cannot be granted on.
      { kind: 'language', schema: null, name: 'plpgsql', owner: 'postgres' },
      { kind: 'language', schema: null, name: 'sql', owner: 'postgres' },
      { kind: 'foreign_data_wrapper', schema: null, name: 'fdw_test', owner: 'postgres' },
      { kind: 'foreign_server', schema: null, name: 'srv_test', owner: 'postgres' },
      { kind: 'tablespace', schema: null, name: 'pg_default', owner: 'postgres' },
      { kind: 'tablespace', schema: null, name: 'pg_global', owner: 'postgres' },
      ...(server.major >= 15
        ? [{ kind: 'parameter', schema: null, name: 'work_mem', owner: 'postgres' }]
        : []),
      { kind: 'large_object', schema: null, name: largeObject, owner: 'postgres' },
    ]);
    expect(
      state.objects.filter(
        (o) => o.schema !== null && ['pg_catalog', 'information_schema'].includes(o.schema),
      ),
    ).toEqual([]);
  });

  it('reads privileges from ACLs, owners implicit ones included, PUBLIC excluded', () => {
    const app = { kind: 'schema', schema: null, name: 'app' } as const;
    const at = (kind: ObjectRef['kind'], name: string, args?: string): ObjectRef => ({
      kind,
      schema: 'app',
      name,
      ...(args !== undefined && { args }),
    });
    const ownerOnly = (kind: ObjectRef['kind'], name: string) =>
      facts(at(kind, name), 'owner_role', tablePrivileges);
    const inApp = state.privileges.filter(
      (f) => f.object.schema === 'app' || (f.object.kind === 'schema' && f.object.name === 'app'),
    );
    expect(inApp).toEqual([
      ...facts(app, 'app_reader', ['USAGE']),
      ...facts(app, 'app_writer', ['USAGE']),
      ...facts(app, 'owner_role', ['CREATE', 'USAGE']),
      ...ownerOnly('table', 'events'),
      ...ownerOnly('table', 'events_2024'),
      ...ownerOnly('table', 'order_totals'),
      ...ownerOnly('table', 'order_view'),
      // Granted by owner_role and (with grant option) by app_writer: one fact, grantable,
      // with both grantors (only app_writer can revoke its own grant).
      ...facts(at('table', 'orders'), 'app_reader', ['SELECT'], {
        grantable: true,
        grantors: ['app_writer', 'owner_role'],
      }),
      ...facts(at('table', 'orders'), 'app_writer', ['INSERT', 'SELECT'], { grantable: true }),
      ...facts(at('table', 'orders'), 'owner_role', tablePrivileges),
      ...facts(at('table', 'orders'), 'app_reader', ['SELECT'], { column: 'Email' }),
      ...facts(at('table', 'orders'), 'app_reader', ['UPDATE'], { column: 'note' }),
      ...ownerOnly('table', 'remote'),
      ...facts(at('sequence', 'order_seq'), 'app_writer', ['USAGE']),
      ...facts(at('sequence', 'order_seq'), 'owner_role', ['SELECT', 'UPDATE', 'USAGE']),
      ...facts(at('function', 'calc', 'integer, text'), 'app_reader', ['EXECUTE']),
      ...facts(at('function', 'calc', 'integer, text'), 'owner_role', ['EXECUTE']),
      ...RANGE_CONSTRUCTORS.flatMap((ref) => facts(ref, 'postgres', ['EXECUTE'])),
      ...facts(at('procedure', 'refresh', 'integer, character varying'), 'app_writer', ['EXECUTE']),
      ...facts(at('procedure', 'refresh', 'integer, character varying'), 'owner_role', ['EXECUTE']),
      ...facts(at('type', 'mood'), 'app_reader', ['USAGE']),
      ...facts(at('type', 'mood'), 'owner_role', ['USAGE']),
      ...facts(at('type', 'pair'), 'owner_role', ['USAGE']),
      ...facts(at('type', 'span'), 'owner_role', ['USAGE']),
      ...facts(at('type', 'span_multirange'), 'owner_role', ['USAGE']),
      ...facts(at('domain', 'positive'), 'app_reader', ['USAGE']),
      ...facts(at('domain', 'positive'), 'owner_role', ['USAGE']),
    ]);
  });

  it('reads privileges on databases, servers, parameters and large objects', () => {
    const database = { kind: 'database', schema: null, name: server.database } as const;
    const parameter = { kind: 'parameter', schema: null, name: 'work_mem' } as const;
    const lo = { kind: 'large_object', schema: null, name: largeObject } as const;
    const srv = { kind: 'foreign_server', schema: null, name: 'srv_test' } as const;
    const pick = (ref: ObjectRef) =>
      state.privileges.filter((f) => f.object.kind === ref.kind && f.object.name === ref.name);
    expect(pick(database)).toEqual([
      ...facts(database, 'app_reader', ['CONNECT']),
      ...facts(database, 'postgres', ['CONNECT', 'CREATE', 'TEMPORARY']),
    ]);
    expect(pick(srv)).toEqual([
      ...facts(srv, 'owner_role', ['USAGE']),
      ...facts(srv, 'postgres', ['USAGE']),
    ]);
    expect(pick(lo)).toEqual([
      ...facts(lo, 'app_reader', ['SELECT']),
      ...facts(lo, 'postgres', ['SELECT', 'UPDATE']),
    ]);
    // The bootstrap superuser is a parameter's owner: its entry appears once anything is granted.
    expect(pick(parameter)).toEqual(
      server.major >= 15
        ? [
            ...facts(parameter, 'app_writer', ['ALTER SYSTEM'], { grantable: true }),
            ...facts(parameter, 'app_writer', ['SET']),
            ...facts(parameter, 'postgres', ['ALTER SYSTEM', 'SET']),
          ]
        : [],
    );
  });

  it('reads default privileges, global and per schema', () => {
    const defaults = state.defaultPrivileges.filter((d) => d.forRole === 'owner_role');
    const entry = (
      schema: string | null,
      objectType: DefaultPrivilegeFact['objectType'],
      grantee: string,
      privileges: readonly Privilege[],
      grantable = false,
    ): DefaultPrivilegeFact[] =>
      [...privileges].sort().map((privilege) => ({
        forRole: 'owner_role',
        schema,
        objectType,
        grantee,
        privilege,
        grantable,
      }));
    // A global entry holds the creator's own privileges too: it replaces the built-in default.
    // Revoking EXECUTE from PUBLIC leaves an entry with only the creator's EXECUTE.
    expect(defaults).toEqual([
      ...entry(null, 'function', 'owner_role', ['EXECUTE']),
      ...entry(null, 'schema', 'app_reader', ['USAGE']),
      ...entry(null, 'schema', 'owner_role', ['CREATE', 'USAGE']),
      ...entry(null, 'table', 'app_reader', ['SELECT']),
      ...entry(null, 'table', 'owner_role', tablePrivileges),
      ...entry('app', 'sequence', 'app_reader', ['USAGE']),
      ...entry('app', 'table', 'app_writer', ['INSERT'], true),
    ]);
  });

  it('keeps temporary schemas out, even the session’s own', async () => {
    const withTemp = await introspectAs(server.url(), 'CREATE TEMP TABLE scratch (x integer)');
    expect(withTemp.objects.filter((o) => o.name === 'scratch')).toEqual([]);
    expect(withTemp.objects.filter((o) => o.schema?.startsWith('pg_'))).toEqual([]);
    expect(withTemp.privileges.filter((f) => f.object.schema?.startsWith('pg_'))).toEqual([]);
  });

  it('reads a system object only when granted beyond its initial privileges, or named', async () => {
    // pg_class and pg_ls_dir carry only initdb's privileges here: not read unless named, so
    // a plan does not read the thousands of system relations and routines every time.
    const system = (current: CurrentState): string[] =>
      (current.systemObjects ?? []).map((o) => `${o.schema}.${o.name}`);
    expect(system(state)).not.toContain('pg_catalog.pg_class');
    expect(system(state)).not.toContain('pg_catalog.pg_ls_dir');
    const client = await connected(server.url());
    try {
      const named = await introspect(client, {
        named: () => ({
          systemObjectNames: ['pg_catalog.pg_ls_dir', 'information_schema.tables'],
        }),
      });
      expect(system(named)).toEqual(
        expect.arrayContaining(['pg_catalog.pg_ls_dir', 'information_schema.tables']),
      );
      expect(system(named)).not.toContain('pg_catalog.pg_class');
      await client.query('GRANT SELECT ON pg_catalog.pg_class TO app_reader');
      try {
        const granted = await introspect(client);
        expect(system(granted)).toContain('pg_catalog.pg_class');
        expect(
          granted.privileges.filter(
            (f) => f.object.schema === 'pg_catalog' && f.object.name === 'pg_class',
          ),
        ).toEqual([
          {
            object: { kind: 'table', schema: 'pg_catalog', name: 'pg_class' },
            grantee: 'app_reader',
            privilege: 'SELECT',
            grantable: false,
          },
        ]);
      } finally {
        await client.query('REVOKE SELECT ON pg_catalog.pg_class FROM app_reader');
      }
    } finally {
      await client.end();
    }
  });

  it('gives the same state twice', async () => {
    expect(await introspectAs(server.url())).toEqual(state);
  });

  it('reads VALID UNTIL in UTC whatever the session TimeZone', async () => {
    for (const zone of ['Pacific/Kiritimati', 'America/Los_Angeles']) {
      const zoned = await introspectAs(server.url(), `SET TimeZone = '${zone}'`);
      const writer = zoned.roles.find((role) => role.name === 'app_writer');
      expect(writer?.attributes.validUntil).toBe('2030-06-15T10:30:45.123Z');
    }
  });

  it('works as a non-superuser, without reading passwords', async () => {
    await server.query(`CREATE ROLE auditor LOGIN PASSWORD 'auditor-pw'`);
    const seen = await introspectAs(urlAs(server, 'auditor', 'auditor-pw'));
    expect(seen.server).toMatchObject({
      currentUser: 'auditor',
      currentUserIsSuperuser: false,
      canReadPasswords: false,
    });
    expect(seen.roles.filter((role) => 'password' in role)).toEqual([]);
    expect(seen.roles.find((role) => role.name === 'app_writer')?.attributes).toEqual(
      state.roles.find((role) => role.name === 'app_writer')?.attributes,
    );
    // Everything else is readable by everyone: the same facts as the superuser sees.
    expect(seen.objects).toEqual(state.objects);
    expect(seen.privileges).toEqual(state.privileges);
    expect(seen.defaultPrivileges).toEqual(state.defaultPrivileges);
    expect(seen.memberships).toEqual(state.memberships);
  });
});

describe('names that need quoting', () => {
  it('come back literally: quotes, dots, commas, spaces, unicode, mixed case', async () => {
    const db = await server.createDatabase('names');
    await server.query(`CREATE ROLE "We""ird, Röle.x"`);
    await server.query(
      `
      CREATE SCHEMA "Sch.""ema" AUTHORIZATION "We""ird, Röle.x";
      CREATE TABLE "Sch.""ema"."ta,ble {x}" ("co""l,1" integer, "Ünïcode col" text);
      GRANT SELECT ("co""l,1") ON "Sch.""ema"."ta,ble {x}" TO "We""ird, Röle.x";
      CREATE FUNCTION "Sch.""ema"."f(x)"("a b" "Sch.""ema"."ta,ble {x}") RETURNS integer
        LANGUAGE sql AS 'SELECT 1';
      `,
      [],
      db,
    );
    const current = await introspectAs(server.url(db));
    const table = { kind: 'table', schema: 'Sch."ema', name: 'ta,ble {x}' } as const;
    expect(current.objects.filter((o) => o.schema === 'Sch."ema' || o.name === 'Sch."ema')).toEqual(
      [
        { kind: 'schema', schema: null, name: 'Sch."ema', owner: 'We"ird, Röle.x' },
        {
          ...table,
          owner: 'postgres',
          relkind: 'r',
          columns: ['co"l,1', 'Ünïcode col'],
        },
        {
          kind: 'function',
          schema: 'Sch."ema',
          name: 'f(x)',
          // As the server formats types: quoted where SQL needs it.
          args: '"Sch.""ema"."ta,ble {x}"',
          owner: 'postgres',
        },
      ],
    );
    expect(current.privileges.filter((f) => f.grantee === 'We"ird, Röle.x')).toEqual([
      ...facts({ kind: 'schema', schema: null, name: 'Sch."ema' }, 'We"ird, Röle.x', [
        'CREATE',
        'USAGE',
      ]),
      ...facts(table, 'We"ird, Röle.x', ['SELECT'], { column: 'co"l,1' }),
    ]);
  });
});

describe('role dependencies', () => {
  it('counts what each role owns or is named in, per database', async () => {
    const other = await server.createDatabase('deps');
    await server.query(`
      CREATE ROLE dep_owner;
      CREATE ROLE dep_grantee;
      CREATE ROLE dep_policy;
      CREATE SCHEMA dep_schema AUTHORIZATION dep_owner;
      CREATE TABLE dep_schema.t (x integer);
      ALTER TABLE dep_schema.t OWNER TO dep_owner;
      GRANT SELECT ON dep_schema.t TO dep_grantee;
      CREATE POLICY p ON dep_schema.t TO dep_policy USING (true);
      ALTER DATABASE "${other}" OWNER TO dep_owner;
    `);
    await server.query('CREATE TABLE t (x integer); ALTER TABLE t OWNER TO dep_owner', [], other);
    const current = await introspectAs(server.url());
    expect(current.dependencies.filter((d) => d.role.startsWith('dep_'))).toEqual([
      { role: 'dep_grantee', database: server.database, type: 'acl', count: 1 },
      // Shared objects (the database itself) first, then databases by name: deps_* < pgward_*.
      { role: 'dep_owner', database: null, type: 'owner', count: 1 },
      { role: 'dep_owner', database: other, type: 'owner', count: 1 },
      { role: 'dep_owner', database: server.database, type: 'owner', count: 2 },
      { role: 'dep_policy', database: server.database, type: 'policy', count: 1 },
    ]);
    expect(current.dependencies.filter((d) => d.role.startsWith('pg_'))).toEqual([]);
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

describe('query count', () => {
  it('is the same for a tiny catalog and one with hundreds of tables and roles', async () => {
    const tiny = await server.createDatabase('tiny');
    const client = await connected(server.url(tiny));
    try {
      const before = counting(client);
      await introspect(before);

      await client.query(`
        DO $$
        BEGIN
          FOR i IN 1..300 LOOP
            EXECUTE format('CREATE ROLE %I', 'bulk_role_' || i);
            EXECUTE format('CREATE TABLE %I (id integer, v text)', 'bulk_table_' || i);
            EXECUTE format('GRANT SELECT ON %I TO %I', 'bulk_table_' || i, 'bulk_role_' || i);
          END LOOP;
        END $$;
      `);
      const after = counting(client);
      const big = await introspect(after);

      expect(big.objects.filter((o) => o.name.startsWith('bulk_table_'))).toHaveLength(300);
      expect(big.roles.filter((r) => r.name.startsWith('bulk_role_'))).toHaveLength(300);
      expect(big.privileges.filter((f) => f.grantee.startsWith('bulk_role_'))).toHaveLength(300);
      expect(after.count).toBe(before.count);
      // server, roles, passwords, memberships, objects (those of system schemas that grants
      // may name included, spec §10), parameters (15+), defaults, dependencies, linked
      // sequences, row security; and on this plain client, reading, pinning and restoring
      // search_path (search-path.ts).
      expect(after.count).toBe((server.major >= 15 ? 10 : 9) + 3);
    } finally {
      await client.end();
    }
  });

  it('reads each catalog of the objects queries in one pass, never once per object', async () => {
    // A scan per row (of pg_init_privs for each of the ~3,400 system routines, say) is what
    // made the objects query cost several times the plain catalog reads: pg_init_privs is
    // joined by hash, and column ACLs come from one pass over pg_attribute. Probes of an
    // index per relation (its columns) are fine; a sequential scan run more than once is not.
    const client = await connected(server.url());
    try {
      // The objects query, and those of the objects and columns a config names.
      const queries: [CatalogQueryName, unknown[]][] = [
        ['objects', [SYSTEM_SCHEMAS, GRANTABLE_SYSTEM_SCHEMAS]],
        [
          'named-objects',
          [GRANTABLE_SYSTEM_SCHEMAS, ['pg_catalog.pg_class', 'pg_catalog.now', 'pg_catalog.abs']],
        ],
        [
          'table-columns',
          [
            ['app', 'app', 'pg_catalog'],
            ['orders', 'events', 'pg_class'],
          ],
        ],
      ];
      const repeated: string[] = [];
      for (const [name, params] of queries) {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${loadSql(name)}`,
          params,
        );
        const walk = (node: PlanNode): void => {
          if (node['Node Type'] === 'Seq Scan' && node['Actual Loops'] > 1)
            repeated.push(`${name}: ${node['Relation Name']} × ${node['Actual Loops']}`);
          for (const child of node.Plans ?? []) walk(child);
        };
        walk(rows[0]!['QUERY PLAN'][0].Plan);
      }
      expect(repeated).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

describe('query count in cluster scope', () => {
  it('reads roles and memberships once per cluster, and a fixed number of queries per database', async () => {
    const databases = [
      await server.createDatabase('qc_a'),
      await server.createDatabase('qc_b'),
      await server.createDatabase('qc_c'),
    ];
    for (const database of databases)
      await server.query('CREATE TABLE t (id integer)', [], database);
    const [home] = databases as [string];
    const rolesSql = loadSql('roles');
    const membershipsSql = loadSql(server.major >= 16 ? 'memberships' : 'memberships-pre16');

    /** Plans `names` from `home`; the statements each connection ran, by database. */
    async function statementsOf(names: readonly string[]): Promise<Map<string, string[]>> {
      const config = parseConfig(
        `version: 1\nsettings:\n  databases: [${names.join(', ')}]\nroles:\n  qc_reader:\n    grants:\n      - { privileges: [SELECT], object_type: table, objects: [public.t] }\n`,
        'qc.yaml',
      );
      const ran = new Map<string, string[]>();
      const recording = (database: string, client: pg.Client) => {
        const list: string[] = [];
        ran.set(database, list);
        return {
          query<R extends object>(sql: string, params?: unknown[]) {
            list.push(sql);
            return client.query<R>(sql, params) as never;
          },
          end: () => client.end(),
        };
      };
      const first = await connected(server.url(home));
      try {
        const plan = await planCluster(recording(home, first), config, async (database) =>
          recording(database, await connected(server.url(database))),
        );
        expect(plan.databases).toEqual(names);
      } finally {
        await first.end();
      }
      return ran;
    }

    const two = await statementsOf(databases.slice(0, 2));
    const three = await statementsOf(databases);
    for (const ran of [two, three]) {
      const all = [...ran.values()].flat();
      expect(all.filter((sql) => sql === rolesSql)).toHaveLength(1);
      expect(all.filter((sql) => sql === membershipsSql)).toHaveLength(1);
    }
    // Every database other than the first runs the same statements, whatever their number.
    const perDatabase = (ran: Map<string, string[]>, database: string) => ran.get(database)?.length;
    const count = perDatabase(two, databases[1] as string);
    expect(count).toBeGreaterThan(0);
    expect(perDatabase(three, databases[1] as string)).toBe(count);
    expect(perDatabase(three, databases[2] as string)).toBe(count);
    // The first connection's share (the cluster's roles once, then its own database) too.
    expect(perDatabase(three, home)).toBe(perDatabase(two, home));
  });
});
