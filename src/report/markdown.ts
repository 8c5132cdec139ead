/**
 * The plan as a pull-request comment (GitHub-flavoured markdown): the counts, the steps as a
 * `diff` block (GitHub colours `+` and `-` lines), the SQL in a collapsible block, warnings.
 * Names are never interpreted as markdown: they only appear inside code blocks and code spans
 * whose fences are longer than any backtick run in them.
 */
import type { Plan } from '../plan/operations.js';
import {
  ACTION_SYMBOL,
  describeTarget,
  footer,
  groupHeadings,
  hasChanges,
  type ReportMode,
} from './wording.js';

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
  const blocks: string[] = [`### ${title}: ${describeTarget(plan, codeSpan)}`];
  blocks.push(`**${footer(plan, mode)}**`);
  if (hasChanges(plan) && plan.databases !== undefined) {
    // Cluster scope: one collapsible block per group (cluster-wide, then each database).
    const headings = groupHeadings(plan);
    const groups: { heading: string; lines: string[] }[] = [];
    plan.steps.forEach((step, index) => {
      const heading = headings[index] ?? '';
      if (groups.at(-1)?.heading !== heading) groups.push({ heading, lines: [] });
      groups.at(-1)?.lines.push(`${ACTION_SYMBOL[step.action]} ${step.summary}`);
    });
    for (const group of groups)
      blocks.push(
        [
          '<details open>',
          `<summary>${escapeHtml(group.heading)} ${group.lines.length} change${group.lines.length === 1 ? '' : 's'}</summary>`,
          '',
          codeBlock('diff', group.lines),
          '',
          '</details>',
        ].join('\n'),
      );
  } else if (hasChanges(plan)) {
    blocks.push(
      codeBlock(
        'diff',
        plan.steps.map((step) => `${ACTION_SYMBOL[step.action]} ${step.summary}`),
      ),
    );
  }
  if (hasChanges(plan)) {
    const statements = plan.steps.reduce((count, step) => count + step.sql.length, 0);
    const sql = plan.steps.flatMap((step) => [
      `-- ${step.summary}`,
      ...step.sql.map((statement) => `${statement};`),
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
          plan.warnings.flatMap((w) => w.split('\n')),
        ),
      ].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

/** Text inside HTML (a database name in a <summary>): no tag or entity is interpreted. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A fence longer than any run of backticks inside (CommonMark), at least three. */
function codeBlock(language: string, lines: readonly string[]): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(lines.join('\n')) + 1));
  return [`${fence}${language}`, ...lines, fence].join('\n');
}

function codeSpan(text: string): string {
  const fence = '`'.repeat(longestBacktickRun(text) + 1);
  const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}
