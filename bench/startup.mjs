// Start-up cost: `pgward --version` and `pgward validate` on a small config beside `node -e 0`,
// each a new process, interleaved, RUNS times; medians of wall and CPU time (GNU time), and the
// difference to `node -e 0`. On a shared machine the CPU time is the steadier figure.
//
//   npm run build && node bench/startup.mjs [--runs 20] [--before DIR]
//
// --before DIR times another build's dist/ too (e.g. a copy of main's), in the same rounds.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { binOf, median } from './common.mjs';

const { values: options } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, before: { type: 'string' } },
});
const RUNS = Number(options.runs);
const builds = [{ name: 'this', dist: fileURLToPath(new URL('../dist/', import.meta.url)) }];
if (options.before) builds.unshift({ name: 'before', dist: resolve(options.before) });
for (const { dist } of builds) {
  if (!existsSync(join(dist, 'cli/main.js'))) {
    console.error(`bench: ${dist} has no cli/main.js; run \`npm run build\` first`);
    process.exit(1);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'pgward-startup-'));
const config = join(dir, 'pgward.yaml');
await writeFile(
  config,
  `version: 1
roles:
  app_read:
    permissions:
      - { type: read, schemas: [app] }
  alice:
    login: true
    member_of: [app_read]
`,
);

const cpuFile = join(dir, 'cpu');

/** Wall ms (measured here) and CPU ms (user + system, from GNU time) of one run. */
function time(args) {
  return new Promise((done, fail) => {
    const start = performance.now();
    execFile(
      '/usr/bin/time',
      ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args],
      (error) => {
        const wall = performance.now() - start;
        if (error) return fail(error);
        readFile(cpuFile, 'utf8').then((text) => {
          const [user, system] = text.trim().split('\n').at(-1).split(' ').map(Number);
          done({ wall, cpu: (user + system) * 1000 });
        }, fail);
      },
    );
  });
}

const commands = [['node -e 0', ['-e', '0']]];
for (const { name, dist } of builds) {
  const main = binOf(dist);
  const suffix = builds.length > 1 ? ` (${name})` : '';
  commands.push([`pgward --version${suffix}`, [main, '--version']]);
  commands.push([`pgward validate${suffix}`, [main, 'validate', '-c', config]]);
}
const samples = commands.map(() => []);
for (let run = 0; run < RUNS; run += 1) {
  for (const [index, [, args]] of commands.entries()) samples[index].push(await time(args));
}
await rm(dir, { recursive: true, force: true });

const figures = samples.map((runs) => ({
  wall: median(runs.map((run) => run.wall)),
  cpu: median(runs.map((run) => run.cpu)),
}));
const [node] = figures;
console.log(`${RUNS} interleaved runs each, medians of wall time and of CPU time (user + system):`);
for (const [index, [name]] of commands.entries()) {
  const { wall, cpu } = figures[index];
  const extra =
    index === 0
      ? ''
      : `  (+${(wall - node.wall).toFixed(0)} ms wall, +${(cpu - node.cpu).toFixed(0)} ms CPU over node -e 0)`;
  console.log(
    `  ${name.padEnd(28)} ${wall.toFixed(0).padStart(5)} ms wall ${cpu.toFixed(0).padStart(5)} ms CPU${extra}`,
  );
}
