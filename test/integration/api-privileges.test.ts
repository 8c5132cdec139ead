/**
 * Library API, privileges: grant / revoke / listRoleGrants on tables, sequences, functions,
 * schemas and databases, checked with has_*_privilege and the ACLs in the catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, InvalidArgumentError, QueryError, type PgwardDatabase } from '../../src/index.js';
import { failure, sentWhile } from '../support/calls.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let db: PgwardDatabase;

beforeAll(async () => {
  db = await connect(server.url());
  await server.query(`
    CREATE ROLE app; CREATE ROLE reader; CREATE ROLE lead; CREATE ROLE helper;
    CREATE ROLE "Mixed ""Case""";
    CREATE SCHEMA sales;
    CREATE SCHEMA "Odd ""Schema""";
    CREATE TABLE public.orders (id serial PRIMARY KEY, total int);
    CREATE TABLE public.users (id int);
    CREATE VIEW public.order_totals AS SELECT sum(total) AS total FROM public.orders;
    CREATE TABLE sales.orders (id int);
    CREATE TABLE sales.items (id int);
    CREATE SEQUENCE sales.invoice_no;
    CREATE TABLE "Odd ""Schema"""."Weird.Table" (id int);
    CREATE FUNCTION public.calc(a integer, b text) RETURNS int LANGUAGE sql AS 'SELECT 1';
    CREATE FUNCTION public.calc(a text) RETURNS int LANGUAGE sql AS 'SELECT 2';
    CREATE FUNCTION public.single(x bigint) RETURNS int LANGUAGE sql AS 'SELECT 3';
    CREATE PROCEDURE public.tidy() LANGUAGE sql AS 'SELECT 1';
    REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
    REVOKE EXECUTE ON PROCEDURE public.tidy() FROM PUBLIC;
  `);
});
afterAll(async () => {
  await db.close();
});

async function has(sql: string, params: unknown[]): Promise<boolean> {
  const [row] = await server.query<{ ok: boolean }>(`SELECT ${sql} AS ok`, params);
  return row?.ok === true;
}

/**
 * Whether `role` itself holds a database privilege. has_database_privilege would also say yes
 * through PUBLIC, which holds CONNECT and TEMPORARY on every database by default.
 */
const holdsOnDatabase = (role: string, database: string, privilege: string): Promise<boolean> =>
  has(
    `EXISTS (SELECT 1 FROM pg_database AS d, aclexplode(d.datacl) AS a
              WHERE d.datname = $2 AND a.grantee = $1::regrole AND a.privilege_type = $3)`,
    [role, database, privilege],
  );

const hasTable = (role: string, table: string, privilege: string): Promise<boolean> =>
  has('has_table_privilege($1, $2, $3)', [role, table, privilege]);

describe('grant on tables', () => {
  it('grants on a table of public by default', async () => {
    await db.grant(['SELECT', 'INSERT'], 'orders', 'app');
    expect(await hasTable('app', 'public.orders', 'SELECT')).toBe(true);
    expect(await hasTable('app', 'public.orders', 'INSERT')).toBe(true);
    expect(await hasTable('app', 'public.orders', 'UPDATE')).toBe(false);
    expect(await hasTable('app', 'sales.orders', 'SELECT')).toBe(false);
  });

  it('grants on a table of another schema, and on a view', async () => {
    await db.grant('select', 'orders', 'reader', { schema: 'sales' });
    await db.grant('SELECT', 'order_totals', 'reader');
    expect(await hasTable('reader', 'sales.orders', 'SELECT')).toBe(true);
    expect(await hasTable('reader', 'public.order_totals', 'SELECT')).toBe(true);
    expect(await hasTable('reader', 'public.orders', 'SELECT')).toBe(false);
  });

  it('grants with grant option', async () => {
    await db.grant('UPDATE', 'users', 'lead', { withGrantOption: true });
    expect(await hasTable('lead', 'public.users', 'UPDATE WITH GRANT OPTION')).toBe(true);
  });

  it('grants ALL as every table privilege of this server', async () => {
    await db.grant('ALL', 'items', 'helper', { schema: 'sales' });
    const expected = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
    if (server.major >= 17) expected.push('MAINTAIN');
    for (const privilege of expected)
      expect(await hasTable('helper', 'sales.items', privilege)).toBe(true);
  });

  it('grants on every table of a schema with ALL TABLES', async () => {
    await db.grant('SELECT', 'ALL TABLES', 'Mixed "Case"', { schema: 'sales' });
    expect(await hasTable('Mixed "Case"', 'sales.orders', 'SELECT')).toBe(true);
    expect(await hasTable('Mixed "Case"', 'sales.items', 'SELECT')).toBe(true);
    expect(await hasTable('Mixed "Case"', 'public.orders', 'SELECT')).toBe(false);
  });

  it('quotes schema and table names literally', async () => {
    await db.grant('DELETE', 'Weird.Table', 'Mixed "Case"', { schema: 'Odd "Schema"' });
    expect(
      await has('has_table_privilege($1, (SELECT oid FROM pg_class WHERE relname = $2), $3)', [
        'Mixed "Case"',
        'Weird.Table',
        'DELETE',
      ]),
    ).toBe(true);
  });

  it('reports a missing table with the server code and grants nothing', async () => {
    const error = await failure(db.grant('SELECT', 'no_such_table', 'app'));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('42P01');
    expect((error as QueryError).statement).toBe(
      'GRANT SELECT ON TABLE "public"."no_such_table" TO "app"',
    );
  });

  it('takes objectName literally: a dotted name is not schema-qualified', async () => {
    const error = await failure(db.grant('SELECT', 'sales.orders', 'app'));
    expect((error as QueryError).code).toBe('42P01');
    expect(await hasTable('app', 'sales.orders', 'SELECT')).toBe(false);
  });
});

describe('grant on other object types', () => {
  it('grants on a sequence and on ALL SEQUENCES', async () => {
    await db.grant(['USAGE'], 'invoice_no', 'app', { schema: 'sales', objectType: 'SEQUENCE' });
    expect(await has(`has_sequence_privilege('app', 'sales.invoice_no', 'USAGE')`, [])).toBe(true);
    expect(await has(`has_sequence_privilege('app', 'sales.invoice_no', 'UPDATE')`, [])).toBe(
      false,
    );
    await db.grant('SELECT', 'ALL SEQUENCES', 'reader');
    expect(
      await has(`has_sequence_privilege('reader', 'public.orders_id_seq', 'SELECT')`, []),
    ).toBe(true);
  });

  it('grants on a schema', async () => {
    await db.grant('USAGE', 'sales', 'reader', { objectType: 'SCHEMA' });
    await db.grant(['USAGE', 'CREATE'], 'Odd "Schema"', 'Mixed "Case"', { objectType: 'SCHEMA' });
    expect(await has(`has_schema_privilege('reader', 'sales', 'USAGE')`, [])).toBe(true);
    expect(await has(`has_schema_privilege('reader', 'sales', 'CREATE')`, [])).toBe(false);
    expect(
      await has('has_schema_privilege($1, $2, $3)', ['Mixed "Case"', 'Odd "Schema"', 'CREATE']),
    ).toBe(true);
  });

  it('grants on a database', async () => {
    await db.grant(['CONNECT', 'TEMP'], server.database, 'app', { objectType: 'DATABASE' });
    expect(await holdsOnDatabase('app', server.database, 'CONNECT')).toBe(true);
    expect(await holdsOnDatabase('app', server.database, 'TEMPORARY')).toBe(true);
    expect(await holdsOnDatabase('app', server.database, 'CREATE')).toBe(false);
    expect(
      await has('has_database_privilege($1, $2, $3)', ['app', server.database, 'CREATE']),
    ).toBe(false);
  });

  it('resolves a function signature with the catalog spelling of its types', async () => {
    const sent = await sentWhile(() =>
      db.grant('EXECUTE', 'calc(int, TEXT)', 'app', { objectType: 'FUNCTION' }),
    );
    expect(sent).toContain('GRANT EXECUTE ON FUNCTION "public"."calc"(integer, text) TO "app"');
    expect(
      await has(`has_function_privilege('app', 'public.calc(integer, text)', 'EXECUTE')`, []),
    ).toBe(true);
    expect(await has(`has_function_privilege('app', 'public.calc(text)', 'EXECUTE')`, [])).toBe(
      false,
    );
  });

  it('takes the only overload of a function given without arguments', async () => {
    await db.grant('EXECUTE', 'single', 'reader', { objectType: 'FUNCTION' });
    expect(
      await has(`has_function_privilege('reader', 'public.single(bigint)', 'EXECUTE')`, []),
    ).toBe(true);
  });

  it('grants on a procedure given as a function', async () => {
    await db.grant('EXECUTE', 'tidy()', 'reader', { objectType: 'FUNCTION' });
    expect(await has(`has_function_privilege('reader', 'public.tidy()', 'EXECUTE')`, [])).toBe(
      true,
    );
  });

  it('refuses an ambiguous or missing function, granting nothing', async () => {
    const ambiguous = await failure(
      db.grant('EXECUTE', 'calc', 'reader', { objectType: 'FUNCTION' }),
    );
    expect(ambiguous).toBeInstanceOf(QueryError);
    expect((ambiguous as QueryError).code).toBe('42725');
    expect((ambiguous as QueryError).hint).toBe(
      'Give the argument types, one of: calc(integer, text), calc(text)',
    );
    const missing = await failure(
      db.grant('EXECUTE', 'calc(boolean)', 'reader', { objectType: 'FUNCTION' }),
    );
    expect((missing as QueryError).code).toBe('42883');
    expect(missing.message).toBe('function public.calc(boolean) does not exist');
    expect(await has(`has_function_privilege('reader', 'public.calc(text)', 'EXECUTE')`, [])).toBe(
      false,
    );
  });
});

describe('arguments refused before any SQL is sent', () => {
  const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
    [
      'a privilege the object type does not have',
      () => db.grant('EXECUTE', 'orders', 'app'),
      /privilege "EXECUTE" does not apply to a table; valid: SELECT, INSERT/,
    ],
    [
      'a table privilege on a schema',
      () => db.grant(['USAGE', 'SELECT'], 'sales', 'app', { objectType: 'SCHEMA' }),
      /privilege "SELECT" does not apply to a schema/,
    ],
    [
      'a made-up privilege on revoke',
      () => db.revoke('DROP', 'orders', 'app'),
      /privilege "DROP" does not apply to a table/,
    ],
    [
      'an unknown object type',
      () => db.grant('SELECT', 'orders', 'app', { objectType: 'VIEW' as 'TABLE' }),
      /objectType "VIEW" is not one of TABLE, SEQUENCE, FUNCTION, SCHEMA, DATABASE/,
    ],
    [
      'ALL TABLES with another object type',
      () => db.grant('SELECT', 'ALL TABLES', 'app', { objectType: 'SEQUENCE' }),
      /covers table objects/,
    ],
    [
      'a schema option for a database',
      () => db.grant('CONNECT', 'postgres', 'app', { objectType: 'DATABASE', schema: 'public' }),
      /schema option does not apply/,
    ],
    ['no privilege', () => db.grant([], 'orders', 'app'), /no privilege given/],
    ['an empty role name', () => db.grant('SELECT', 'orders', ''), /non-empty/],
  ];
  for (const [what, call, message] of cases) {
    it(`refuses ${what}`, async () => {
      const sent = await sentWhile(async () => {
        const error = await failure(call());
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(error.message).toMatch(message);
      });
      expect(sent).toEqual([]);
    });
  }

  it('refuses MAINTAIN before PostgreSQL 17 and grants it from 17', async () => {
    if (server.major < 17) {
      const error = await failure(db.grant('MAINTAIN', 'users', 'helper'));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toContain('MAINTAIN needs PostgreSQL 17 or later');
    } else {
      await db.grant('MAINTAIN', 'users', 'helper');
      expect(await hasTable('helper', 'public.users', 'MAINTAIN')).toBe(true);
    }
  });
});

describe('revoke', () => {
  it('revokes what was granted, and only that', async () => {
    await db.revoke('INSERT', 'orders', 'app');
    expect(await hasTable('app', 'public.orders', 'INSERT')).toBe(false);
    expect(await hasTable('app', 'public.orders', 'SELECT')).toBe(true);
    await db.revoke('USAGE', 'sales', 'reader', { objectType: 'SCHEMA' });
    expect(await has(`has_schema_privilege('reader', 'sales', 'USAGE')`, [])).toBe(false);
    await db.revoke('EXECUTE', 'calc(integer,text)', 'app', { objectType: 'FUNCTION' });
    expect(
      await has(`has_function_privilege('app', 'public.calc(integer, text)', 'EXECUTE')`, []),
    ).toBe(false);
    await db.revoke('CONNECT', server.database, 'app', { objectType: 'DATABASE' });
    expect(await holdsOnDatabase('app', server.database, 'CONNECT')).toBe(false);
    expect(await holdsOnDatabase('app', server.database, 'TEMPORARY')).toBe(true);
    await db.revoke('SELECT', 'ALL TABLES', 'Mixed "Case"', { schema: 'sales' });
    expect(await hasTable('Mixed "Case"', 'sales.items', 'SELECT')).toBe(false);
  });

  it('is not an error for a privilege the role does not hold', async () => {
    await expect(db.revoke('TRUNCATE', 'orders', 'reader')).resolves.toBeUndefined();
  });

  it('refuses while dependent grants exist, and revokes them with cascade', async () => {
    // lead holds UPDATE WITH GRANT OPTION on users and passes it on to helper.
    await server.query('SET ROLE lead; GRANT UPDATE ON public.users TO helper; RESET ROLE');
    const error = await failure(db.revoke('UPDATE', 'users', 'lead'));
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('2BP01');
    expect(await hasTable('lead', 'public.users', 'UPDATE')).toBe(true);
    expect(await hasTable('helper', 'public.users', 'UPDATE')).toBe(true);

    await db.revoke('UPDATE', 'users', 'lead', { cascade: true });
    expect(await hasTable('lead', 'public.users', 'UPDATE')).toBe(false);
    expect(await hasTable('helper', 'public.users', 'UPDATE')).toBe(false);
  });
});

describe('listRoleGrants', () => {
  it('lists direct privileges on relations and routines, sorted', async () => {
    await server.query(`
      CREATE ROLE auditor;
      GRANT SELECT, UPDATE ON public.orders TO auditor;
      GRANT SELECT ON public.order_totals, sales.items TO auditor;
      GRANT USAGE ON SEQUENCE sales.invoice_no TO auditor;
      GRANT EXECUTE ON FUNCTION public.calc(text) TO auditor;
      GRANT USAGE ON SCHEMA sales TO auditor;
      GRANT SELECT ON public.users TO PUBLIC;
      GRANT reader TO auditor;
    `);
    expect(await db.listRoleGrants('auditor')).toEqual([
      { schema: 'public', object_name: 'calc(text)', privilege: 'EXECUTE' },
      { schema: 'public', object_name: 'order_totals', privilege: 'SELECT' },
      { schema: 'public', object_name: 'orders', privilege: 'SELECT' },
      { schema: 'public', object_name: 'orders', privilege: 'UPDATE' },
      { schema: 'sales', object_name: 'invoice_no', privilege: 'USAGE' },
      { schema: 'sales', object_name: 'items', privilege: 'SELECT' },
    ]);
  });

  it("includes an owner's own privileges", async () => {
    await server.query(`CREATE ROLE owner_role; CREATE TABLE public.owned (id int) ;
                        ALTER TABLE public.owned OWNER TO owner_role`);
    const privileges = (await db.listRoleGrants('owner_role')).map((g) => g.privilege);
    expect(privileges).toContain('SELECT');
    expect(privileges).toContain('TRUNCATE');
  });

  it('agrees with what grant did, for a name that needs quoting', async () => {
    expect(await db.listRoleGrants('Mixed "Case"')).toEqual([
      { schema: 'Odd "Schema"', object_name: 'Weird.Table', privilege: 'DELETE' },
    ]);
  });

  it('fails for a missing role', async () => {
    const error = await failure(db.listRoleGrants('ghost'));
    expect((error as QueryError).code).toBe('42704');
  });
});
