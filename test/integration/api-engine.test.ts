/**
 * Library API, engine calls: db.plan / db.apply / db.inventory against a real server. The
 * convergence loop (plan → apply → catalog has the grants → plan again is empty), passwords
 * that log in over TCP (the test server's TCP authentication is SCRAM-SHA-256) yet never
 * appear in a plan's JSON, stale plans refused with the catalog untouched, the inventory's
 * spec §5 fields, and configs given as paths.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  ConfigError,
  InvalidArgumentError,
  parseConfig,
  planFromJson,
  planToJson,
  StalePlanError,
  type Config,
  type PgwardDatabase,
  type Plan,
} from '../../src/index.js';
import { failure } from '../support/calls.js';
import { catalogSnapshot } from '../support/catalog.js';
import { loginAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
let db: PgwardDatabase;
let dir: string;

beforeAll(async () => {
  db = await connect(server.url());
  dir = await mkdtemp(join(tmpdir(), 'pgward-api-engine-'));
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

function config(text: string, env: Record<string, string> = {}): Config {
  return parseConfig(text, 'pgward.yaml', { env, cwd: dir });
}

async function hasTablePrivilege(role: string, table: string, privilege: string): Promise<boolean> {
  const [row] = await server.query<{ has: boolean }>(
    'SELECT has_table_privilege($1, $2, $3) AS has',
    [role, table, privilege],
  );
  return row?.has === true;
}

async function roleExists(name: string): Promise<boolean> {
  const rows = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  return rows.length === 1;
}

async function storedPassword(role: string): Promise<string | null> {
  const [row] = await server.query<{ rolpassword: string | null }>(
    'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
    [role],
  );
  return row?.rolpassword ?? null;
}

function statements(plan: Plan): string[] {
  return plan.steps.flatMap((step) => step.sql);
}

describe('db.plan and db.apply', () => {
  it('converges: plan, apply, the catalog has the grants, plan again is empty', async () => {
    await server.query(`
      CREATE SCHEMA ae_sales;
      CREATE TABLE ae_sales.orders (id serial PRIMARY KEY, total integer);
    `);
    const wanted = config(`version: 1
roles:
  ae_reader:
    permissions:
      - { type: read, schemas: [ae_sales] }
  ae_clerk:
    member_of: [ae_reader]
    grants:
      - { privileges: [INSERT], object_type: table, objects: [ae_sales.orders] }
`);
    const plan = await db.plan(wanted);
    expect(statements(plan)).toEqual(
      expect.arrayContaining([
        'CREATE ROLE "ae_reader"',
        'CREATE ROLE "ae_clerk"',
        'GRANT "ae_reader" TO "ae_clerk"',
        'GRANT SELECT ON TABLE "ae_sales"."orders" TO "ae_reader"',
        'GRANT INSERT ON TABLE "ae_sales"."orders" TO "ae_clerk"',
      ]),
    );
    expect(plan.summary.add).toBeGreaterThanOrEqual(5);
    // Planning writes nothing.
    expect(await roleExists('ae_reader')).toBe(false);

    expect(await db.apply(plan)).toEqual({
      applied: true,
      outcome: 'applied',
      summary: plan.summary,
    });
    expect(await hasTablePrivilege('ae_reader', 'ae_sales.orders', 'SELECT')).toBe(true);
    expect(await hasTablePrivilege('ae_reader', 'ae_sales.orders', 'INSERT')).toBe(false);
    expect(await hasTablePrivilege('ae_clerk', 'ae_sales.orders', 'INSERT')).toBe(true);
    // Through membership of ae_reader.
    expect(await hasTablePrivilege('ae_clerk', 'ae_sales.orders', 'SELECT')).toBe(true);

    const again = await db.plan(wanted);
    expect(again.steps).toEqual([]);
    expect(again.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    const before = await catalogSnapshot(server, [server.database]);
    expect(await db.apply(again)).toEqual({
      applied: false,
      outcome: 'no_changes',
      summary: { add: 0, change: 0, destroy: 0 },
    });
    expect(await catalogSnapshot(server, [server.database])).toBe(before);
  });

  it('sets a password the role logs in with, though the plan JSON never holds it', async () => {
    const password = 'ae-login-pw-Ü"\'7';
    const wanted = config(
      `version: 1
roles:
  ae_login:
    login: true
    password: { env: AE_LOGIN_PASSWORD }
`,
      { AE_LOGIN_PASSWORD: password },
    );
    const plan = await db.plan(wanted);
    expect(statements(plan)).toEqual(['CREATE ROLE "ae_login" WITH LOGIN PASSWORD (sensitive)']);
    const json = [JSON.stringify(plan), JSON.stringify(planToJson(plan))];

    expect(await db.apply(plan)).toMatchObject({ applied: true, outcome: 'applied' });
    expect(await loginAs(server, 'ae_login', password)).toBe('ae_login');
    await expect(loginAs(server, 'ae_login', 'wrong')).rejects.toThrow(
      /password authentication failed/,
    );

    const verifier = await storedPassword('ae_login');
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:/);
    for (const text of json) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(verifier);
      expect(text).not.toContain('SCRAM-SHA-256$');
    }
  });

  it('a plan read back from JSON needs the config for its passwords, suffixed names too', async () => {
    const password = 'ae-zurich-pw';
    const text = `version: 1
roles:
  ae_app:
    login: true
    password: { env: AE_APP_PASSWORD }
`;
    const wanted = config(text, { AE_APP_PASSWORD: password });
    const planned = await db.plan(wanted, { suffix: 'zurich' });
    expect(planned.suffix).toBe('zurich');
    expect(statements(planned)).toEqual(
      expect.arrayContaining([
        'CREATE ROLE "ae_app_zurich" WITH LOGIN PASSWORD (sensitive)',
        'GRANT "ae_app_zurich" TO "ae_app"',
      ]),
    );
    const readBack = planFromJson(JSON.parse(JSON.stringify(planToJson(planned))));

    const before = await catalogSnapshot(server, [server.database]);
    const error = await failure(db.apply(readBack));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toContain('db.apply(plan, { config })');
    expect(await catalogSnapshot(server, [server.database])).toBe(before);

    // The config file on disk, given as a path, supplies the password for R_suffix.
    const file = join(dir, 'ae-app.yaml');
    await writeFile(file, text);
    process.env.AE_APP_PASSWORD = password;
    try {
      expect(await db.apply(readBack, { config: file })).toMatchObject({ applied: true });
    } finally {
      delete process.env.AE_APP_PASSWORD;
    }
    expect(await loginAs(server, 'ae_app_zurich', password)).toBe('ae_app_zurich');
    expect(await roleExists('ae_app')).toBe(true);
    expect((await db.plan(wanted, { suffix: 'zurich' })).steps).toEqual([]);
  });

  it('a plan read back from JSON applies only with its config, and only as that config plans', async () => {
    const wanted = config(`version: 1
roles:
  ae_plain: {}
`);
    const json = planToJson(await db.plan(wanted));
    const readBack = planFromJson(JSON.parse(JSON.stringify(json)));
    const before = await catalogSnapshot(server, [server.database]);
    expect(await failure(db.apply(readBack))).toBeInstanceOf(InvalidArgumentError);
    // An edited copy, consistent in itself, is not what the config calls for.
    const edited = JSON.parse(JSON.stringify(json)) as {
      changes: { summary: string; sql: string[]; operation: { role: string } }[];
    };
    for (const change of edited.changes) {
      change.operation.role = 'ae_intruder';
      change.sql = ['CREATE ROLE "ae_intruder"'];
    }
    const error = await failure(db.apply(planFromJson(edited), { config: wanted }));
    expect(error).toBeInstanceOf(StalePlanError);
    expect(error.message).toMatch(
      /^plan is stale or was edited: its change 1 "create role "ae_intruder""/,
    );
    expect(await catalogSnapshot(server, [server.database])).toBe(before);

    expect(await db.apply(readBack, { config: wanted })).toMatchObject({ applied: true });
    expect(await roleExists('ae_plain')).toBe(true);
    expect(await roleExists('ae_intruder')).toBe(false);
  });

  it('refuses a stale plan with "stale" and changes nothing', async () => {
    await server.query('CREATE TABLE public.ae_invoices (id int)');
    const wanted = config(`version: 1
roles:
  ae_auditor:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [public.ae_invoices] }
`);
    const plan = await db.plan(wanted);
    expect(plan.steps.length).toBeGreaterThan(0);

    // Someone changes what the plan depends on between plan and apply; an unrelated change
    // alone would not make it stale.
    await server.query(
      'CREATE ROLE ae_meanwhile; GRANT SELECT ON public.ae_invoices TO ae_meanwhile',
    );
    const before = await catalogSnapshot(server, [server.database]);
    const error = await failure(db.apply(plan));
    expect(error).toBeInstanceOf(StalePlanError);
    expect(error.message).toContain('stale: table "public.ae_invoices": privileges changed');
    expect(await catalogSnapshot(server, [server.database])).toBe(before);
    expect(await roleExists('ae_auditor')).toBe(false);

    // A fresh plan applies.
    expect(await db.apply(await db.plan(wanted))).toMatchObject({ applied: true });
    expect(await hasTablePrivilege('ae_auditor', 'public.ae_invoices', 'SELECT')).toBe(true);
  });

  it('runs calls in call order on the one connection: a plan called after apply sees its result', async () => {
    const wanted = config(`version: 1
roles:
  ae_queued: {}
`);
    const plan = await db.plan(wanted);
    const [applied, exists, replanned] = await Promise.all([
      db.apply(plan),
      db.roleExists('ae_queued'),
      db.plan(wanted),
    ]);
    expect(applied).toMatchObject({ applied: true });
    expect(exists).toBe(true);
    expect(replanned.steps).toEqual([]);
  });

  it('refuses a bad lockTimeout before sending anything', async () => {
    const plan = await db.plan(config('version: 1\nroles:\n  ae_never: {}\n'));
    const error = await failure(db.apply(plan, { lockTimeout: '10 seconds; DROP ROLE x' }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toContain('lockTimeout');
    expect(await roleExists('ae_never')).toBe(false);
  });
});

describe('db.inventory', () => {
  it('reports a missing role and a satisfied permission with the fields of spec §5', async () => {
    await server.query(`
      CREATE SCHEMA ae_inv;
      CREATE TABLE ae_inv.items (id int);
      CREATE ROLE ae_inv_reader;
      GRANT USAGE ON SCHEMA ae_inv TO ae_inv_reader;
      GRANT SELECT ON ae_inv.items TO ae_inv_reader;
      CREATE ROLE ae_inv_lonely LOGIN;
      CREATE ROLE ae_inv_intruder;
      GRANT SELECT ON ae_inv.items TO ae_inv_intruder;
    `);
    const wanted = config(`version: 1
roles:
  ae_inv_reader:
    permissions:
      - { type: read, schemas: [ae_inv] }
  ae_inv_ghost:
    permissions:
      - { type: write, schemas: [ae_inv] }
`);
    const inventory = await db.inventory(wanted);
    expect(Object.keys(inventory).sort()).toEqual([
      'configured_roles',
      'missing_roles',
      'other_login_roles',
      'unknown_roles',
    ]);
    expect(inventory.missing_roles).toEqual(['ae_inv_ghost']);
    expect(inventory.configured_roles).toEqual(
      expect.arrayContaining([
        {
          name: 'ae_inv_reader',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [
            {
              schema: 'ae_inv',
              expected: 'read',
              has_read: true,
              has_write: false,
              satisfied: true,
            },
          ],
        },
        {
          name: 'ae_inv_ghost',
          exists: false,
          login: null,
          superuser: null,
          schema_permissions: [
            {
              schema: 'ae_inv',
              expected: 'write',
              has_read: false,
              has_write: false,
              satisfied: false,
            },
          ],
        },
      ]),
    );
    expect(inventory.configured_roles).toHaveLength(2);
    expect(inventory.unknown_roles).toEqual([
      { name: 'ae_inv_intruder', schemas: ['ae_inv'], login: false },
    ]);
    expect(inventory.other_login_roles).toContain('ae_inv_lonely');
    expect(inventory.other_login_roles).not.toContain('ae_inv_intruder');
  });

  it('takes the config as a path, and a suffix', async () => {
    const file = join(dir, 'inventory.yaml');
    await writeFile(
      file,
      `version: 1
roles:
  ae_inv_reader:
    permissions:
      - { type: read, schemas: [ae_inv] }
`,
    );
    const plain = await db.inventory(file);
    expect(plain.missing_roles).toEqual([]);
    const suffixed = await db.inventory(file, { suffix: 'bern' });
    expect(suffixed.missing_roles).toContain('ae_inv_reader_bern');

    const error = await failure(db.inventory(join(dir, 'missing.yaml')));
    expect(error).toBeInstanceOf(ConfigError);
  });
});

describe('a config given as a path', () => {
  it('plans and applies from a pgward.yaml on disk', async () => {
    const file = join(dir, 'path.yaml');
    await writeFile(
      file,
      `version: 1
roles:
  ae_from_file:
    connection_limit: 3
`,
    );
    const plan = await db.plan(file);
    expect(statements(plan)).toEqual(['CREATE ROLE "ae_from_file" WITH CONNECTION LIMIT 3']);
    expect(await db.apply(plan)).toMatchObject({ applied: true });
    const [row] = await server.query<{ rolconnlimit: number }>(
      "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'ae_from_file'",
    );
    expect(row?.rolconnlimit).toBe(3);
    expect((await db.plan(file)).steps).toEqual([]);
  });
});
