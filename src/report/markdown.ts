/**
 * The plan as a pull-request comment (GitHub-flavoured markdown): the counts, the steps as a
 * `diff` block (GitHub colours `+` and `-` lines), the SQL in a collapsible block, warnings.
 * Names are never interpreted as markdown: they only appear inside code blocks and code spans
 * whose fences are longer than any backtick run in them.
 */
import type { Plan } from '../plan/operations.js';
import { membershipChangesBlock } from './membership-changes.js';
import { printableStatement } from './printable-sql.js';
import { printable } from './terminal.js';
import { ACTION_SYMBOL, describeTarget, footer, hasChanges, type ReportMode } from './wording.js';

export interface MarkdownReportOptions {
  readonly mode?: ReportMode;
}

/**
 * @example
 * await writeFile('plan.md', renderPlanMarkdown(plan)); // then: gh pr comment --body-file plan.md
 */
export function renderPlanMarkdown(plan: Plan, options: MarkdownReportOptions = {}): string {
  const mode = options.mode ?? 'plan';
  const title = mode === 'drift' ? 'pgward drift' : 'pgward plan';
  // Names through printable, statements through printableStatement: no raw ESC, bidi
  // override or zero-width character reaches the page.
  const blocks: string[] = [`### ${title}: ${printable(describeTarget(plan, codeSpan))}`];
  blocks.push(`**${footer(plan, mode)}**`);
  if (hasChanges(plan)) {
    blocks.push(
      codeBlock(
        'diff',
        plan.steps.map((step) => `${ACTION_SYMBOL[step.action]} ${printable(step.summary)}`),
      ),
    );
    blocks.push(...membershipChangesBlock(plan));
    const statements = plan.steps.reduce((count, step) => count + step.sql.length, 0);
    const sql = plan.steps.flatMap((step) => [
      `-- ${printable(step.summary)}`,
      ...step.sql.map((statement) => `${printableStatement(statement)};`),
    ]);
    blocks.push(
      [
        '<details>',
        `<summary>SQL (${statements} statement${statements === 1 ? '' : 's'})</summary>`,
        '',
        codeBlock('sql', sql),
        '',
        '</details>',
      ].join('\n'),
    );
  }
  if (plan.warnings.length > 0) {
    blocks.push(
      [
        '**Warnings**',
        '',
        codeBlock(
          'text',
          plan.warnings.flatMap((w) => w.split('\n').map(printable)),
        ),
      ].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

/** A fence longer than any run of backticks inside (CommonMark), at least three. */
/** A fenced block whose fence is longer than any backtick run in it. */
export function codeBlock(language: string, lines: readonly string[]): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(lines.join('\n')) + 1));
  return [`${fence}${language}`, ...lines, fence].join('\n');
}

/** A code span that shows `text` literally, backticks included. */
export function codeSpan(text: string): string {
  const fence = '`'.repeat(longestBacktickRun(text) + 1);
  const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}
