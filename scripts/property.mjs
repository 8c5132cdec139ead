#!/usr/bin/env node
/**
 * Long runs of the property test (test/safety/property.test.ts): many random cases, in
 * batches of vitest runs, each batch on a fresh server. Prints the seed of every failing case
 * and how to run it again; its full report (setup SQL, config, failure) goes to a file.
 *
 *   npm run test:property -- [--runs 200] [--batch 25] [--seed 1234] [--pg 16]
 *
 * --runs   how many cases in all (default 200)
 * --batch  cases per vitest run (default 25)
 * --seed   the first seed (default: random); case i has seed + i
 * --pg     PostgreSQL major version (PGWARD_TEST_PG_VERSION; default 18)
 * The generator's flags (PGWARD_PROPERTY_*, see test/support/property.ts) pass through.
 * Exit status: 0 if every case passed, 1 otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TEST_FILE = 'test/safety/property.test.ts';

function count(name, text) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`error: --${name} must be a positive integer, not "${text}"`);
    process.exit(1);
  }
  return value;
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    batch: { type: 'string', default: '25' },
    seed: { type: 'string' },
    pg: { type: 'string' },
  },
});
const runs = count('runs', values.runs);
const batch = count('batch', values.batch);
const firstSeed =
  values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(firstSeed) || firstSeed < 0) {
  console.error(`error: --seed must be an integer ≥ 0, not "${values.seed}"`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'pgward-property-'));
const flags = Object.keys(process.env).filter(
  (name) => name.startsWith('PGWARD_PROPERTY_') && process.env[name] === '1',
);
const pgVersion = values.pg ?? process.env.PGWARD_TEST_PG_VERSION;
console.log(
  `property test: ${runs} cases from seed ${firstSeed}, PostgreSQL ${pgVersion ?? 'default'}` +
    (flags.length > 0 ? `, flags ${flags.join(' ')}` : ''),
);

const failures = [];
let passed = 0;
for (let done = 0; done < runs; done += batch) {
  const size = Math.min(batch, runs - done);
  const seed = firstSeed + done;
  const report = join(work, `batch-${seed}.json`);
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      TEST_FILE,
      '--reporter=dot',
      '--reporter=json',
      `--outputFile.json=${report}`,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        PGWARD_PROPERTY_SEED: String(seed),
        PGWARD_PROPERTY_RUNS: String(size),
        ...(pgVersion === undefined ? {} : { PGWARD_TEST_PG_VERSION: pgVersion }),
      },
    },
  );
  let results;
  try {
    results = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    console.error(
      `error: vitest gave no report for seeds ${seed}..${seed + size - 1} (status ${result.status})`,
    );
    process.exit(1);
  }
  for (const file of results.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === 'passed') {
        passed += 1;
        continue;
      }
      const caseSeed = /^seed (\d+):/.exec(test.title)?.[1] ?? '?';
      const details = join(work, `seed-${caseSeed}.txt`);
      writeFileSync(details, (test.failureMessages ?? []).join('\n'));
      const message = (test.failureMessages?.[0] ?? '').split('\n--- failure\n')[1] ?? '';
      failures.push({ seed: caseSeed, details, reason: message.split('\n')[0] ?? test.status });
    }
  }
}

console.log(`\n${passed} passed, ${failures.length} failed (of ${runs})`);
const again = [
  ...flags.map((flag) => `${flag}=1`),
  ...(pgVersion === undefined ? [] : [`PGWARD_TEST_PG_VERSION=${pgVersion}`]),
].join(' ');
for (const failure of failures) {
  console.log(`\nFAILED seed ${failure.seed}: ${failure.reason}`);
  console.log(`  report: ${failure.details}`);
  console.log(
    `  again:  ${again ? `${again} ` : ''}PGWARD_PROPERTY_SEED=${failure.seed} PGWARD_PROPERTY_RUNS=1 npx vitest run ${TEST_FILE}`,
  );
}
process.exit(failures.length === 0 ? 0 : 1);
