// Runs the whole test suite once per supported PostgreSQL major version (14-18), one after
// another, and prints one closing line: `matrix: N passed, N failed`.
// Usage: node scripts/test-matrix.mjs [MAJOR...]   (default: every supported major)
import { spawnSync } from 'node:child_process';

const majors = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['14', '15', '16', '17', '18'];
const results = [];
for (const major of majors) {
  console.log(`\n=== PostgreSQL ${major} ===`);
  const run = spawnSync('npx', ['vitest', 'run'], {
    stdio: 'inherit',
    env: { ...process.env, PGWARD_TEST_PG_VERSION: major },
  });
  results.push({ major, ok: run.status === 0 });
}
const failed = results.filter((r) => !r.ok);
for (const r of results) console.log(`PostgreSQL ${r.major}: ${r.ok ? 'passed' : 'FAILED'}`);
console.log(`matrix: ${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
