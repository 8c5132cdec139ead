// pgward benchmark: plan and apply against a large catalog on a throwaway PostgreSQL.
//
//   npm run build && npm run bench -- [--tables 5000] [--roles 550] [--schemas 50] [--runs 5] [--json]
//
// Runs from the built JavaScript in dist/ (there is no TypeScript runner in this project).
// Every figure is measured several times within this one process, so ratios between them
// (and between sizes run on the same machine at the same time) are what to compare; the
// absolute numbers depend on the machine and on whatever else it is doing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENV, NEW_GROUP, NEW_USER, benchWorkload } from './catalog.mjs';
import { binOf, median, measuring, sizeOptions, WORKLOAD_OPTIONS } from './common.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
if (!existsSync(join(dist, 'engine.js'))) {
  console.error(
    `bench: ${dist} has no built pgward; run \`npm run build\` first, then \`npm run bench\`.`,
  );
  process.exit(1);
}

const { values: options } = parseArgs({
  options: {
    ...WORKLOAD_OPTIONS,
    runs: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  console.log(`usage: node bench/plan-apply.mjs [--tables N] [--roles N] [--schemas N] [--runs N] [--json]

  --tables N   tables in the catalog (default 5000), spread over the schemas; plus one view
               and one sequence per 10 tables
  --roles N    roles in the config (default 550): N/11 groups, the rest login users
  --schemas N  schemas (default 50)
  --runs N     repetitions of each measure (default 5): median and min are reported
  --json       print a JSON summary instead of the table`);
  process.exit(0);
}

const { tables: TABLES, roles: ROLES, schemas: SCHEMAS, runs: RUNS } = sizeOptions(options);
if (ROLES < 2) {
  console.error('bench: --roles must be at least 2 (groups and users)');
  process.exit(1);
}
const workload = benchWorkload({ tables: TABLES, roles: ROLES, schemas: SCHEMAS });

const log = (message) => {
  if (!options.json) console.error(message);
};

const { loadConfig } = await import(join(dist, 'config/load.js'));
const { introspect } = await import(join(dist, 'introspect/index.js'));
const { resolveDesired } = await import(join(dist, 'resolve/desired.js'));
const { diff } = await import(join(dist, 'diff/diff.js'));
const { buildPlan } = await import(join(dist, 'plan/build.js'));
const { withFingerprints } = await import(join(dist, 'plan/build.js'));
const { planConfig, applyConfig } = await import(join(dist, 'engine.js'));
const { startEmbeddedPostgres } = await import(join(dist, 'sandbox/embedded-postgres.js'));
const { default: pg } = await import('pg');

// ---------------------------------------------------------------------------------------------
// Measuring.

/** A Queryable that counts queries, rows, and the wall time spent waiting for them. */
function counting(client) {
  const counter = {
    queries: 0,
    rows: 0,
    queryMs: 0,
    reset() {
      counter.queries = 0;
      counter.rows = 0;
      counter.queryMs = 0;
    },
    async query(sql, params) {
      counter.queries += 1;
      const start = performance.now();
      try {
        const result = await client.query(sql, params);
        counter.rows += result.rows?.length ?? 0;
        return result;
      } finally {
        counter.queryMs += performance.now() - start;
      }
    },
  };
  return counter;
}

let peakHeapUsed = 0;
const sampleMemory = () => {
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
};

const results = [];

/**
 * Runs `once` RUNS times. `once` returns the measured milliseconds (and optional extra
 * figures) so that untimed preparation and clean-up can live inside it.
 */
async function measure(name, once) {
  const samples = [];
  const extras = [];
  for (let run = 0; run < RUNS; run += 1) {
    const outcome = await once();
    sampleMemory();
    samples.push(outcome.ms);
    extras.push(outcome);
  }
  const result = {
    name,
    median_ms: median(samples),
    min_ms: Math.min(...samples),
    samples_ms: samples.map((ms) => Math.round(ms * 10) / 10),
  };
  for (const key of Object.keys(extras[0] ?? {})) {
    if (key === 'ms' || key === 'note') continue;
    const values = extras.map((extra) => extra[key]);
    result[key] = typeof values[0] === 'number' ? median(values) : values[0];
  }
  if (extras[0]?.note) result.note = extras[0].note;
  results.push(result);
  log(`  ${name}: median ${result.median_ms.toFixed(1)} ms, min ${result.min_ms.toFixed(1)} ms`);
  return result;
}

async function timed(work) {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

function countStatements(plan) {
  let statements = 0;
  let allTablesInSchema = 0;
  for (const step of plan.steps) {
    statements += step.sql.length;
    for (const sql of step.sql) if (sql.includes('ON ALL TABLES IN SCHEMA')) allTablesInSchema += 1;
  }
  return { steps: plan.steps.length, statements, allTablesInSchema };
}

function runCli(args, env) {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [binOf(dist), ...args],
      { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: child.exitCode ?? (error ? 1 : 0), stdout, stderr }),
    );
  });
}

// ---------------------------------------------------------------------------------------------

const workDir = await mkdtemp(join(tmpdir(), 'pgward-bench-'));
const configFile = join(workDir, 'pgward.yaml');
const bigConfigFile = join(workDir, 'pgward-big.yaml');
await writeFile(configFile, workload.configYaml({ withNewRoles: false }));
await writeFile(bigConfigFile, workload.configYaml({ withNewRoles: true }));

log('starting a throwaway PostgreSQL ...');
const server = await startEmbeddedPostgres();
const client = new pg.Client({ connectionString: server.url() });
const db = counting(client);
const summary = {};

await measuring(
  async () => {
    await client.connect();
    const { rows: versionRows } = await client.query('SHOW server_version');
    const postgresVersion = versionRows[0].server_version;

    log(`building the catalog: ${TABLES} tables in ${SCHEMAS} schemas, ${ROLES} roles ...`);
    const setup = await timed(async () => {
      for (const batch of workload.catalogBatches()) await client.query(batch);
    });
    const { rows: countRows } = await client.query(
      `SELECT
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname ~ '^s[0-9]+$' AND c.relkind = 'r')::int AS tables,
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname ~ '^s[0-9]+$' AND c.relkind = 'v')::int AS views,
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname ~ '^s[0-9]+$' AND c.relkind = 'S')::int AS sequences,
       (SELECT count(*) FROM pg_roles WHERE rolname !~ '^pg_')::int AS roles`,
    );
    const catalog = countRows[0];
    log(`  built in ${(setup.ms / 1000).toFixed(1)} s: ${JSON.stringify(catalog)}`);

    // The SQL above means to match the config; whatever it does not (grantors, comments, ...)
    // the first apply settles, so that every plan measured below starts from "no changes".
    const config = loadConfig(configFile, { env: ENV });
    const bigConfig = loadConfig(bigConfigFile, { env: ENV });
    log('first apply (brings the catalog to the config) ...');
    const firstPlan = (await planConfig(client, config)).plan;
    const first = await timed(() => applyConfig(client, config, { lockTimeout: '60s' }));
    const firstCounts = countStatements(firstPlan);
    log(
      `  ${firstCounts.steps} steps, ${firstCounts.statements} statements, ${(first.ms / 1000).toFixed(1)} s`,
    );
    for (const step of firstPlan.steps.slice(0, 10)) log(`    ${step.summary}`);
    const check = (await planConfig(client, config)).plan;
    if (check.steps.length > 0) {
      throw new Error(
        `the plan after the first apply is not empty (${check.steps.length} steps):\n${check.steps
          .slice(0, 20)
          .map((step) => `  ${step.summary}`)
          .join('\n')}`,
      );
    }

    log(`measuring, ${RUNS} runs each ...`);
    const configBytes = (await stat(configFile)).size;
    await measure('config load+validate', async () => {
      const { ms } = await timed(() => loadConfig(configFile, { env: ENV }));
      return { ms, note: `${ROLES} roles, ${Math.round(configBytes / 1024)} KiB of YAML` };
    });

    let current;
    const introspection = await measure('introspection', async () => {
      db.reset();
      const { value, ms } = await timed(() => introspect(db));
      current = value;
      return { ms, queries: db.queries, rows: db.rows, query_ms: db.queryMs };
    });
    introspection.note = `${introspection.queries} queries, ${introspection.rows} rows`;

    const stages = {};
    const pure = await measure('resolve+diff+buildPlan', async () => {
      const start = performance.now();
      const resolved = resolveDesired(config, current);
      const afterResolve = performance.now();
      const changes = diff(current, resolved.desired);
      const afterDiff = performance.now();
      const plan = buildPlan(current, changes.operations, { warnings: resolved.warnings });
      const end = performance.now();
      if (plan.steps.length > 0) throw new Error('the no-op plan has steps');
      // The fingerprints a saved plan carries (plan --out), timed alone: plans skip them.
      const fingerprintStart = performance.now();
      withFingerprints(plan, current, resolved.desired);
      return {
        ms: end - start,
        resolve_ms: afterResolve - start,
        diff_ms: afterDiff - afterResolve,
        build_plan_ms: end - afterDiff,
        fingerprint_ms: performance.now() - fingerprintStart,
      };
    });
    pure.note = `resolve ${pure.resolve_ms.toFixed(0)} + diff ${pure.diff_ms.toFixed(0)} + buildPlan ${pure.build_plan_ms.toFixed(0)} ms (fingerprints for --out ${pure.fingerprint_ms.toFixed(0)} ms)`;
    Object.assign(stages, pure);

    const noop = await measure('no-op plan, end to end (load + planConfig)', async () => {
      db.reset();
      const { value, ms } = await timed(async () =>
        planConfig(db, loadConfig(configFile, { env: ENV })),
      );
      if (value.plan.steps.length > 0) throw new Error('the no-op plan has steps');
      return { ms, queries: db.queries, query_ms: db.queryMs, own_ms: ms - db.queryMs };
    });
    noop.note = `pgward's own ${noop.own_ms.toFixed(0)} ms, waiting for ${noop.queries} queries ${noop.query_ms.toFixed(0)} ms`;

    const cliEnv = { ...ENV, NO_COLOR: '1' };
    const cli = await measure('no-op `pgward plan` (new process)', async () => {
      const { value, ms } = await timed(() =>
        runCli(['plan', '--db', server.url(), '-c', configFile, '--detailed-exitcode'], cliEnv),
      );
      if (value.code !== 0) throw new Error(`pgward plan exited ${value.code}:\n${value.stderr}`);
      return { ms };
    });
    cli.note = 'node start, imports, connect, load, plan, print';

    let bigCounts;
    const bigPlan = await measure('plan with changes (new group on every table)', async () => {
      db.reset();
      const { value, ms } = await timed(() => planConfig(db, bigConfig));
      bigCounts = countStatements(value.plan);
      return { ms, query_ms: db.queryMs, own_ms: ms - db.queryMs };
    });
    bigPlan.note = `pgward's own ${bigPlan.own_ms.toFixed(0)} ms; ${bigCounts.steps} steps, ${bigCounts.statements} statements`;

    const apply = await measure('apply with changes', async () => {
      db.reset();
      const { value, ms } = await timed(() => applyConfig(db, bigConfig, { lockTimeout: '60s' }));
      if (value.outcome !== 'applied') throw new Error(`apply: ${value.outcome}`);
      const counts = countStatements(value.plan);
      const result = {
        ms,
        queries: db.queries,
        query_ms: db.queryMs,
        own_ms: ms - db.queryMs,
        steps: counts.steps,
        statements: counts.statements,
        all_tables_in_schema: counts.allTablesInSchema,
      };
      // Undo outside the timing, so that every run applies the same change.
      await client.query(
        `DROP OWNED BY ${NEW_GROUP}, ${NEW_USER}; DROP ROLE ${NEW_USER}; DROP ROLE ${NEW_GROUP}`,
      );
      return result;
    });
    apply.note = `${apply.steps} steps, ${apply.statements} statements (${apply.all_tables_in_schema} ALL TABLES IN SCHEMA); ${apply.queries} queries (3 introspections); pgward's own ${apply.own_ms.toFixed(0)} ms`;

    const { maxRSS } = process.resourceUsage();
    sampleMemory();
    Object.assign(summary, {
      date: new Date().toISOString(),
      machine: { nproc: availableParallelism(), node: process.version, postgres: postgresVersion },
      size: {
        tables: catalog.tables,
        views: catalog.views,
        sequences: catalog.sequences,
        schemas: SCHEMAS,
        roles: ROLES,
        groups: workload.groups,
        users: workload.users,
        roles_in_cluster: catalog.roles,
        objects_in_current_state: current.objects?.length,
        privilege_facts_in_current_state: current.privileges?.length,
      },
      runs: RUNS,
      setup_ms: Math.round(setup.ms),
      first_apply: { ms: Math.round(first.ms), ...firstCounts },
      measures: results,
      memory: {
        peak_rss_mib: Math.round(maxRSS / 1024),
        peak_heap_used_mib: Math.round(peakHeapUsed / 1024 / 1024),
      },
    });
  },
  async () => {
    await client.end().catch(() => undefined);
    await server.stop();
    await rm(workDir, { recursive: true, force: true });
  },
  { stack: true },
);

if (options.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  const { size, machine } = summary;
  const rows = summary.measures.map((m) => [
    m.name,
    `${m.median_ms.toFixed(1)} ms`,
    `${m.min_ms.toFixed(1)} ms`,
    m.note ?? '',
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), 7));
  console.log(
    `pgward bench, ${summary.date.slice(0, 10)}: ${size.tables} tables + ${size.views} views + ${size.sequences} sequences in ${size.schemas} schemas, ` +
      `${size.roles} roles (${size.groups} groups, ${size.users} logins); ${summary.runs} runs each`,
  );
  console.log(
    `machine: ${machine.nproc} cores, node ${machine.node}, PostgreSQL ${machine.postgres}; ` +
      `setup ${(summary.setup_ms / 1000).toFixed(1)} s, first apply ${summary.first_apply.steps} steps in ${(summary.first_apply.ms / 1000).toFixed(1)} s`,
  );
  console.log('');
  console.log(
    `${'measure'.padEnd(widths[0])}  ${'median'.padStart(widths[1])}  ${'min'.padStart(widths[2])}  notes`,
  );
  for (const row of rows) {
    console.log(
      `${row[0].padEnd(widths[0])}  ${row[1].padStart(widths[1])}  ${row[2].padStart(widths[2])}  ${row[3]}`,
    );
  }
  console.log('');
  console.log(
    `memory: peak RSS ${summary.memory.peak_rss_mib} MiB, peak heapUsed ${summary.memory.peak_heap_used_mib} MiB (sampled after each run)`,
  );
}
