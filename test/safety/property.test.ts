/**
 * Safety promises 2 (all or nothing) and 9 (convergence), as properties over random cases: a
 * random catalog made by hand and a random valid config over it (test/support/property.ts).
 *
 * For each case:
 * - faults: `apply` is run twice through the engine with a fault injected before one
 *   statement of its transaction: first before COMMIT (which also counts the statements),
 *   then before a statement picked at random, of a random kind: the client fails, the server
 *   refuses a statement, the backend is terminated, or a lock is not granted within
 *   --lock-timeout. Each time, the whole catalog is exactly as before (snapshots equal);
 * - convergence: then `pgward apply --yes` succeeds, `plan` is empty, `drift` exits 0, and
 *   the config `export` writes plans empty too.
 *
 * Every case comes from a seed. `PGWARD_PROPERTY_SEED` (default: random) is the first seed and
 * `PGWARD_PROPERTY_RUNS` (default 5) how many cases run; a failure names its seed, the setup
 * SQL and the config, and `PGWARD_PROPERTY_SEED=<seed> PGWARD_PROPERTY_RUNS=1` runs it again.
 * `npm run test:property` runs many more (scripts/property.mjs).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { applyConfig } from '../../src/engine.js';
import { PgwardError } from '../../src/errors.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { catalogSnapshot, quoteIdentForTest } from '../support/catalog.js';
import { runCli } from '../support/cli.js';
import { connected } from '../support/login.js';
import { enabledFlags, generateCase, Random, type PropertyCase } from '../support/property.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from './support.js';

const server = useTestServer();

function integerFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be an integer ≥ 0`);
  return value;
}

const RUNS = integerFromEnv('PGWARD_PROPERTY_RUNS', 5);
const FIRST_SEED = integerFromEnv('PGWARD_PROPERTY_SEED', Math.floor(Math.random() * 2 ** 31));
const SEEDS = Array.from({ length: RUNS }, (_, i) => (FIRST_SEED + i) >>> 0);
const FLAGS = enabledFlags(process.env);
/** The bootstrap superuser of the test server: pgward connects as it. */
const SUPERUSER = 'postgres';
/** --lock-timeout of the faulty applies: the lock-timeout fault waits this long. */
const LOCK_TIMEOUT = '300ms';
/** An advisory lock key of the test's own, held by another session for the lock-timeout fault. */
const FAULT_LOCK_KEY = 4242;

type FaultKind = 'client error' | 'server error' | 'terminated backend' | 'lock timeout';
const FAULT_KINDS: readonly FaultKind[] = [
  'client error',
  'server error',
  'terminated backend',
  'lock timeout',
];

interface Fault {
  readonly kind: FaultKind;
  /** The fault happens instead of the `at`-th statement after BEGIN (COMMIT included). */
  readonly at: number | 'COMMIT';
}

/**
 * A Queryable over `client` that counts the statements of the apply transaction and, before
 * the one the fault names, makes it fail the way `fault.kind` says. The fault fires once;
 * `firedAt` is the number of the statement it fired before (0: it did not fire).
 */
function faulty(
  client: pg.Client,
  url: string,
  fault: Fault,
): { client: Queryable; firedAt: () => number } {
  let inTransaction = false;
  let count = 0;
  let firedAt = 0;
  const inject = async (): Promise<void> => {
    firedAt = count;
    switch (fault.kind) {
      case 'client error':
        throw new Error(`injected fault before statement ${count}`);
      case 'server error':
        await client.query('SELECT 1 / 0');
        return;
      case 'terminated backend': {
        const [row] = (
          await client.query<{ pid: number }>('SELECT pg_catalog.pg_backend_pid() AS pid')
        ).rows;
        await server.query('SELECT pg_catalog.pg_terminate_backend($1, 10000)', [row?.pid]);
        return; // the statement itself then fails: the connection is gone
      }
      case 'lock timeout': {
        // Advisory locks are per database: the holder connects to the apply's.
        const holder = await connected(url);
        holder.on('error', () => undefined);
        try {
          await holder.query('SELECT pg_catalog.pg_advisory_lock($1)', [FAULT_LOCK_KEY]);
          // The fault may come before pgward's own SET LOCAL lock_timeout: bound the wait here.
          await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
          await client.query('SELECT pg_catalog.pg_advisory_xact_lock($1)', [FAULT_LOCK_KEY]);
        } finally {
          await holder.end();
        }
        return;
      }
    }
  };
  return {
    firedAt: () => firedAt,
    client: {
      query: async <R extends object>(text: string, params?: unknown[]) => {
        if (text.startsWith('BEGIN')) inTransaction = true;
        else if (inTransaction) {
          count += 1;
          const due = fault.at === 'COMMIT' ? text === 'COMMIT' : count === fault.at;
          if (due && firedAt === 0) await inject();
        }
        const result = await client.query(text, params);
        return { rows: result.rows as R[] };
      },
    },
  };
}

/**
 * Runs `apply` of the case's config through the engine with `fault`; returns its error and
 * the number of the statement the fault fired before.
 */
async function applyWithFault(
  url: string,
  testCase: PropertyCase,
  file: string,
  fault: Fault,
): Promise<{ error: unknown; firedAt: number }> {
  const config = parseConfig(testCase.configYaml, file, { env: testCase.env });
  const client = await connected(url);
  // A terminated backend makes node-postgres emit 'error' on the client: the apply reports it.
  client.on('error', () => undefined);
  const wrapped = faulty(client, url, fault);
  try {
    await applyConfig(wrapped.client, config, { lockTimeout: LOCK_TIMEOUT });
    return { error: undefined, firedAt: wrapped.firedAt() };
  } catch (error) {
    return { error, firedAt: wrapped.firedAt() };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Drops the databases of the cases and every role but the bootstrap superuser: each case
 * starts from an empty cluster (roles are cluster-wide).
 */
async function cleanUp(): Promise<void> {
  const databases = await server.query<{ datname: string }>(
    "SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE 'prop\\_%' ORDER BY datname",
  );
  for (const { datname } of databases) {
    await server.query(`DROP DATABASE ${quoteIdentForTest(datname)} WITH (FORCE)`, [], 'postgres');
  }
  const roles = await server.query<{ rolname: string }>(
    'SELECT rolname FROM pg_catalog.pg_roles WHERE oid >= 16384 ORDER BY rolname',
  );
  for (const { rolname } of roles) await server.query(`DROP ROLE ${quoteIdentForTest(rolname)}`);
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir('property');
});

async function checkCase(seed: number): Promise<void> {
  await cleanUp();
  const database = await server.createDatabase('prop');
  const testCase = generateCase(seed, {
    major: server.major,
    database,
    superuser: SUPERUSER,
    flags: FLAGS,
  });
  const url = server.url(database);
  const file = join(dir, `pgward-${seed}.yaml`);
  const cli = (args: readonly string[], config = file) =>
    runCli([...args, '--db', url, '-c', config], { env: { ...testCase.env } });
  try {
    await server.query(testCase.setupSql, [], database);
    await writeFile(file, testCase.configYaml);
    const before = await catalogSnapshot(server, [database]);

    // Faults: first before COMMIT (whose number is how many statements there are), then
    // before a random one.
    const rehearsal = await applyWithFault(url, testCase, file, {
      kind: 'client error',
      at: 'COMMIT',
    });
    const statements = rehearsal.firedAt;
    const random = new Random(seed ^ 0x5eed);
    if (statements > 0) {
      expect(rehearsal.error, 'the apply with a fault before COMMIT').toBeInstanceOf(PgwardError);
      expect(await catalogSnapshot(server, [database])).toBe(before);
      const fault: Fault = { kind: random.pick(FAULT_KINDS), at: random.int(1, statements) };
      const faulted = await applyWithFault(url, testCase, file, fault);
      expect(
        faulted.error,
        `the apply with a ${fault.kind} at statement ${fault.at}`,
      ).toBeInstanceOf(PgwardError);
      expect(
        await catalogSnapshot(server, [database]),
        `catalog after a ${fault.kind} at statement ${fault.at} of ${statements}`,
      ).toBe(before);
    } else if (rehearsal.error !== undefined) {
      throw rehearsal.error; // the apply failed by itself, before the fault
    }

    // Convergence, through the CLI as a user runs it.
    const applied = await cli(['apply', '--yes']);
    expect(applied.exitCode, `apply:\n${applied.stderr}${applied.stdout}`).toBe(0);
    const plan = await cli(['plan', '--format', 'json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).changes, 'the plan after apply').toEqual([]);
    // Drift still exits 2 for access apply leaves alone (spec §10: an unmanaged role with
    // CREATEROLE, BYPASSRLS, ...), never for a change apply would make.
    const drift = await cli(['drift', '--format', 'json']);
    const { findings } = JSON.parse(drift.stdout || '{"findings":[]}') as {
      findings: { fixed_by_apply: boolean; summary: string }[];
    };
    const left = findings.filter((finding) => finding.fixed_by_apply);
    expect(left, 'drift after apply: changes apply would make').toEqual([]);
    expect(drift.exitCode, `drift after apply:\n${drift.stdout}${drift.stderr}`).toBe(
      findings.length > 0 ? 2 : 0,
    );

    const exported = await runCli(['export', '--db', url], { env: {} });
    expect(exported.exitCode, exported.stderr).toBe(0);
    const exportedFile = join(dir, `exported-${seed}.yaml`);
    await writeFile(exportedFile, exported.stdout);
    const replan = await cli(['plan', '--format', 'json'], exportedFile);
    expect(replan.exitCode, replan.stderr).toBe(0);
    expect(
      JSON.parse(replan.stdout).changes,
      `the plan of the exported config is not empty; the exported config:\n${exported.stdout}`,
    ).toEqual([]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `property failed for seed ${seed} on PostgreSQL ${server.major}` +
        ` (again: PGWARD_PROPERTY_SEED=${seed} PGWARD_PROPERTY_RUNS=1${[...FLAGS].map((flag) => ` ${flag}=1`).join('')} npx vitest run test/safety/property.test.ts)\n` +
        `--- setup.sql\n${testCase.setupSql}\n--- pgward.yaml\n${testCase.configYaml}--- failure\n${message}`,
      { cause: error },
    );
  }
}

describe(`random catalogs and configs, seeds ${FIRST_SEED}..${FIRST_SEED + RUNS - 1}`, () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: a fault anywhere changes nothing; then apply converges`, () =>
      checkCase(seed));
  }
});
