/**
 * Library API errors: `db.grant` and `db.apply` failing at the same GRANT fail with the same
 * shape — a QueryError with the server's `code`, `detail` and `hint` and the display
 * `statement` — and the engine's errors carry data, not the CLI's advice ("run pgward ...").
 * The GRANT is refused by an event trigger, which gives the server error a DETAIL and a HINT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplyError,
  connect,
  parseConfig,
  QueryError,
  StalePlanError,
  type PgwardDatabase,
} from '../../src/index.js';
import { failure } from '../support/calls.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let db: PgwardDatabase;

beforeAll(async () => {
  await server.query(`
    CREATE ROLE er_reader;
    CREATE TABLE er_orders (id int);
    CREATE FUNCTION er_refuse() RETURNS event_trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'grants are frozen' USING
        DETAIL = 'a change freeze is on', HINT = 'wait for Monday', ERRCODE = 'P0001';
    END $$;
  `);
  db = await connect(server.url());
});
afterAll(async () => {
  await db.close();
  await server.query('DROP EVENT TRIGGER IF EXISTS er_freeze');
});

const GRANT = 'GRANT SELECT ON TABLE "public"."er_orders" TO "er_reader"';
const SERVER_FIELDS = {
  code: 'P0001',
  detail: 'a change freeze is on',
  hint: 'wait for Monday',
  statement: GRANT,
};

async function canSelect(): Promise<boolean> {
  const [row] = await server.query<{ has: boolean }>(
    "SELECT has_table_privilege('er_reader', 'public.er_orders', 'SELECT') AS has",
  );
  return row?.has === true;
}

const config = parseConfig(
  `version: 1
roles:
  er_reader:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.er_orders] }
`,
  'pgward.yaml',
);

describe('db.grant and db.apply refused by the server', () => {
  it('fail with the same class and fields, and change nothing', async () => {
    const plan = await db.plan(config);
    expect(plan.steps.map((step) => step.sql).flat()).toEqual([GRANT]);
    await server.query(
      "CREATE EVENT TRIGGER er_freeze ON ddl_command_start WHEN TAG IN ('GRANT') EXECUTE FUNCTION er_refuse()",
    );
    try {
      const granted = await failure(db.grant('SELECT', 'er_orders', 'er_reader'));
      const applied = await failure(db.apply(plan));

      for (const error of [granted, applied]) {
        expect(error).toBeInstanceOf(QueryError);
        expect(error).toMatchObject(SERVER_FIELDS);
      }
      expect(granted.message).toBe(
        'grants are frozen\nDETAIL: a change freeze is on\nHINT: wait for Monday',
      );
      expect(applied).toBeInstanceOf(ApplyError);
      expect(applied).toMatchObject({ changed: 'nothing', remaining: [] });
      expect(applied.message).toBe(
        `apply failed at step 1 of 1 (${GRANT}): grants are frozen (SQLSTATE P0001); rolled back, nothing was changed`,
      );
      expect(await canSelect()).toBe(false);
    } finally {
      await server.query('DROP EVENT TRIGGER er_freeze');
    }
    await db.apply(await db.plan(config));
    expect(await canSelect()).toBe(true);
    expect((await db.plan(config)).steps).toEqual([]);
  });
});

describe('engine errors carry data, the CLI words what to run next', () => {
  it('a stale plan says why as data; its message names no pgward command', async () => {
    await server.query('CREATE ROLE er_writer');
    const wanted = parseConfig(
      'version: 1\nroles:\n  er_writer:\n    grants:\n      - { privileges: [INSERT], object_type: table, objects: [public.er_orders] }\n',
      'pgward.yaml',
    );
    const plan = await db.plan(wanted);
    await server.query('GRANT UPDATE ON er_orders TO er_writer');
    const error = await failure(db.apply(plan));
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as StalePlanError).reason).toEqual({ kind: 'changed_since_planned' });
    expect(error.message).toBe(
      'plan is stale: role "er_writer": privileges changed; table "public.er_orders": privileges changed since it was planned; nothing was changed',
    );
    expect(error.message).not.toContain('run pgward');
  });
});
