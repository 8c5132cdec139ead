/**
 * The bad-config corpus: every file in test/fixtures/bad-configs starts with
 * `# expect: LINE:COL <part of the message>` lines, one per problem the loader must report,
 * in order, and nothing else. The CLI tests run the same corpus through `pgward validate`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError, formatProblem } from '../../src/errors.js';

const corpus = fileURLToPath(new URL('../fixtures/bad-configs/', import.meta.url));
const files = readdirSync(corpus)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

interface Expectation {
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

function expectations(file: string): Expectation[] {
  const found: Expectation[] = [];
  for (const line of readFileSync(join(corpus, file), 'utf8').split('\n')) {
    const match = /^# expect: (\d+):(\d+) (.+)$/.exec(line);
    if (!match) break;
    found.push({ line: Number(match[1]), column: Number(match[2]), text: match[3] as string });
  }
  return found;
}

describe('bad-config corpus', () => {
  it('has a case for every kind of problem', () => {
    expect(files.length).toBeGreaterThanOrEqual(70);
  });

  it.each(files)('%s', (file) => {
    const expected = expectations(file);
    expect(expected, 'the file must start with "# expect: LINE:COL message"').not.toHaveLength(0);
    let error: unknown;
    try {
      // No environment: the corpus must not depend on the variables of whoever runs it.
      loadConfig(file, { cwd: corpus, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map(formatProblem)).toHaveLength(expected.length);
    expected.forEach((expectation, index) => {
      const problem = problems[index];
      expect(problem?.position).toEqual({
        file,
        line: expectation.line,
        column: expectation.column,
      });
      expect(problem?.message).toContain(expectation.text);
      expect(problem?.message).not.toContain('\n');
    });
  });
});
