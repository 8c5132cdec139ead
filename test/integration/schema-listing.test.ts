/**
 * `ALL TABLES / ALL SEQUENCES IN SCHEMA` in a plan run as lists of the objects they stand for
 * (sql/render.ts listed(): the keyword makes PostgreSQL scan all of pg_class once per
 * statement, most of a large apply's time, issue 13). The plan still shows the keyword; what
 * runs must grant and revoke exactly what the keyword would, names that need quoting
 * included, and the apply converge.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { applyConfig, planConfig } from '../../src/engine.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let client: pg.Client;

beforeAll(async () => {
  await server.query(`
    CREATE ROLE sl_owner;
    CREATE SCHEMA "Sl.Odd" AUTHORIZATION sl_owner;
    SET ROLE sl_owner;
    CREATE TABLE "Sl.Odd"."T ""1""" (id serial);
    CREATE TABLE "Sl.Odd".plain (id int);
    CREATE VIEW "Sl.Odd".v AS SELECT 1 AS one;
    CREATE SEQUENCE "Sl.Odd".counter;
    RESET ROLE;
    CREATE ROLE sl_reader;
    CREATE ROLE sl_former;
    GRANT SELECT ON ALL TABLES IN SCHEMA "Sl.Odd" TO sl_former;
  `);
  client = new pg.Client({ connectionString: server.url() });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

/** A client that keeps the statements sent through it. */
function recording(): Queryable & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    query: (sql, params) => {
      sent.push(sql);
      return client.query(sql, params);
    },
  };
}

describe('ALL ... IN SCHEMA as it runs', () => {
  it('shows the keyword, sends the list, and grants and revokes what the keyword would', async () => {
    const config = parseConfig(
      `version: 1
roles:
  sl_reader:
    permissions:
      - { type: read, schemas: ['Sl.Odd'] }
  sl_former: {}
`,
      'pgward.yaml',
    );
    const { plan } = await planConfig(client, config);
    const shown = plan.steps.flatMap((step) => step.sql);
    expect(shown).toContain('GRANT SELECT ON ALL TABLES IN SCHEMA "Sl.Odd" TO "sl_reader"');
    expect(shown).toContain('REVOKE SELECT ON ALL TABLES IN SCHEMA "Sl.Odd" FROM "sl_former"');

    const session = recording();
    const result = await applyConfig(session, config, { lockTimeout: '10s' });
    expect(result.outcome).toBe('applied');
    const sent = session.sent.join('\n');
    expect(sent).not.toContain('ALL TABLES IN SCHEMA');
    expect(sent).not.toContain('ALL SEQUENCES IN SCHEMA');
    expect(sent).toContain(
      'GRANT SELECT ON TABLE "Sl.Odd"."T ""1""", "Sl.Odd"."plain", "Sl.Odd"."v" TO "sl_reader"',
    );
    expect(sent).toContain(
      'REVOKE SELECT ON TABLE "Sl.Odd"."T ""1""", "Sl.Odd"."plain", "Sl.Odd"."v" FROM "sl_former"',
    );

    const rows = await server.query<{ relname: string; reader: boolean; former: boolean }>(`
      SELECT c.relname,
             pg_catalog.has_table_privilege('sl_reader', c.oid, 'SELECT') AS reader,
             pg_catalog.has_table_privilege('sl_former', c.oid, 'SELECT') AS former
        FROM pg_catalog.pg_class AS c
       WHERE c.relnamespace = '"Sl.Odd"'::regnamespace AND c.relkind IN ('r', 'v', 'S')
       ORDER BY 1`);
    expect(rows).toEqual([
      { relname: 'T "1"', reader: true, former: false },
      { relname: 'T "1"_id_seq', reader: true, former: false },
      { relname: 'counter', reader: true, former: false },
      { relname: 'plain', reader: true, former: false },
      { relname: 'v', reader: true, former: false },
    ]);
    expect((await planConfig(client, config)).plan.steps).toEqual([]);
  });

  it('rolls back when a table appears between the plan and its statements; the next apply converges', async () => {
    await server.query('CREATE ROLE sl_late; CREATE SCHEMA sl_late AUTHORIZATION sl_owner');
    await server.query(
      'SET ROLE sl_owner; CREATE TABLE sl_late.a (id int); CREATE TABLE sl_late.b (id int); RESET ROLE',
    );
    const config = parseConfig(
      `version: 1
roles:
  sl_late:
    permissions:
      - { type: read, schemas: [sl_late] }
`,
      'pgward.yaml',
    );
    // Created in the apply's own transaction, after the plan: the list sent does not name it,
    // where ALL TABLES IN SCHEMA would have; the convergence check sees it without the grant.
    const failed = await applyConfig(client, config, {
      lockTimeout: '10s',
      beforeExecute: async (session) => {
        await session.query('CREATE TABLE sl_late.c (id int)');
      },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(failed)).toMatch(
      /did not converge: 1 change remains.*\n.*grant SELECT on table "sl_late\.c"/s,
    );
    const [after] = await server.query<{ tables: number; granted: boolean }>(`
      SELECT (SELECT count(*)::int FROM pg_catalog.pg_tables WHERE schemaname = 'sl_late') AS tables,
             pg_catalog.has_table_privilege('sl_late', 'sl_late.a', 'SELECT') AS granted`);
    expect(after).toEqual({ tables: 2, granted: false });
    expect((await applyConfig(client, config, { lockTimeout: '10s' })).outcome).toBe('applied');
    expect((await planConfig(client, config)).plan.steps).toEqual([]);
  });
});
