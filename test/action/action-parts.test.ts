/**
 * The action's pure parts: the $GITHUB_OUTPUT format, workflow-command escaping, the comment's
 * marker, folding and cutting, Link-header pagination, secret scrubbing.
 */
import { describe, expect, it } from 'vitest';
import {
  COLLAPSE_LINES,
  MAX_COMMENT_LENGTH,
  commentBody,
  commentMarker,
  findMarkedComment,
} from '../../src/action/comment.js';
import { nextPageUrl } from '../../src/action/github.js';
import { readInputs } from '../../src/action/inputs.js';
import { Redactor } from '../../src/action/redact.js';
import { errorCommand, maskCommands, outputBlock } from '../../src/action/workflow-commands.js';
import { parseOutputFile } from './step.js';

describe('$GITHUB_OUTPUT', () => {
  it('writes multi-line values in a heredoc block the runner reads back whole', () => {
    const value = 'line one\nname=injected\n\nline four';
    const block = outputBlock('report', value);
    expect(block).toMatch(/^report<<ghadelimiter_[0-9a-f-]{36}\n/);
    expect(parseOutputFile(block + outputBlock('changes', '1'))).toEqual({
      report: value,
      changes: '1',
    });
  });

  it('picks a delimiter the value does not contain', () => {
    const first = outputBlock('x', 'v');
    const delimiter = first.split('\n')[0]?.split('<<')[1] ?? '';
    // Whatever delimiter comes next, a value cannot end its block: it is checked.
    const hostile = `a\n${delimiter}\nchanges=0`;
    expect(parseOutputFile(outputBlock('x', hostile))).toEqual({ x: hostile });
  });
});

describe('workflow commands', () => {
  it('keeps a multi-line error one command', () => {
    expect(errorCommand('50% failed\nsecond line')).toBe('::error::50%25 failed%0Asecond line\n');
  });

  it('masks each line of a secret', () => {
    expect(maskCommands('a\nb\n')).toBe('::add-mask::a\n::add-mask::b\n');
  });
});

describe('comment', () => {
  it('keys the marker by command, working directory and config', () => {
    expect(commentMarker('plan', '.', 'pgward.yaml')).toBe('<!-- pgward:plan:pgward.yaml -->');
    expect(commentMarker('plan', 'db/', './prod.yaml')).toBe('<!-- pgward:plan:db/prod.yaml -->');
    expect(commentMarker('plan', 'a', 'b.yaml')).not.toBe(commentMarker('drift', 'a', 'b.yaml'));
    // A path cannot end the HTML comment early.
    expect(commentMarker('plan', 'x-->', 'y.yaml')).toBe('<!-- pgward:plan:x--%3E/y.yaml -->');
  });

  it('finds its comment by the marker at the start of the body only', () => {
    const marker = commentMarker('plan', '.', 'pgward.yaml');
    const comments = [
      { id: 1, body: `quoting: ${marker}` },
      { id: 2, body: null },
      { id: 3, body: `${marker}\nplan` },
    ];
    expect(findMarkedComment(comments, marker)?.id).toBe(3);
  });

  const context = { marker: '<!-- pgward:plan:pgward.yaml -->', source: '`pgward.yaml`' };

  it('folds a long plan, keeping the title and counts visible', () => {
    const steps = Array.from({ length: COLLAPSE_LINES }, (_, i) => `+ create role "r${i}"`);
    const report = `### pgward plan: database \`app\`\n\n**Plan: ${COLLAPSE_LINES} to add, 0 to change, 0 to destroy.**\n\n\`\`\`diff\n${steps.join('\n')}\n\`\`\`\n`;
    const body = commentBody(report, context);
    expect(body.indexOf('**Plan: 40 to add')).toBeLessThan(body.indexOf('<details>'));
    expect(body).toMatch(/<summary>Show the plan \(\d+ lines\)<\/summary>\n\n```diff/);
    const short = commentBody('### pgward plan\n\n**No changes.**\n', context);
    expect(short).not.toContain('<details>');
    // The SQL is folded by the report already: only what shows counts.
    const sql = Array.from({ length: 100 }, (_, i) => `GRANT x TO "r${i}";`).join('\n');
    const foldedSql = `### pgward plan\n\n**Plan: 1 to add**\n\n\`\`\`diff\n+ one\n\`\`\`\n\n<details>\n<summary>SQL</summary>\n\n\`\`\`sql\n${sql}\n\`\`\`\n\n</details>\n`;
    expect(commentBody(foldedSql, context).match(/<details>/g)).toHaveLength(1);
  });

  it('cuts a plan too long for GitHub, closing its code block', () => {
    const steps = Array.from({ length: 5000 }, (_, i) => `+ create role "role_number_${i}"`);
    const report = `### pgward plan\n\n**Plan: 5000 to add**\n\n\`\`\`diff\n${steps.join('\n')}\n\`\`\`\n`;
    const body = commentBody(report, { ...context, sha: 'abcdef0123' });
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(body).toContain('The plan is too long for a comment');
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(body).toMatch(/<\/details>\n\n<sub>`pgward.yaml` · commit abcdef0<\/sub>\n$/);
    expect(body.startsWith(context.marker)).toBe(true);
    expect(body).toContain('commit abcdef0');
  });
});

describe('pagination', () => {
  it('follows rel="next" of a Link header', () => {
    const link =
      '<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=5>; rel="last"';
    expect(nextPageUrl(link)).toBe(
      'https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2',
    );
    expect(nextPageUrl('<https://x/?page=1>; rel="prev"')).toBeUndefined();
    expect(nextPageUrl(null)).toBeUndefined();
  });
});

describe('Redactor', () => {
  it('hides the URL, its password as written and decoded, and passwords of other URIs', () => {
    const redactor = new Redactor(['postgresql://app:p%40ss%3Aword@db:5432/app', undefined, '']);
    expect(redactor.redact('url postgresql://app:p%40ss%3Aword@db:5432/app')).toBe('url ***');
    expect(redactor.redact('password p@ss:word or p%40ss%3Aword')).toBe('password *** or ***');
    expect(redactor.redact('see postgres://x:y@h/d')).toBe('see postgres://x:***@h/d');
    expect(redactor.values).toContain('p@ss:word');
  });
});

describe('inputs', () => {
  it('reads INPUT_DATABASE_URL (composite steps) and INPUT_DATABASE-URL (node actions)', () => {
    expect(readInputs({ INPUT_DATABASE_URL: 'postgres://a' }).databaseUrl).toBe('postgres://a');
    expect(readInputs({ 'INPUT_DATABASE-URL': 'postgres://b' }).databaseUrl).toBe('postgres://b');
    expect(readInputs({ INPUT_COMMENT: '' }).comment).toBeUndefined();
  });

  it('refuses inputs that do not go together', () => {
    expect(() =>
      readInputs({ INPUT_DATABASE_URL: 'postgres://a', INPUT_SANDBOX_SQL: 's.sql' }),
    ).toThrow('give either database-url or sandbox-sql');
    expect(() => readInputs({ INPUT_COMMAND: 'apply', INPUT_SANDBOX_SQL: 's.sql' })).toThrow(
      'sandbox-sql is for plan and drift',
    );
    expect(() => readInputs({ INPUT_PLAN_FILE: 'p.json' })).toThrow(
      'input plan-file is for command apply, not plan',
    );
    expect(() => readInputs({ INPUT_FAIL_ON_DRIFT: 'yes' })).toThrow(
      'input fail-on-drift is "yes": use true or false',
    );
  });
});

describe('Redactor, the password forms the red team found unmasked', () => {
  it.each([
    ['postgres://u:100%sure@h/db', ['100%sure']],
    ['postgres://u:S3cr%zzet@h/db', ['S3cr%zzet']],
    ['postgres://u@h/db?password=Qw3rty9', ['Qw3rty9']],
    ['postgres://u:a%22b%5Cc@h/db', ['a\\"b\\\\c', 'a"b\\c']],
    ['postgres://u:p%C3%A9ss@h/db', ['p%c3%a9ss', 'P%C3%A9SS', 'pe\u0301ss', 'pé' + 'ss']],
  ])('%s: hides %j', (url, leaks) => {
    const redactor = new Redactor([url]);
    for (const leak of leaks) {
      expect(redactor.redact(`before ${leak} after`)).toBe('before *** after');
    }
  });
});
