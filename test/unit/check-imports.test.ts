/**
 * scripts/check-imports.mjs, the rule that src/'s folders depend one way: it passes on the real
 * tree and fails, naming the file and the two folders, on a tree where a lower folder imports
 * a higher one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../scripts/check-imports.mjs');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgward-imports-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('check-imports', () => {
  it('passes on src/ and prints each folder with the folders it uses', () => {
    const graph = execFileSync('node', [SCRIPT, '--graph'], { encoding: 'utf8' });
    expect(graph).toMatch(/^model +-> \(nothing\)$/m);
    expect(graph).toMatch(/^sql +-> model$/m);
  });

  it('fails on an import up the pipeline, naming the file and both folders', () => {
    const src = tree({
      'model/state.ts': "import { renderOperation } from '../sql/render.js';\n",
      'sql/render.ts': "import type { State } from '../model/state.js';\n",
    });
    const run = spawnSync('node', [SCRIPT, '--src', src], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'src/model/state.ts imports ../sql/render.js: model may not depend on sql',
    );
    expect(run.stderr).not.toContain('src/sql/render.ts');
  });

  it('fails on dynamic imports, re-exports, same-layer imports and unplaced folders', () => {
    const src = tree({
      'config/load.ts': "export { x } from '../sandbox/server.js';\n",
      'sandbox/server.ts': 'export const x = 1;\n',
      'model/state.ts': "const m = await import('../sql/quote.js');\n",
      'sql/quote.ts': '',
      'widgets/a.ts': '',
    });
    const run = spawnSync('node', [SCRIPT, '--src', src], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('config may not depend on sandbox');
    expect(run.stderr).toContain('model may not depend on sql');
    expect(run.stderr).toContain('src/widgets: a folder the layers');
  });

  it("names every folder and top-level file of src/ in the README's map, and nothing else", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const map = readme.slice(readme.indexOf('### Map of `src/`'));
    const table = map.slice(0, map.indexOf('\n\n', map.indexOf('| Layer')));
    const firstCells = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|')[1] ?? '');
    const named = firstCells.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map(([, n]) => n));
    const tree = readdirSync(join(import.meta.dirname, '../../src'), { withFileTypes: true }).map(
      (entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name),
    );
    expect(named.sort()).toEqual(tree.sort());
  });
});
