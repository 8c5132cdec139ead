/**
 * The human plan, as terraform prints it: a headline, one `+`/`~`/`-` line per step with its
 * SQL indented below, warnings, and the counts. A drift report also lists its findings (what
 * apply leaves alone), each with why it matters; a plan shows them as warnings.
 */
import { warningsOf, type Action, type Plan } from '../model/operations.js';
import { printable } from './terminal.js';
import {
  ACTION_SYMBOL,
  findingsHeadline,
  footer,
  groupHeadings,
  hasChanges,
  headline,
  type ReportMode,
} from './wording.js';

export interface TextReportOptions {
  /** ANSI colours; the caller decides (TTY, NO_COLOR, --no-color), nothing global does. */
  readonly color: boolean;
  readonly mode?: ReportMode;
}

/**
 * The plan for a terminal. With `color: false` the text has no escape codes at all; with
 * `color: true` it always has them, whatever the environment says.
 *
 * @example
 * process.stdout.write(renderPlanText(plan, { color: process.stdout.isTTY }));
 */
export function renderPlanText(plan: Plan, options: TextReportOptions): string {
  const mode = options.mode ?? 'plan';
  const paint = options.color ? ANSI : PLAIN;
  const lines: string[] = [];
  if (hasChanges(plan)) {
    lines.push(paint.bold(printable(headline(plan, mode))), '');
    const headings = groupHeadings(plan);
    for (const [index, step] of plan.steps.entries()) {
      const heading = headings[index];
      if (heading !== undefined && heading !== headings[index - 1])
        lines.push(paint.bold(printable(heading)), '');
      const color = ACTION_COLOR[step.action];
      lines.push(`  ${paint[color](`${ACTION_SYMBOL[step.action]} ${printable(step.summary)}`)}`);
      for (const statement of step.sql) {
        for (const line of statement.split('\n')) lines.push(paint.dim(`      ${printable(line)}`));
      }
      lines.push('');
    }
  }
  if (mode === 'drift' && plan.findings.length > 0) {
    lines.push(paint.bold(printable(findingsHeadline(plan))), '');
    for (const finding of plan.findings) {
      lines.push(`  ${paint.red(`! ${printable(finding.summary)}`)}`);
      lines.push(`      ${printable(finding.reason)}`, '');
    }
  }
  const warnings = mode === 'drift' ? plan.warnings : warningsOf(plan);
  for (const warning of warnings) {
    const [first = '', ...rest] = warning.split('\n');
    lines.push(`${paint.yellow(paint.bold('Warning:'))} ${printable(first)}`);
    for (const line of rest) lines.push(`  ${printable(line)}`);
    lines.push('');
  }
  lines.push(paint.bold(footer(plan, mode)));
  return `${lines.join('\n')}\n`;
}

type Paint = 'green' | 'yellow' | 'red' | 'dim' | 'bold';

const ACTION_COLOR: Readonly<Record<Action, Paint>> = {
  create: 'green',
  update: 'yellow',
  delete: 'red',
};

/**
 * The codes kleur uses, applied here directly: kleur's on/off switch is global (and follows
 * NO_COLOR/TTY at import time), while a report must be coloured exactly when asked.
 */
const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const ANSI: Readonly<Record<Paint, (text: string) => string>> = {
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

const identity = (text: string): string => text;
const PLAIN: Readonly<Record<Paint, (text: string) => string>> = {
  green: identity,
  yellow: identity,
  red: identity,
  dim: identity,
  bold: identity,
};
