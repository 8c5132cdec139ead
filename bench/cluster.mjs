// pgward cluster-scope benchmark: a no-op plan over 1 and over N databases of one server,
// each database a copy of the same catalog, to see that the cost per database stays flat
// (spec §8: a fixed number of queries per database, databases read in parallel).
//
//   npm run build && node bench/cluster.mjs [--databases 5] [--tables 1000] [--roles 110] [--schemas 10] [--runs 3]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENV, benchWorkload } from './catalog.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const { values: options } = parseArgs({
  options: {
    databases: { type: 'string', default: '5' },
    tables: { type: 'string', default: '1000' },
    roles: { type: 'string', default: '110' },
    schemas: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
  },
});
const DATABASES = Number(options.databases);
const RUNS = Number(options.runs);
const workload = benchWorkload({
  tables: Number(options.tables),
  roles: Number(options.roles),
  schemas: Number(options.schemas),
});

const { loadConfig } = await import(join(dist, 'config/load.js'));
const { planCluster, applyCluster } = await import(join(dist, 'cluster.js'));
const { openSibling } = await import(join(dist, 'execute/connection.js'));
const { startEmbeddedPostgres } = await import(join(dist, 'sandbox/embedded-postgres.js'));
const { default: pg } = await import('pg');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Counts the queries of every connection the plan opens. */
function counting(client, counter) {
  return {
    async query(sql, params) {
      counter.queries += 1;
      return client.query(sql, params);
    },
    async end() {
      if (client.end) await client.end();
    },
  };
}

const workDir = await mkdtemp(join(tmpdir(), 'pgward-bench-cluster-'));
const server = await startEmbeddedPostgres();
const names = Array.from({ length: DATABASES }, (_, i) => `bench_db${i + 1}`);
try {
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${names[0]}`);
  const first = new pg.Client({ connectionString: server.url(names[0]) });
  await first.connect();
  for (const batch of workload.catalogBatches()) await first.query(batch);
  await first.end();
  // The same catalog in every database: copies of the first (privileges included).
  for (const name of names.slice(1))
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${names[0]}`);
  await admin.end();

  const body = workload.configYaml({ withNewRoles: false }).replace(/^version: 1\n/, '');
  const configFor = async (count) => {
    const file = join(workDir, `cluster-${count}.yaml`);
    await writeFile(
      file,
      `version: 1\nsettings:\n  databases: [${names.slice(0, count).join(', ')}]\n${body}`,
    );
    return loadConfig(file, { env: ENV });
  };

  const client = new pg.Client({ connectionString: server.url(names[0]) });
  await client.connect();
  try {
    // One apply settles whatever the catalog SQL left different, in every database.
    const all = await configFor(DATABASES);
    await applyCluster(client, all, (db) => openSibling(client, db), { lockTimeout: '60s' });

    const rows = [];
    for (const count of [1, DATABASES]) {
      const config = await configFor(count);
      const samples = [];
      let queries = 0;
      for (let run = 0; run < RUNS; run += 1) {
        const counter = { queries: 0 };
        const start = performance.now();
        const plan = await planCluster(counting(client, counter), config, async (db) =>
          counting(await openSibling(client, db), counter),
        );
        samples.push(performance.now() - start);
        queries = counter.queries;
        if (plan.steps.length > 0) throw new Error(`no-op plan over ${count} has steps`);
      }
      const ms = median(samples);
      rows.push({
        databases: count,
        median_ms: Math.round(ms),
        per_database_ms: Math.round(ms / count),
        queries,
      });
    }
    console.log(
      `pgward cluster bench: ${options.tables} tables, ${options.roles} roles, ${options.schemas} schemas in each database; ${RUNS} runs, median`,
    );
    console.table(rows);
  } finally {
    await client.end();
  }
} finally {
  await server.stop();
  await rm(workDir, { recursive: true, force: true });
}
