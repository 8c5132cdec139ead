#!/usr/bin/env node
/**
 * The folders of src/ depend one way, down the pipeline: a module may import from its own
 * folder and from folders on a lower layer, never from its own layer or above. This is that
 * rule as a check (CI runs it through `npm run lint`); the README's map of src/ explains each
 * folder.
 *
 *   node scripts/check-imports.mjs          exit 1 and list each import that breaks the rule
 *   node scripts/check-imports.mjs --graph  print the folder graph (folder -> folders it uses)
 *   node scripts/check-imports.mjs --src DIR  check another tree (the check's own test)
 *
 * Top-level files count as folders of their own name: src/errors.ts is `errors` (the bottom,
 * every layer may throw); src/engine.ts and src/cluster.ts (one database, several) run the
 * stages; src/index.ts is `index` (the library's entry, the top).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lowest first. Folders on one line are independent of each other. */
const LAYERS = [
  ['errors'],
  ['model'],
  ['sql', 'passwords'],
  ['config', 'sandbox'],
  ['introspect', 'explain'],
  ['resolve'],
  ['diff'],
  ['plan'],
  ['execute', 'report'],
  ['engine'],
  ['cluster'],
  ['export', 'inventory'],
  ['api'],
  ['cli', 'action'],
  ['index'],
];

const srcFlag = process.argv.indexOf('--src');
const root =
  srcFlag > 0
    ? resolve(process.argv[srcFlag + 1])
    : resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const layerOf = new Map(LAYERS.flatMap((folders, layer) => folders.map((f) => [f, layer])));

function folderOf(file) {
  const [first, ...rest] = relative(root, file).split('/');
  return rest.length === 0 ? first.replace(/\.[jt]s$/, '') : first;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

// Static imports and re-exports (`from '…'`), dynamic `import('…')`; relative specifiers only.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g;

const violations = [];
const unknown = new Set();
const graph = new Map();
for (const file of sourceFiles(root)) {
  const from = folderOf(file);
  if (!layerOf.has(from)) unknown.add(from);
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
    const target = resolve(dirname(file), specifier);
    const to = relative(root, target).startsWith('..') ? '(outside src)' : folderOf(target);
    if (to === from) continue;
    if (!graph.has(from)) graph.set(from, new Map());
    graph.get(from).set(to, (graph.get(from).get(to) ?? 0) + 1);
    const ok = layerOf.has(to) && layerOf.get(to) < (layerOf.get(from) ?? -1);
    if (!ok)
      violations.push(
        `src/${relative(root, file)} imports ${specifier}: ${from} may not depend on ${to}`,
      );
  }
}

if (process.argv.includes('--graph')) {
  for (const folders of LAYERS.toReversed()) {
    for (const folder of folders) {
      const uses = [...(graph.get(folder) ?? new Map())]
        .sort((a, b) => layerOf.get(b[0]) - layerOf.get(a[0]) || a[0].localeCompare(b[0]))
        .map(([to]) => to);
      console.log(`${folder.padEnd(10)} -> ${uses.join(', ') || '(nothing)'}`);
    }
  }
}

for (const folder of unknown) {
  violations.push(`src/${folder}: a folder the layers in scripts/check-imports.mjs do not place`);
}
if (violations.length > 0) {
  console.error(violations.join('\n'));
  console.error(`\n${violations.length} import(s) against the direction of the pipeline.`);
  process.exit(1);
}
