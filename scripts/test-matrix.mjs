// Runs the test suite once per supported PostgreSQL major version (14-18), one after another,
// and prints one closing line: `matrix: N passed, N failed`.
// Usage: node scripts/test-matrix.mjs [MAJOR...]   (default: every supported major)
import { spawnSync } from 'node:child_process';
import { ensurePgMatrix } from '../test/support/pg-matrix.mjs';

const majors = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['14', '15', '16', '17', '18'];
// Tests whose outcome does not depend on the server version run once, in `npm test` (PostgreSQL
// 18): pure unit tests, the GitHub Action and its examples, packaging, start-up, the README
// (its own PostgreSQL 18), and --sandbox (always the bundled PostgreSQL 18).
const VERSION_INDEPENDENT = [
  'test/unit/**',
  'test/action/**',
  'test/integration/package-publish.test.ts',
  'test/integration/readme.test.ts',
  'test/integration/cli-startup.test.ts',
  'test/integration/cli-sandbox.test.ts',
  'test/integration/quickstart-sandbox.test.ts',
  'test/integration/sandbox-security.test.ts',
];
// PostgreSQL 14-17 are installed into test/pg-matrix on first use; once, before the runs.
const older = majors.filter((major) => major !== '18');
if (older.length > 0) await ensurePgMatrix(Number(older[0]));
const results = [];
for (const major of majors) {
  console.log(`\n=== PostgreSQL ${major} ===`);
  const exclude = VERSION_INDEPENDENT.flatMap((glob) => ['--exclude', glob]);
  const run = spawnSync('npx', ['vitest', 'run', ...exclude], {
    stdio: 'inherit',
    env: { ...process.env, PGWARD_TEST_PG_VERSION: major },
  });
  results.push({ major, ok: run.status === 0 });
}
const failed = results.filter((r) => !r.ok);
for (const r of results) console.log(`PostgreSQL ${r.major}: ${r.ok ? 'passed' : 'FAILED'}`);
console.log(`matrix: ${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
