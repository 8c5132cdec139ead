import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_ATTRIBUTES } from '../../src/model/state.js';
import type { Operation } from '../../src/model/operations.js';
import { buildPlan } from '../../src/plan/build.js';
import { renderPlanAs } from '../../src/cli/output.js';
import { driftFromJson, driftToJson } from '../../src/report/drift-json.js';
import { renderPlanMarkdown } from '../../src/report/markdown.js';
import { renderPlanSql } from '../../src/report/sql.js';
import { renderPlanText } from '../../src/report/text.js';
import { current } from './plan-fixture.js';

const plan = buildPlan(
  current,
  [
    { type: 'drop_role', role: 'carol' },
    {
      type: 'create_role',
      role: 'alice',
      attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true },
      password: { from: 'env', name: 'ALICE_PASSWORD' },
    },
    {
      type: 'grant_privileges',
      target: { scope: 'all_in_schema', kind: 'table', schema: 'app' },
      privileges: ['SELECT'],
      grantees: ['alice'],
      withGrantOption: false,
    },
    { type: 'comment_role', role: 'bob', comment: 'Bob' },
  ],
  { warnings: ['role "dave" is not in the configuration'], suffix: 'prod' },
);
const empty = buildPlan(current, []);

const ESC = '\u001b';

describe('renderPlanText', () => {
  it('reads like terraform, without colour codes when color is false', () => {
    expect(renderPlanText(plan, { color: false })).toBe(
      [
        'Plan for database "app" (PostgreSQL 16.4, suffix "prod"); apply will make these changes:',
        '',
        '  + create role "alice" (login, password (sensitive))',
        '      CREATE ROLE "alice" WITH LOGIN PASSWORD (sensitive)',
        '',
        '  ~ set comment of role "bob" to "Bob"',
        `      COMMENT ON ROLE "bob" IS 'Bob'`,
        '',
        '  + grant SELECT on all tables in schema "app" to "alice"',
        '      GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "alice"',
        '',
        '  - drop role "carol"',
        '      DROP ROLE "carol"',
        '',
        'Warning: role "dave" is not in the configuration',
        '',
        'Plan: 2 to add, 1 to change, 1 to destroy.',
        '',
      ].join('\n'),
    );
  });

  it('says so when there is nothing to do, in plan and drift wording', () => {
    expect(renderPlanText(empty, { color: false })).toBe(
      'No changes. The database matches the configuration.\n',
    );
    expect(renderPlanText(empty, { color: false, mode: 'drift' })).toBe(
      'No drift. The database matches the configuration.\n',
    );
  });

  it('words drift as drift', () => {
    const text = renderPlanText(plan, { color: false, mode: 'drift' });
    expect(text.split('\n')[0]).toBe(
      'Drift in database "app" (PostgreSQL 16.4, suffix "prod"); apply would make these changes:',
    );
    expect(text.trimEnd().split('\n').at(-1)).toBe('Drift: 2 to add, 1 to change, 1 to destroy.');
  });

  it('colours + green, ~ yellow, - red and SQL dim when color is true', () => {
    const text = renderPlanText(plan, { color: true });
    expect(text).toContain(
      `  ${ESC}[32m+ create role "alice" (login, password (sensitive))${ESC}[39m`,
    );
    expect(text).toContain(`  ${ESC}[33m~ set comment of role "bob" to "Bob"${ESC}[39m`);
    expect(text).toContain(`  ${ESC}[31m- drop role "carol"${ESC}[39m`);
    expect(text).toContain(`${ESC}[2m      DROP ROLE "carol"${ESC}[22m`);
    expect(text.replace(/\u001b\[\d+m/g, '')).toBe(renderPlanText(plan, { color: false }));
    expect(renderPlanText(plan, { color: false })).not.toContain(ESC);
  });

  it('shows control characters in names instead of sending them to the terminal', () => {
    const hostile = buildPlan(current, [{ type: 'drop_role', role: `x${ESC}[2J\u009b` }]);
    const text = renderPlanText(hostile, { color: false });
    expect(text).not.toMatch(/[\u001b\u009b]/);
    expect(text).toContain('DROP ROLE "x\\x1b[2J\\x9b"');
  });
});

describe('renderPlanMarkdown', () => {
  it('gives the counts, the steps as a diff block and the SQL in a collapsible block', () => {
    expect(renderPlanMarkdown(plan)).toBe(
      [
        '### pgward plan: database `app` (PostgreSQL 16.4, suffix `prod`)',
        '',
        '**Plan: 2 to add, 1 to change, 1 to destroy.**',
        '',
        '```diff',
        '+ create role "alice" (login, password (sensitive))',
        '! set comment of role "bob" to "Bob"',
        '+ grant SELECT on all tables in schema "app" to "alice"',
        '- drop role "carol"',
        '```',
        '',
        '<details>',
        '<summary>SQL (4 statements)</summary>',
        '',
        '```sql',
        '-- create role "alice" (login, password (sensitive))',
        'CREATE ROLE "alice" WITH LOGIN PASSWORD (sensitive);',
        '-- set comment of role "bob" to "Bob"',
        `COMMENT ON ROLE "bob" IS 'Bob';`,
        '-- grant SELECT on all tables in schema "app" to "alice"',
        'GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "alice";',
        '-- drop role "carol"',
        'DROP ROLE "carol";',
        '```',
        '',
        '</details>',
        '',
        '**Warnings**',
        '',
        '```text',
        'role "dave" is not in the configuration',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('says there is nothing to do, in plan or drift wording', () => {
    expect(renderPlanMarkdown(empty)).toBe(
      [
        '### pgward plan: database `app` (PostgreSQL 16.4)',
        '',
        '**No changes. The database matches the configuration.**',
        '',
      ].join('\n'),
    );
    expect(renderPlanMarkdown(empty, { mode: 'drift' })).toContain(
      '**No drift. The database matches the configuration.**',
    );
  });

  it('reads a drift report back with its findings, each warning once (the action renders it)', () => {
    const drifted = buildPlan(current, [{ type: 'comment_role', role: 'bob', comment: 'Bob' }], {
      findings: [
        {
          kind: 'privileged_unmanaged_role',
          role: 'evil',
          summary: 'role "evil" has SUPERUSER but is not in the config',
          reason: 'it bypasses every privilege check',
        },
      ],
      warnings: ['a note'],
    });
    const read = driftFromJson(JSON.parse(JSON.stringify(driftToJson(drifted))));
    expect(read.findings).toEqual(drifted.findings);
    expect(read.warnings).toEqual(['a note']);
    expect(renderPlanMarkdown(read, { mode: 'drift' })).toBe(
      renderPlanMarkdown(drifted, { mode: 'drift' }),
    );
  });

  it('shows drift findings as orange ! lines with their reason, then every warning', () => {
    const drifted = buildPlan(current, [{ type: 'comment_role', role: 'bob', comment: 'Bob' }], {
      findings: [
        {
          kind: 'privileged_unmanaged_role',
          role: 'evil',
          summary: 'role "evil" has SUPERUSER but is not in the config',
          reason: 'it bypasses every privilege check',
        },
      ],
      warnings: [
        'revoking with CASCADE also takes SELECT from "outsider", which is not in the config',
      ],
    });
    expect(renderPlanMarkdown(drifted, { mode: 'drift' })).toBe(
      [
        '### pgward drift: database `app` (PostgreSQL 16.4)',
        '',
        '**Drift: 0 to add, 1 to change, 0 to destroy; 1 finding that apply leaves alone.**',
        '',
        '```diff',
        '! set comment of role "bob" to "Bob"',
        '```',
        '',
        '<details>',
        '<summary>SQL (1 statement)</summary>',
        '',
        '```sql',
        '-- set comment of role "bob" to "Bob"',
        `COMMENT ON ROLE "bob" IS 'Bob';`,
        '```',
        '',
        '</details>',
        '',
        '**Found in database "app" (PostgreSQL 16.4), not accounted for by the configuration; apply leaves it alone:**',
        '',
        '```diff',
        '! role "evil" has SUPERUSER but is not in the config',
        '    it bypasses every privilege check',
        '```',
        '',
        '**Warnings**',
        '',
        '```text',
        'revoking with CASCADE also takes SELECT from "outsider", which is not in the config',
        '```',
        '',
      ].join('\n'),
    );
    // In a plan, the finding is one more warning, first.
    expect(renderPlanMarkdown(drifted)).toContain(
      [
        '**Warnings**',
        '',
        '```text',
        'role "evil" has SUPERUSER but is not in the config: it bypasses every privilege check',
        'revoking with CASCADE also takes SELECT from "outsider", which is not in the config',
        '```',
      ].join('\n'),
    );
  });

  it('gives the phases of owners, PUBLIC and policies their titles when collapsing', () => {
    const tables = Array.from({ length: 20 }, (_, i) => ({
      kind: 'table' as const,
      schema: 'app',
      name: `t${String(i).padStart(2, '0')}`,
    }));
    const long = buildPlan(current, [
      ...tables.map((object): Operation => ({
        type: 'alter_owner',
        object,
        from: 'postgres',
        owner: 'bob',
      })),
      { type: 'grant_public', object: tables[0]!, privileges: ['SELECT'] },
      {
        type: 'create_policy',
        policy: {
          table: tables[0]!,
          name: 'mine',
          command: 'all',
          permissive: true,
          roles: ['bob'],
          using: 'true',
          withCheck: null,
        },
      },
      { type: 'revoke_public', object: tables[1]!, privileges: ['SELECT'] },
    ]);
    const summaries = renderPlanMarkdown(long)
      .split('\n')
      .filter((line) => line.startsWith('<summary>'));
    expect(summaries).toEqual([
      '<summary>Change owners (20)</summary>',
      '<summary>Grant privileges (1)</summary>',
      '<summary>Row-level security (1)</summary>',
      '<summary>Revoke privileges (1)</summary>',
      '<summary>SQL (23 statements)</summary>',
    ]);
  });

  it('collapses a long plan into one <details> per phase, the counts always visible', () => {
    const names = Array.from({ length: 20 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    const long = buildPlan(current, [
      ...names.map((role): Operation => ({
        type: 'create_role',
        role,
        attributes: DEFAULT_ROLE_ATTRIBUTES,
      })),
      { type: 'comment_role', role: 'bob', comment: null },
      { type: 'drop_role', role: 'carol' },
    ]);
    const markdown = renderPlanMarkdown(long);
    expect(markdown.split('\n\n<details>')[0]).toBe(
      [
        '### pgward plan: database `app` (PostgreSQL 16.4)',
        '',
        '**Plan: 20 to add, 1 to change, 1 to destroy.**',
      ].join('\n'),
    );
    expect(markdown).toContain(
      [
        '<details>',
        '<summary>Create roles (20)</summary>',
        '',
        '```diff',
        ...names.map((name) => `+ create role "${name}"`),
        '```',
        '',
        '</details>',
        '',
        '<details>',
        '<summary>Alter roles (1)</summary>',
        '',
        '```diff',
        '! remove comment of role "bob"',
        '```',
        '',
        '</details>',
        '',
        '<details>',
        '<summary>Drop roles (1)</summary>',
        '',
        '```diff',
        '- drop role "carol"',
        '```',
        '',
        '</details>',
        '',
        '<details>',
        '<summary>SQL (22 statements)</summary>',
      ].join('\n'),
    );
  });

  it('is what the CLI prints for --format markdown: warnings kept, unlike the terminal views', () => {
    // The terminal views leave warnings to stderr; a PR comment must keep them (a CASCADE
    // warning naming roles outside the config was lost there).
    expect(renderPlanAs(plan, 'markdown', { color: false })).toBe(renderPlanMarkdown(plan));
    expect(renderPlanAs(plan, 'markdown', { color: false })).toContain(
      'role "dave" is not in the configuration',
    );
    expect(renderPlanAs(plan, 'text', { color: false })).not.toContain('dave');
  });

  it('keeps names with backticks inside their code block and code span', () => {
    const tricky = buildPlan(
      { ...current, server: { ...current.server, currentDatabase: 'a`b' } },
      [{ type: 'drop_role', role: '```\n</details>' }],
    );
    const markdown = renderPlanMarkdown(tricky);
    expect(markdown).toContain('database ``a`b``');
    expect(markdown).toContain(
      '````sql\n-- drop role "```\\n</details>"\nDROP ROLE U&"```\\000a</details>";\n````',
    );
  });
});

describe('renderPlanSql', () => {
  it('is one transaction with each step commented, statements ending in semicolons', () => {
    expect(renderPlanSql(plan)).toBe(
      [
        '-- pgward plan for database "app" (PostgreSQL 16.4, suffix "prod")',
        '-- Plan: 2 to add, 1 to change, 1 to destroy.',
        '-- Warning: role "dave" is not in the configuration',
        'BEGIN;',
        '',
        '-- create role "alice" (login, password (sensitive))',
        'CREATE ROLE "alice" WITH LOGIN PASSWORD (sensitive);',
        '',
        '-- set comment of role "bob" to "Bob"',
        `COMMENT ON ROLE "bob" IS 'Bob';`,
        '',
        '-- grant SELECT on all tables in schema "app" to "alice"',
        'GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "alice";',
        '',
        '-- drop role "carol"',
        'DROP ROLE "carol";',
        '',
        'COMMIT;',
        '',
      ].join('\n'),
    );
  });

  it('is an empty transaction when there is nothing to do', () => {
    expect(renderPlanSql(empty)).toBe(
      [
        '-- pgward plan for database "app" (PostgreSQL 16.4)',
        '-- No changes. The database matches the configuration.',
        'BEGIN;',
        '',
        'COMMIT;',
        '',
      ].join('\n'),
    );
  });

  it('keeps a multi-line warning inside comments', () => {
    const warned = buildPlan(current, [], { warnings: ['first\nsecond; DROP ROLE x'] });
    expect(renderPlanSql(warned)).toContain('-- Warning: first\n--   second; DROP ROLE x\nBEGIN;');
  });
});
