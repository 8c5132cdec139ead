/**
 * The convergence test of every fixture under `fixtures/`, as ldap2pg's end-to-end test does
 * it: the plan shows the expected changes → apply → the catalog says what a user would check
 * → a second plan is empty and `drift` says in sync.
 *
 * Everything goes through the CLI (`run(argv, io)` of src/cli/main.ts), exactly as a user or
 * a CI job calls pgward: `plan --format json` is the spec's plan contract (§3), exit codes
 * are the spec's, and the catalog is read back with plain SQL.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect } from 'vitest';
import { run } from '../../src/cli/main.js';
import { catalogSnapshot, quoteIdentForTest } from './catalog.js';
import { urlAs } from './login.js';
import type { TestServer } from './server.js';

/** Where relative paths on the command line start, as when a user runs pgward from a clone. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES_DIR = join(REPO_ROOT, 'fixtures');

/** What one CLI invocation gave back. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One entry of the JSON plan's `changes` (spec §3). */
export interface PlanChange {
  readonly action: string;
  readonly kind: string;
  readonly summary: string;
  readonly sql: readonly string[];
}

export interface PlanSummaryCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

/** The parts of `plan --format json` the tests read. */
export interface JsonPlan {
  readonly format_version: number;
  readonly changes: readonly PlanChange[];
  readonly summary: PlanSummaryCounts;
}

/**
 * Runs the pgward CLI in-process and captures what it prints.
 * `env` replaces the environment pgward sees (no DATABASE_URL leaks in from the shell).
 */
export async function pgward(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run([...args], {
    stdout: { write: (text: string) => void (stdout += text), isTTY: false },
    stderr: { write: (text: string) => void (stderr += text), isTTY: false },
    // No terminal: `apply` without --yes must refuse rather than wait for an answer.
    stdin: Readable.from([]),
    env: { ...env },
    cwd: REPO_ROOT,
  });
  return { code, stdout, stderr };
}

/** Statement text as compared in tests: without the trailing semicolon and outer spaces. */
export function normalizeStatement(sql: string): string {
  return sql.trim().replace(/;\s*$/, '').trim();
}

/** A role and its password, to connect as. */
export interface Login {
  readonly user: string;
  readonly password: string;
}

/** Per-call overrides of a fixture's CLI runs. */
export interface CliOptions {
  /** Config file of the fixture folder (default `pgward.yaml`). */
  readonly config?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Connection URI instead of the fixture database's. */
  readonly db?: string;
}

export interface FixtureOptions {
  /** The login pgward connects as (created by setup.sql); default the test server's superuser. */
  readonly connectAs?: Login;
  /** The environment pgward sees (e.g. password variables of the config); default empty. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A fixture's database, set up by its `setup.sql`. */
export class FixtureDatabase {
  constructor(
    readonly server: TestServer,
    /** Fixture folder name under `fixtures/`. */
    readonly fixture: string,
    /** Name of the fresh database the fixture lives in. */
    readonly database: string,
    /** How pgward runs against it: the login, and the environment (password variables). */
    readonly options: FixtureOptions = {},
  ) {}

  get dir(): string {
    return join(FIXTURES_DIR, this.fixture);
  }

  /** Path of a config file of the fixture (default `pgward.yaml`), or an absolute path. */
  configPath(file = 'pgward.yaml'): string {
    return resolve(this.dir, file);
  }

  /** Superuser URL of the fixture's database (or of another role, with its password). */
  url(role?: Login): string {
    return role === undefined
      ? this.server.url(this.database)
      : urlAs(this.server, role.user, role.password, this.database);
  }

  /** Runs SQL as superuser in the fixture's database. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    return this.server.query<R>(sql, params, this.database);
  }

  /** One boolean from a query whose first row has a column `ok`. */
  async check(sql: string, params: unknown[] = []): Promise<boolean> {
    const [row] = await this.query<{ ok: boolean }>(sql, params);
    if (row === undefined) throw new Error(`no row from: ${sql}`);
    return row.ok;
  }

  /**
   * Runs statements as another role (SET ROLE inside a transaction that is committed), the
   * way that role's own session would run them; returns the rows of the last statement.
   */
  async asRole<R extends pg.QueryResultRow = Record<string, unknown>>(
    role: string,
    sql: string,
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${quoteIdentForTest(role)}`);
      const result = await client.query<R>(sql);
      await client.query('COMMIT');
      return result.rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.end();
    }
  }

  /** pgward against this database: `--db` and, unless `config: null`, `-c pgward.yaml`. */
  cli(
    args: readonly string[],
    options: Omit<CliOptions, 'config'> & { readonly config?: string | null } = {},
  ): Promise<CliResult> {
    const config = options.config === undefined ? 'pgward.yaml' : options.config;
    return pgward(
      [
        ...args,
        '--db',
        options.db ?? this.url(this.options.connectAs),
        ...(config === null ? [] : ['-c', this.configPath(config)]),
      ],
      options.env ?? this.options.env ?? {},
    );
  }

  /** `pgward plan --format json`, parsed. Fails the test on a non-zero exit. */
  async plan(options: CliOptions = {}): Promise<JsonPlan> {
    const result = await this.cli(['plan', '--format', 'json'], options);
    expect(result.code, `pgward plan failed:\n${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout) as JsonPlan;
  }

  /** `pgward apply --yes`; fails the test unless it exits 0. */
  async apply(options: CliOptions = {}): Promise<CliResult> {
    const result = await this.cli(['apply', '--yes'], options);
    expect(result.code, `pgward apply failed:\n${result.stderr}\n${result.stdout}`).toBe(0);
    return result;
  }

  /**
   * The state a user converges to: a second plan is empty ("No changes"), `plan
   * --detailed-exitcode` exits 0 and `drift` exits 0.
   */
  async expectConverged(options: CliOptions = {}): Promise<void> {
    const plan = await this.plan(options);
    expect(planStatements(plan), 'a second plan must be empty').toEqual([]);
    expect(plan.changes).toEqual([]);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    const detailed = await this.cli(['plan', '--detailed-exitcode'], options);
    expect(detailed.code, detailed.stdout + detailed.stderr).toBe(0);
    const drift = await this.cli(['drift'], options);
    expect(drift.code, `drift after apply:\n${drift.stdout}${drift.stderr}`).toBe(0);
  }

  /**
   * `pgward export` describes the database so that applying it back changes nothing (spec
   * §3): a plan with the exported config is empty.
   */
  async expectExportRoundTrip(): Promise<void> {
    const exported = await this.cli(['export'], { config: null });
    expect(exported.code, exported.stderr).toBe(0);
    const dir = await mkdtemp(join(tmpdir(), 'pgward-export-'));
    try {
      const file = join(dir, 'exported.yaml');
      await writeFile(file, exported.stdout);
      const plan = await this.plan({ config: file });
      expect(planStatements(plan), `plan of the exported config:\n${exported.stdout}`).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * The whole catalog a plan could touch, serialized (cluster-wide, and this database):
   * two equal snapshots mean that nothing has changed.
   */
  catalogSnapshot(): Promise<string> {
    return catalogSnapshot(this.server, [this.database]);
  }
}

/** Every statement of a JSON plan, in plan order, normalized. */
export function planStatements(plan: JsonPlan): string[] {
  return plan.changes.flatMap((change) => change.sql.map(normalizeStatement));
}

/**
 * Creates a fresh database for a fixture and runs its `setup.sql` there as superuser.
 * Roles that setup.sql creates are cluster-wide: fixtures sharing a server use distinct names.
 */
export async function setUpFixture(
  server: TestServer,
  fixture: string,
  options: FixtureOptions = {},
): Promise<FixtureDatabase> {
  const database = await server.createDatabase(fixture.replaceAll('-', '_'));
  const db = new FixtureDatabase(server, fixture, database, options);
  const setup = await readFile(join(db.dir, 'setup.sql'), 'utf8');
  // No parameters: node-postgres sends a simple query, which may hold many statements.
  await db.query(setup);
  return db;
}

export interface ExpectedPlan {
  /** Statements the plan must contain (normalized, exact), in any order. */
  readonly includes?: readonly string[];
  /** The plan must contain exactly these statements, in any order. */
  readonly exactly?: readonly string[];
  /** No statement may match these. */
  readonly excludes?: readonly RegExp[];
  /** The JSON plan's summary counts. */
  readonly summary?: PlanSummaryCounts;
}

/** Checks a JSON plan against what a fixture expects. */
export function expectPlan(plan: JsonPlan, expected: ExpectedPlan): void {
  expect(plan.format_version).toBe(1);
  const statements = planStatements(plan);
  for (const change of plan.changes) {
    expect(['create', 'update', 'delete']).toContain(change.action);
    expect(change.summary.length).toBeGreaterThan(0);
    expect(change.sql.length).toBeGreaterThan(0);
  }
  if (expected.includes) expect(statements).toEqual(expect.arrayContaining([...expected.includes]));
  if (expected.exactly) expect([...statements].sort()).toEqual([...expected.exactly].sort());
  for (const pattern of expected.excludes ?? []) {
    expect(
      statements.filter((s) => pattern.test(s)),
      `no statement may match ${pattern}`,
    ).toEqual([]);
  }
  if (expected.summary) expect(plan.summary).toEqual(expected.summary);
}

export interface ConvergenceCase extends FixtureOptions {
  /** Folder under `fixtures/`. */
  readonly fixture: string;
  /** What the first plan must show. */
  readonly plan: ExpectedPlan;
  /** Catalog assertions after the apply. */
  readonly afterApply: (db: FixtureDatabase, plan: JsonPlan) => Promise<void>;
}

/**
 * The whole convergence test of one fixture: setup.sql in a fresh database → `plan` shows the
 * expected changes and `drift` / `plan --detailed-exitcode` say 2 → `apply --yes` → catalog
 * assertions → a second plan is empty and `drift` exits 0 → `export` applied back is a no-op.
 * Returns the database for further
 * steps (objects created after apply, changes by hand, ...).
 */
export async function converge(
  server: TestServer,
  testCase: ConvergenceCase,
): Promise<FixtureDatabase> {
  const { fixture, plan: expected, afterApply, ...options } = testCase;
  const db = await setUpFixture(server, fixture, options);
  const plan = await db.plan();
  expectPlan(plan, expected);
  const detailed = await db.cli(['plan', '--detailed-exitcode']);
  expect(detailed.code, detailed.stderr).toBe(2);
  const drift = await db.cli(['drift']);
  expect(drift.code, drift.stderr).toBe(2);
  await db.apply();
  await afterApply(db, plan);
  await db.expectConverged();
  await db.expectExportRoundTrip();
  return db;
}
