/**
 * Saved plans in cluster scope (spec §8 with §3): `plan --out` records the cluster-wide
 * fingerprints of roles and each managed database's own; `apply PLANFILE` re-plans under the
 * lock and refuses a plan that went stale in one database, or whose changes were edited, with
 * nothing applied in any database.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planStep } from '../../src/plan/build.js';
import type { Operation } from '../../src/model/operations.js';
import { pgward } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

let dir: string;
let shop: string;
let crm: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-cluster-planfile-'));
  shop = await server.createDatabase('shop');
  crm = await server.createDatabase('crm');
  for (const database of [shop, crm])
    await server.query('CREATE SCHEMA app; CREATE TABLE app.orders (id integer)', [], database);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A config granting SELECT on app.orders to `role` in both databases. */
async function configFor(role: string): Promise<string> {
  const file = join(dir, `${role}.yaml`);
  await writeFile(
    file,
    `version: 1
settings:
  databases: [${shop}, ${crm}]
roles:
  ${role}:
    grants:
      - { privileges: [SELECT], object_type: table, objects: [app.orders] }
`,
  );
  return file;
}

function cliWith(config: string) {
  return (...args: string[]) => pgward([...args, '--db', server.url(shop), '-c', config]);
}

async function can(role: string, privilege: string, database: string): Promise<boolean> {
  const [row] = await server.query<{ ok: boolean }>(
    'SELECT has_table_privilege($1, $2, $3) AS ok',
    [role, 'app.orders', privilege],
    database,
  );
  return row?.ok ?? false;
}

async function roleExists(role: string): Promise<boolean> {
  return (await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length > 0;
}

interface SavedChange {
  summary: string;
  sql: string[];
  database: string | null;
  operation: Record<string, unknown>;
}
interface SavedPlan {
  databases: string[];
  fingerprints: Record<string, string>;
  database_fingerprints: Record<string, Record<string, string>>;
  changes: SavedChange[];
}

describe('plan --out / apply PLANFILE in cluster scope', () => {
  it('saves per-database fingerprints and applies the saved plan in every database', async () => {
    const cli = cliWith(await configFor('cpf_reader'));
    const planFile = join(dir, 'round-trip.json');
    const planned = await cli('plan', '--out', planFile);
    expect(planned.code, planned.stderr).toBe(0);
    const saved = JSON.parse(await readFile(planFile, 'utf8')) as SavedPlan;
    expect(saved.databases).toEqual([shop, crm]);
    // Roles once for the cluster; each database's objects in its own section.
    expect(saved.fingerprints['role "cpf_reader": attributes']).toBe('absent');
    for (const database of [shop, crm]) {
      expect(Object.keys(saved.database_fingerprints[database] ?? {})).toContain(
        'table "app.orders": privileges',
      );
      expect(Object.keys(saved.database_fingerprints[database] ?? {})).not.toContain(
        'role "cpf_reader": attributes',
      );
    }
    expect(saved.changes.map((change) => [change.database, change.sql.join('; ')])).toEqual([
      [null, 'CREATE ROLE "cpf_reader"'],
      [shop, 'GRANT SELECT ON TABLE "app"."orders" TO "cpf_reader"'],
      [crm, 'GRANT SELECT ON TABLE "app"."orders" TO "cpf_reader"'],
    ]);

    const applied = await cli('apply', planFile);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 3 added, 0 changed, 0 destroyed.');
    expect(await can('cpf_reader', 'SELECT', shop)).toBe(true);
    expect(await can('cpf_reader', 'SELECT', crm)).toBe(true);
    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);

    // The same file once more: the role it creates exists now.
    const replayed = await cli('apply', planFile);
    expect(replayed.code).toBe(1);
    expect(replayed.stderr.split('\n')[0]).toBe(
      `error: plan is stale: role "cpf_reader": created; in database "${shop}": table "app.orders": privileges changed; in database "${crm}": table "app.orders": privileges changed since it was planned; nothing was changed, run pgward plan again`,
    );
  });

  it('refuses a plan that went stale in the second database only; nothing is applied anywhere', async () => {
    await server.query('CREATE ROLE cpf_stale');
    const cli = cliWith(await configFor('cpf_stale'));
    const planFile = join(dir, 'stale.json');
    expect((await cli('plan', '--out', planFile)).code).toBe(0);
    // A change in crm the re-plan does not show (PUBLIC is not managed), but the plan
    // depends on app.orders' whole ACL there.
    await server.query('GRANT SELECT ON app.orders TO PUBLIC', [], crm);

    const refused = await cli('apply', planFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split('\n')[0]).toBe(
      `error: plan is stale: in database "${crm}": table "app.orders": privileges changed since it was planned; nothing was changed, run pgward plan again`,
    );
    expect(await can('cpf_stale', 'SELECT', shop)).toBe(false);
    await server.query('REVOKE SELECT ON app.orders FROM PUBLIC', [], crm);
    expect(await can('cpf_stale', 'SELECT', crm)).toBe(false);
  });

  it('refuses forged SQL or a forged change in one database section; nothing is applied', async () => {
    const cli = cliWith(await configFor('cpf_forged'));
    const planFile = join(dir, 'forged.json');
    expect((await cli('plan', '--out', planFile)).code).toBe(0);
    const original = JSON.parse(await readFile(planFile, 'utf8')) as SavedPlan;
    const crmIndex = original.changes.findIndex((change) => change.database === crm);
    expect(crmIndex).toBeGreaterThan(0);

    // SQL that is not what the operation renders to.
    const sqlOnly = structuredClone(original);
    const forgedChange = sqlOnly.changes[crmIndex] as SavedChange;
    forgedChange.sql = ['GRANT SELECT, DELETE ON TABLE "app"."orders" TO "cpf_forged"'];
    const sqlFile = join(dir, 'forged-sql.json');
    await writeFile(sqlFile, JSON.stringify(sqlOnly));
    const badSql = await cli('apply', sqlFile);
    expect(badSql.code).toBe(1);
    expect(badSql.stderr.split('\n')[0]).toContain(
      'its "sql" is not what its operation renders to; was the plan file edited?',
    );

    // Operation and SQL forged together, consistently: the re-plan does not call for it.
    const both = structuredClone(original);
    const saved = both.changes[crmIndex]?.operation as { target: unknown; grantees: string[] };
    const operation = {
      type: 'grant_privileges',
      target: saved.target,
      privileges: ['SELECT', 'DELETE'],
      grantees: saved.grantees,
      withGrantOption: false,
    } as Operation;
    const step = planStep(operation, 180000);
    both.changes[crmIndex] = {
      ...(both.changes[crmIndex] as SavedChange),
      operation: { ...saved, privileges: ['SELECT', 'DELETE'], with_grant_option: false },
      sql: [...step.sql],
      summary: step.summary,
    };
    const bothFile = join(dir, 'forged-both.json');
    await writeFile(bothFile, JSON.stringify(both));
    const forged = await cli('apply', bothFile);
    expect(forged.code).toBe(1);
    expect(forged.stderr.split('\n')[0]).toMatch(
      /^error: plan is stale or was edited: its change 3 ".*" is not what the config and the database call for there/,
    );

    // The change moved to the other database's section.
    const moved = structuredClone(original);
    (moved.changes[crmIndex] as SavedChange).database = shop;
    const movedFile = join(dir, 'forged-database.json');
    await writeFile(movedFile, JSON.stringify(moved));
    const elsewhere = await cli('apply', movedFile);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr.split('\n')[0]).toContain('plan is stale or was edited');

    expect(await roleExists('cpf_forged')).toBe(false);
    expect(await can('cpf_forged', 'DELETE', crm).catch(() => false)).toBe(false);
  });
});
