// Start-up cost: `pgward --version` and `pgward validate` on a small config beside `node -e 0`,
// each a new process, interleaved, RUNS times; medians and the difference to `node -e 0`.
//
//   npm run build && node bench/startup.mjs [--runs 20] [--before DIR]
//
// --before DIR times another build's dist/ too (e.g. a copy of main's), in the same rounds.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './common.mjs';

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

function time(args) {
  return new Promise((done, fail) => {
    const start = performance.now();
    execFile(process.execPath, args, (error) => {
      if (error) fail(error);
      else done(performance.now() - start);
    });
  });
}

const commands = [['node -e 0', ['-e', '0']]];
for (const { name, dist } of builds) {
  const main = join(dist, 'cli/main.js');
  const suffix = builds.length > 1 ? ` (${name})` : '';
  commands.push([`pgward --version${suffix}`, [main, '--version']]);
  commands.push([`pgward validate${suffix}`, [main, 'validate', '-c', config]]);
}
const samples = commands.map(() => []);
for (let run = 0; run < RUNS; run += 1) {
  for (const [index, [, args]] of commands.entries()) samples[index].push(await time(args));
}
await rm(dir, { recursive: true, force: true });

const node = median(samples[0]);
console.log(`${RUNS} interleaved runs each, medians (min):`);
for (const [index, [name]] of commands.entries()) {
  const ms = median(samples[index]);
  const extra = index === 0 ? '' : `  +${(ms - node).toFixed(0)} ms over node -e 0`;
  console.log(
    `  ${name.padEnd(28)} ${ms.toFixed(0).padStart(5)} ms (${Math.min(...samples[index]).toFixed(0)})${extra}`,
  );
}
