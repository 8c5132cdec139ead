// How loading a config scales with its size: generates configs of N roles (each with the
// keys a real role has: attributes, settings, memberships, grants, permissions) and times
// parseConfig on each. Loading must be linear: time per role the same at 8k as at 64k.
//
//   npm run build && node bench/load-config.mjs [--sizes 8000,16000,32000,64000] [--runs 3]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
if (!existsSync(join(dist, 'config', 'load.js'))) {
  console.error(`load-config: ${dist} has no built pgward; run \`npm run build\` first.`);
  process.exit(1);
}
const { parseConfig } = await import(join(dist, 'config', 'load.js'));

const { values: options } = parseArgs({
  options: {
    sizes: { type: 'string', default: '8000,16000,32000,64000' },
    runs: { type: 'string', default: '3' },
  },
});

const GROUPS = 100;

/** A config of `roles` roles, about 800 bytes each (a 50 MB config has ~64k of them). */
function generatedConfig(roles) {
  const lines = ['version: 1', 'roles:'];
  for (let g = 0; g < GROUPS; g++) lines.push(`  group_${g}:`, '    description: a group');
  for (let i = 0; i < roles; i++) {
    const name = `role_${String(i).padStart(6, '0')}`;
    lines.push(
      `  ${name}:`,
      '    login: true',
      `    description: "Role number ${i}, generated to measure how loading scales"`,
      '    connection_limit: 5',
      '    valid_until: "2030-01-01"',
      '    config: { search_path: "app, public", statement_timeout: "30s", work_mem: "8MB" }',
      `    member_of: [group_${i % GROUPS}, { role: group_${(i + 1) % GROUPS}, admin: true }]`,
      '    grants:',
      `      - { privileges: [SELECT, INSERT, UPDATE], object_type: table, objects: [app.t${i % 50}, app.u${i % 50}, public.orders] }`,
      `      - { privileges: [USAGE], object_type: schema, objects: [app, s${i % 20}] }`,
      `      - { privileges: [SELECT], object_type: table, columns: [id, name], objects: [app.c${i % 10}] }`,
      '    permissions:',
      '      - { type: read, schemas: [app, public] }',
      `    default_privileges:`,
      `      - { for_role: group_${i % GROUPS}, schema: app, object_type: table, privileges: [SELECT] }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const runs = Number(options.runs);
const rows = [];
for (const size of options.sizes.split(',').map(Number)) {
  const text = generatedConfig(size);
  const times = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const config = parseConfig(text, 'generated.yaml', { env: {} });
    times.push(performance.now() - start);
    if (config.roles.length !== size + GROUPS) throw new Error('wrong role count');
  }
  const best = Math.min(...times);
  rows.push({
    roles: size,
    megabytes: (Buffer.byteLength(text) / 1e6).toFixed(1),
    seconds: (best / 1000).toFixed(2),
    microsecondsPerRole: ((best * 1000) / size).toFixed(0),
  });
}
console.table(rows);
