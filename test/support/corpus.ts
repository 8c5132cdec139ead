/**
 * The corpora of broken configs under test/fixtures (`bad-configs`: problems the loader finds;
 * `bad-plans`: problems only the catalog reveals). Each file starts with one
 * `# expect: LINE:COL <part of the message>` line per problem, in the order they are reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One problem a corpus file expects. */
export interface Expectation {
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/** The folder of a corpus and its `.yaml` files, sorted. */
export function corpus(folder: 'bad-configs' | 'bad-plans'): { dir: string; files: string[] } {
  const dir = fileURLToPath(new URL(`../fixtures/${folder}/`, import.meta.url));
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
  return { dir, files };
}

/** The `# expect: LINE:COL text` lines a corpus file starts with. */
export function expectations(path: string): Expectation[] {
  const found: Expectation[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^# expect: (\d+):(\d+) (.+)$/.exec(line);
    if (!match) break;
    found.push({ line: Number(match[1]), column: Number(match[2]), text: match[3] as string });
  }
  return found;
}
