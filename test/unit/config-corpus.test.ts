/**
 * The bad-config corpus: every file in test/fixtures/bad-configs starts with
 * `# expect: LINE:COL <part of the message>` lines, one per problem the loader must report,
 * in order, and nothing else. The CLI tests run the same corpus through `pgward validate`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError, formatProblem } from '../../src/errors.js';
import { corpus, expectations } from '../support/corpus.js';

const { dir, files } = corpus('bad-configs');

describe('bad-config corpus', () => {
  it('has a case for every kind of problem', () => {
    expect(files.length).toBeGreaterThanOrEqual(70);
  });

  it.each(files)('%s', (file) => {
    const expected = expectations(join(dir, file));
    expect(expected, 'the file must start with "# expect: LINE:COL message"').not.toHaveLength(0);
    let error: unknown;
    try {
      // No environment: the corpus must not depend on the variables of whoever runs it.
      loadConfig(file, { cwd: dir, env: {} });
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
