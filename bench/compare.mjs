// pgward beside its floors: the same catalog, the same target state, in one run.
//
//   npm run build && npm run bench:compare -- [--tables 5000] [--roles 550] [--schemas 50] [--runs 3] [--json]
//
// Issue 13's measures, each a new process timed from outside (wall time, and peak RSS from
// /usr/bin/time):
//   floor     psql reading the ACLs pgward reads (roles, memberships, settings, and the ACLs of
//             schemas, relations, columns, routines, types, default privileges), raw
//   no-op     `pgward plan --detailed-exitcode` on the catalog pgward just applied
//   sql       psql running the target state as plain SQL, one statement per round trip, on a
//             fresh copy of the catalog (the objects, no roles and no grants)
//   apply     `pgward apply --yes` from the same fresh copy
// With --before DIR, a second build (another dist/) is timed in the same rounds.
// Rounds are interleaved (sql, apply, floor, no-op), the table gives medians and the ratios
// no-op / floor and apply / sql. After every apply the catalog is dumped (role attributes,
// memberships, role settings, every ACL of the bench's schemas, default privileges) and must be
// the plain SQL's exactly, else the bench fails.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENV, benchWorkload } from './catalog.mjs';
import { binOf, median, measuring, sizeOptions, WORKLOAD_OPTIONS } from './common.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
if (!existsSync(join(dist, 'cli/main.js'))) {
  console.error(`bench: ${dist} has no built pgward; run \`npm run build\` first.`);
  process.exit(1);
}
// GNU time gives the children's peak RSS; psql comes from the PATH.
const hasPsql = (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'psql')));
if (!existsSync('/usr/bin/time') || !hasPsql) {
  console.error('bench: needs /usr/bin/time and psql (apt-get install time postgresql-client)');
  process.exit(1);
}

const { values: options } = parseArgs({
  options: {
    ...WORKLOAD_OPTIONS,
    runs: { type: 'string', default: '3' },
    before: { type: 'string' },
    'pg-bin': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  console.log(`usage: node bench/compare.mjs [--tables N] [--roles N] [--schemas N] [--runs N] [--before DIR] [--json]

  --tables N   tables (default 5000), plus one view and one sequence per 10 tables
  --roles N    roles (default 550): N/11 groups, the rest login users
  --schemas N  schemas (default 50)
  --runs N     interleaved rounds (default 3): medians are reported
  --before DIR also time another build of pgward (its dist/ directory, e.g. a copy of main's),
               in the same rounds: before/after in one run
  --pg-bin DIR run another PostgreSQL's server (DIR holds initdb and postgres), e.g.
               /usr/lib/postgresql/15/bin: the bundled one has no JIT (no llvmjit.so)
  --json       print a JSON summary instead of the table`);
  process.exit(0);
}

const { tables: TABLES, roles: ROLES, schemas: SCHEMAS, runs: RUNS } = sizeOptions(options);
const workload = benchWorkload({ tables: TABLES, roles: ROLES, schemas: SCHEMAS });
const log = (message) => {
  if (!options.json) console.error(message);
};

const { startEmbeddedPostgres } = await import(join(dist, 'sandbox/embedded-postgres.js'));
const { default: pg } = await import('pg');

// ---------------------------------------------------------------------------------------------
// The floor's queries and the dump compared after each apply.

/** Schemas of the bench: s00, s01, ... */
const BENCH_SCHEMA = `n.nspname ~ '^s[0-9]+$'`;

/** The ACLs pgward reads, with plain catalog queries and no processing: the floor. */
const FLOOR_SQL = `
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
       rolbypassrls, rolconnlimit, rolvaliduntil, rolpassword IS NOT NULL FROM pg_catalog.pg_authid;
SELECT roleid, member, grantor, admin_option FROM pg_catalog.pg_auth_members;
SELECT setdatabase, setrole, setconfig FROM pg_catalog.pg_db_role_setting;
SELECT datname, datdba, datacl FROM pg_catalog.pg_database;
SELECT oid, nspname, nspowner, nspacl FROM pg_catalog.pg_namespace;
SELECT relnamespace, relname, relkind, relowner, relacl FROM pg_catalog.pg_class
 WHERE relkind IN ('r', 'v', 'm', 'f', 'p', 'S');
SELECT attrelid, attname, attacl FROM pg_catalog.pg_attribute WHERE attacl IS NOT NULL;
SELECT pronamespace, proname, proargtypes, proowner, proacl FROM pg_catalog.pg_proc;
SELECT typnamespace, typname, typowner, typacl FROM pg_catalog.pg_type WHERE typacl IS NOT NULL;
SELECT defaclrole, defaclnamespace, defaclobjtype, defaclacl FROM pg_catalog.pg_default_acl;
`;

/** aclitem[] as sorted text: the order of entries depends on the order of the grants. */
const sortedAcl = (column) =>
  `coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(${column}) AS x ORDER BY 1), ' '), '(default)')`;

/** One line per fact that must be the same after the plain SQL and after pgward's apply. */
const DUMP_SQL = `
SELECT 'role ' || rolname || ': ' || concat_ws(' ', rolsuper, rolinherit, rolcreaterole,
       rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil,
       CASE WHEN rolpassword IS NULL THEN 'no password' ELSE 'password' END) AS line
  FROM pg_catalog.pg_authid WHERE rolname !~ '^pg_'
UNION ALL
SELECT 'member ' || m.member::regrole || ' of ' || m.roleid::regrole || ' by ' || m.grantor::regrole
       || ' ' || (to_jsonb(m) - 'oid' - 'roleid' - 'member' - 'grantor')::text
  FROM pg_catalog.pg_auth_members AS m WHERE m.roleid::regrole::text !~ '^pg_'
UNION ALL
SELECT 'setting ' || coalesce(s.setrole::regrole::text, '-') || ' in ' || coalesce(d.datname, '-')
       || ': ' || array_to_string(s.setconfig, ' ')
  FROM pg_catalog.pg_db_role_setting AS s LEFT JOIN pg_catalog.pg_database AS d ON d.oid = s.setdatabase
UNION ALL
SELECT 'database ' || CASE WHEN datname = current_database() THEN '(this one)' ELSE datname END || ': ' || ${sortedAcl('datacl')} FROM pg_catalog.pg_database
UNION ALL
SELECT 'schema ' || n.nspname || ': ' || ${sortedAcl('n.nspacl')}
  FROM pg_catalog.pg_namespace AS n WHERE ${BENCH_SCHEMA} OR n.nspname = 'public'
UNION ALL
SELECT 'relation ' || n.nspname || '.' || c.relname || ': ' || ${sortedAcl('c.relacl')}
  FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE ${BENCH_SCHEMA} AND c.relkind IN ('r', 'v', 'S')
UNION ALL
SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ': ' || ${sortedAcl('a.attacl')}
  FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE ${BENCH_SCHEMA} AND a.attacl IS NOT NULL
UNION ALL
SELECT 'default ' || d.defaclrole::regrole || ' in ' || coalesce(n.nspname, '-') || ' on '
       || d.defaclobjtype::text || ': ' || ${sortedAcl('d.defaclacl')}
  FROM pg_catalog.pg_default_acl AS d LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace
ORDER BY 1`;

// ---------------------------------------------------------------------------------------------
// Children, timed from outside.

let workDir;

/** Runs `command` under GNU time: wall ms (measured here), peak RSS in MiB, exit code, output. */
function timedChild(command, args, env = {}) {
  const rssFile = join(workDir, 'rss');
  return new Promise((resolve) => {
    const start = performance.now();
    const child = execFile(
      '/usr/bin/time',
      ['-f', '%M', '-o', rssFile, command, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const ms = performance.now() - start;
        readFile(rssFile, 'utf8').then((text) => {
          const kib = Number(text.trim().split('\n').at(-1));
          resolve({
            code: child.exitCode ?? (error ? 1 : 0),
            ms,
            rssMib: kib / 1024,
            stdout,
            stderr,
          });
        });
      },
    );
  });
}

function mustSucceed(what, result, codes = [0]) {
  if (!codes.includes(result.code)) {
    throw new Error(`${what} exited ${result.code}:\n${result.stderr.slice(0, 4000)}`);
  }
  return result;
}

const psql = (url, file, extra = []) =>
  timedChild('psql', [
    '-X',
    '-q',
    '-A',
    '-t',
    '-v',
    'ON_ERROR_STOP=1',
    '-d',
    url,
    '-f',
    file,
    ...extra,
  ]);

/** The pgward builds to time: this one, and with --before DIR another build's dist/. */
const builds = [{ name: 'this', dist }];
if (options.before) {
  const before = resolve(options.before);
  if (!existsSync(join(before, 'cli/main.js'))) {
    console.error(`bench: --before ${before} has no cli/main.js (give a built dist/ directory)`);
    process.exit(1);
  }
  builds.unshift({ name: 'before', dist: before });
}

const pgward = (build, args) =>
  timedChild(process.execPath, [binOf(build.dist), ...args], {
    ...ENV,
    NO_COLOR: '1',
  });

// ---------------------------------------------------------------------------------------------

workDir = await mkdtemp(join(tmpdir(), 'pgward-compare-'));
const files = {
  config: join(workDir, 'pgward.yaml'),
  target: join(workDir, 'target.sql'),
  floor: join(workDir, 'floor.sql'),
};
const statements = workload.targetStatements();
await writeFile(files.config, workload.configYaml({ withNewRoles: false }));
await writeFile(files.target, `${statements.join(';\n')};\n`);
await writeFile(files.floor, FLOOR_SQL);

log('starting a throwaway PostgreSQL ...');
// Room for the locks of one transaction that grants on every object of a large catalog.
const pgBin = options['pg-bin'];
const server = await startEmbeddedPostgres({
  settings: { max_locks_per_transaction: '1024' },
  ...(pgBin && {
    binaries: {
      initdb: join(resolve(pgBin), 'initdb'),
      postgres: join(resolve(pgBin), 'postgres'),
    },
  }),
});
const admin = new pg.Client({ connectionString: server.url() });
const summary = {};

/** A database copied from the fresh catalog, and the SQL that drops it and the bench's roles. */
async function freshDatabase(name) {
  await admin.query(`CREATE DATABASE ${name} TEMPLATE bench_fresh STRATEGY FILE_COPY`);
  return server.url(name);
}
async function dropDatabaseAndRoles(name) {
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  // The roles own nothing and were granted nothing outside the dropped database.
  for (const role of workload.roleNames()) await admin.query(`DROP ROLE IF EXISTS ${role}`);
}
async function dump(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(DUMP_SQL)).rows.map((row) => row.line);
  } finally {
    await client.end();
  }
}
function differences(expected, actual) {
  const want = new Set(expected);
  const have = new Set(actual);
  return [
    ...expected.filter((line) => !have.has(line)).map((line) => `- ${line}`),
    ...actual.filter((line) => !want.has(line)).map((line) => `+ ${line}`),
  ];
}

await measuring(
  async () => {
    await admin.connect();
    const { rows } = await admin.query(
      `SELECT current_setting('server_version') AS version,
            pg_catalog.pg_jit_available() AS jit_available, current_setting('jit') AS jit`,
    );
    const postgresVersion = rows[0].version;
    const jit = rows[0].jit_available ? `JIT ${rows[0].jit}` : 'no JIT';

    log(`building the fresh catalog: ${TABLES} tables in ${SCHEMAS} schemas ...`);
    await admin.query('CREATE DATABASE bench_fresh');
    const fresh = new pg.Client({ connectionString: server.url('bench_fresh') });
    await fresh.connect();
    const setupStart = performance.now();
    for (const batch of workload.objectBatches()) await fresh.query(batch);
    // As autovacuum would have: the planner's statistics of a catalog that size.
    await fresh.query('VACUUM ANALYZE');
    const setupMs = performance.now() - setupStart;
    const { rows: counts } = await fresh.query(
      `SELECT count(*) FILTER (WHERE c.relkind = 'r')::int AS tables,
            count(*) FILTER (WHERE c.relkind = 'v')::int AS views,
            count(*) FILTER (WHERE c.relkind = 'S')::int AS sequences
       FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      WHERE ${BENCH_SCHEMA}`,
    );
    await fresh.end();
    log(`  built in ${(setupMs / 1000).toFixed(1)} s: ${JSON.stringify(counts[0])}`);

    const samples = { floor: [], sql: [] };
    for (const build of builds) Object.assign(build, { noop: [], apply: [] });
    for (let round = 1; round <= RUNS; round += 1) {
      log(`round ${round} of ${RUNS}:`);
      const sqlUrl = await freshDatabase('bench_sql');
      const sql = mustSucceed('psql (target SQL)', await psql(sqlUrl, files.target));
      samples.sql.push(sql);
      const expected = await dump(sqlUrl);
      await dropDatabaseAndRoles('bench_sql');
      log(
        `  sql    ${sql.ms.toFixed(0)} ms, ${sql.rssMib.toFixed(0)} MiB (${statements.length} statements)`,
      );

      for (const [index, build] of builds.entries()) {
        const url = await freshDatabase('bench_pgward');
        const apply = mustSucceed(
          `pgward apply (${build.name})`,
          await pgward(build, [
            'apply',
            '--db',
            url,
            '-c',
            files.config,
            '--yes',
            '--lock-timeout',
            '60s',
          ]),
        );
        build.apply.push(apply);
        const mismatch = differences(expected, await dump(url));
        if (mismatch.length > 0) {
          throw new Error(
            `pgward's apply (${build.name}) does not reach the plain SQL's catalog (${mismatch.length} lines differ; - sql only, + pgward only):\n${mismatch.slice(0, 30).join('\n')}`,
          );
        }
        log(
          `  apply  ${build.name}: ${apply.ms.toFixed(0)} ms, ${apply.rssMib.toFixed(0)} MiB; catalog = the plain SQL's (${expected.length} lines)`,
        );
        if (index === 0) {
          const floor = mustSucceed(
            'psql (floor)',
            await psql(url, files.floor, ['-o', '/dev/null']),
          );
          samples.floor.push(floor);
          log(`  floor  ${floor.ms.toFixed(0)} ms, ${floor.rssMib.toFixed(0)} MiB`);
        }
        // --detailed-exitcode: 0 = no changes; 2 would mean the apply did not converge.
        const noop = mustSucceed(
          `pgward plan (${build.name}, after apply: must be empty)`,
          await pgward(build, ['plan', '--db', url, '-c', files.config, '--detailed-exitcode']),
        );
        build.noop.push(noop);
        log(`  no-op  ${build.name}: ${noop.ms.toFixed(0)} ms, ${noop.rssMib.toFixed(0)} MiB`);
        await dropDatabaseAndRoles('bench_pgward');
      }
    }

    const figure = (list) => ({
      median_ms: Math.round(median(list.map((r) => r.ms))),
      samples_ms: list.map((r) => Math.round(r.ms)),
      peak_rss_mib: Math.round(Math.max(...list.map((r) => r.rssMib))),
    });
    const floor = figure(samples.floor);
    const sql = figure(samples.sql);
    Object.assign(summary, {
      date: new Date().toISOString(),
      machine: {
        nproc: availableParallelism(),
        node: process.version,
        postgres: postgresVersion,
        jit,
      },
      size: { ...counts[0], schemas: SCHEMAS, roles: ROLES, statements: statements.length },
      runs: RUNS,
      setup_ms: Math.round(setupMs),
      floor,
      sql,
      pgward: builds.map((build) => {
        const noop = figure(build.noop);
        const apply = figure(build.apply);
        return {
          build: build.name,
          noop_plan: { ...noop, ratio: noop.median_ms / floor.median_ms },
          apply: { ...apply, ratio: apply.median_ms / sql.median_ms },
        };
      }),
    });
  },
  async () => {
    await admin.end().catch(() => undefined);
    await server.stop();
    await rm(workDir, { recursive: true, force: true });
  },
);

if (options.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  const { size, machine } = summary;
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `pgward beside its floors, ${summary.date.slice(0, 10)}: ${size.tables} tables + ${size.views} views + ${size.sequences} sequences in ${size.schemas} schemas, ${size.roles} roles; ` +
      `${summary.runs} interleaved rounds, medians`,
  );
  console.log(
    `machine: ${machine.nproc} cores, node ${machine.node}, PostgreSQL ${machine.postgres} (${machine.jit}); setup ${s(summary.setup_ms)}`,
  );
  console.log('');
  console.log('|        | no-op run | × floor | peak RSS | apply from fresh | × sql |');
  console.log('| ------ | --------- | ------- | -------- | ---------------- | ----- |');
  console.log(
    `| floor / sql (psql) | ${s(summary.floor.median_ms)} | 1.0 | ${summary.floor.peak_rss_mib} / ${summary.sql.peak_rss_mib} MiB | ${s(summary.sql.median_ms)} | 1.0 |`,
  );
  for (const { build, noop_plan: noop, apply } of summary.pgward) {
    console.log(
      `| pgward${build === 'this' ? '' : ` (${build})`} | ${s(noop.median_ms)} | ${noop.ratio.toFixed(1)} | ${noop.peak_rss_mib} / ${apply.peak_rss_mib} MiB | ${s(apply.median_ms)} | ${apply.ratio.toFixed(1)} |`,
    );
  }
  console.log('');
  console.log(
    `peak RSS: no-op run / apply. sql = ${size.statements} statements, one per round trip; pgward's apply reached the same catalog in every round.`,
  );
}
