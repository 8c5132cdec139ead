/**
 * The plan as a pull-request comment (GitHub-flavoured markdown): the counts, the steps as a
 * `diff` block (GitHub colours `+`, `-` and `!` lines, see DIFF_MARKER), the SQL in a
 * collapsible block, the findings and every warning (the comment is what reviewers read; a
 * warning only on the job's stderr is lost). A long plan shows its steps phase by phase, each
 * in a collapsible block, with the counts always visible above them.
 * Names are never interpreted as markdown: they only appear inside code blocks and code spans
 * whose fences are longer than any backtick run in them.
 */
import type { Finding } from '../model/findings.js';
import { warningsOf, type Plan, type PlanStep } from '../model/operations.js';
import { phaseOf } from '../plan/order.js';
import { membershipChangesBlock } from './membership-changes.js';
import { printableStatement } from './printable-sql.js';
import { printable } from './terminal.js';
import {
  DIFF_MARKER,
  describeTarget,
  findingsHeadline,
  footer,
  groupHeadings,
  hasChanges,
  type ReportMode,
} from './wording.js';

export interface MarkdownReportOptions {
  readonly mode?: ReportMode;
}

/** Above this many steps, the steps are grouped by phase into collapsed `<details>` blocks. */
export const LONG_PLAN_STEPS = 20;

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
    blocks.push(...(plan.databases === undefined ? stepBlocks(plan.steps) : groupBlocks(plan)));
    blocks.push(...membershipChangesBlock(plan));
    const statements = plan.steps.reduce((count, step) => count + step.sql.length, 0);
    const sql = plan.steps.flatMap((step) => [
      `-- ${printable(step.summary)}`,
      ...step.sql.map((statement) => `${printableStatement(statement)};`),
    ]);
    blocks.push(
      collapsed(`SQL (${statements} statement${statements === 1 ? '' : 's'})`, [
        codeBlock('sql', sql),
      ]),
    );
  }
  if (mode === 'drift' && plan.findings.length > 0) {
    blocks.push([`**${findingsHeadline(plan)}**`, '', findingsBlock(plan.findings)].join('\n'));
  }
  const warnings = mode === 'drift' ? plan.warnings : warningsOf(plan);
  if (warnings.length > 0) {
    blocks.push(
      [
        '**Warnings**',
        '',
        codeBlock(
          'text',
          warnings.flatMap((w) => w.split('\n').map(printable)),
        ),
      ].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

/**
 * Cluster scope: one open collapsible block per group (cluster-wide, then each database), its
 * steps inside as {@link stepBlocks} shows them.
 */
function groupBlocks(plan: Plan): string[] {
  const headings = groupHeadings(plan);
  const groups: { heading: string; steps: PlanStep[] }[] = [];
  plan.steps.forEach((step, index) => {
    const heading = headings[index] ?? '';
    if (groups.at(-1)?.heading !== heading) groups.push({ heading, steps: [] });
    groups.at(-1)?.steps.push(step);
  });
  return groups.map((group) =>
    collapsed(
      `${printable(group.heading)} ${group.steps.length} change${group.steps.length === 1 ? '' : 's'}`,
      stepBlocks(group.steps),
      true,
    ),
  );
}

/** The steps as one diff block, or for a long plan one collapsed diff block per phase. */
function stepBlocks(steps: readonly PlanStep[]): string[] {
  const line = (step: PlanStep): string => `${DIFF_MARKER[step.action]} ${printable(step.summary)}`;
  if (steps.length <= LONG_PLAN_STEPS) return [codeBlock('diff', steps.map(line))];
  // Steps come in phase order, so each phase is one run of neighbours.
  const phases: { title: string; steps: PlanStep[] }[] = [];
  let last: number | undefined;
  for (const step of steps) {
    const { phase, title } = phaseOf(step.operation);
    if (phase !== last) phases.push({ title, steps: [] });
    phases.at(-1)?.steps.push(step);
    last = phase;
  }
  return phases.map((group) =>
    collapsed(`${group.title} (${group.steps.length})`, [codeBlock('diff', group.steps.map(line))]),
  );
}

/** Findings as `!` lines (orange on GitHub), each with its reason indented below it. */
function findingsBlock(findings: readonly Finding[]): string {
  return codeBlock(
    'diff',
    findings.flatMap((finding) => [
      `! ${printable(finding.summary)}`,
      `    ${printable(finding.reason)}`,
    ]),
  );
}

/** A `<details>` block; the blank lines let GitHub render the markdown inside it. */
function collapsed(summary: string, body: readonly string[], open = false): string {
  return [
    open ? '<details open>' : '<details>',
    `<summary>${escapeHtml(summary)}</summary>`,
    '',
    ...body,
    '',
    '</details>',
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

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
