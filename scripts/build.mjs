// Compiles src/ to dist/, copies the catalog queries (src/**/*.sql) next to their modules, and
// generates the config schema's validator (dist/config/schema-validator.cjs), so that pgward
// does not compile the schema with Ajv at every run.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.sql')) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(root, 'dist', relative(join(root, 'src'), from)));
}

// Ajv's standalone code, CommonJS so that dist/config/schema.js can load it synchronously; with
// the options and the schema of the built module itself, so both stay one source.
const { AJV_OPTIONS, configSchema } = await import(join(root, 'dist/config/schema.js'));
const { Ajv } = await import('ajv');
const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
writeFileSync(
  join(root, 'dist/config/schema-validator.cjs'),
  standaloneCode(ajv, ajv.compile(configSchema())),
);

// The published bin (package.json `bin`): src/cli/bin.ts and pgward's own modules bundled into
// dist/cli/bundle/, a chunk per command loaded on demand (splitting), so that a run reads a few
// files instead of ~300 modules. Dependencies are not bundled: node_modules keeps them, and an
// update of one (a fix in pg, say) reaches the bin. Each bundled module reads its neighbours
// (catalog queries, the schema, the generated validator, package.json) relative to its own
// URL: `import.meta.url` in it becomes the URL of its file in dist/, which stays where it is.
const bundle = join(root, 'dist/cli/bundle');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch (error) {
  // esbuild is a devDependency with a binary in an optional package per platform: a machine
  // that skips optional dependencies builds without the bundle, and the action runs
  // dist/cli/main.js instead (src/action/main.ts). A package is never published so (prepack).
  if (process.env.npm_lifecycle_event === 'prepack') throw error;
  console.warn(
    `build: no bundle (esbuild cannot run here: ${error.message}); dist/cli/main.js is the bin`,
  );
}
await esbuild?.build({
  entryPoints: [join(root, 'dist/cli/bin.js')],
  outdir: bundle,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // From tsc's maps: PGWARD_DEBUG=1 with --enable-source-maps shows src/ lines, not chunks.
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'module-urls',
      setup(builder) {
        builder.onLoad({ filter: /\.js$/ }, async (args) => {
          const text = await readFile(args.path, 'utf8');
          // Only import.meta.url is made the module's own again; anything else of import.meta
          // would silently be the chunk's.
          const other = /import\.meta\.(?!url\b)\w+/.exec(text);
          if (other)
            throw new Error(`${args.path}: ${other[0]} cannot be bundled; use import.meta.url`);
          const url = `new URL(${JSON.stringify(relative(bundle, args.path).replaceAll('\\', '/'))}, import.meta.url).href`;
          return { contents: text.replaceAll('import.meta.url', url), loader: 'js' };
        });
      },
    },
  ],
});
