/**
 * Words the plan reports share (text, markdown, sql), so that a plan reads the same in a
 * terminal, a pull request and a SQL file.
 */
import type { Action, Plan } from '../model/operations.js';

/** `plan`: what apply would do; `drift`: how the database differs from the configuration. */
export type ReportMode = 'plan' | 'drift';

/** Terraform's symbols: + create, ~ update in place, - destroy. */
export const ACTION_SYMBOL: Readonly<Record<Action, string>> = {
  create: '+',
  update: '~',
  delete: '-',
};

/** `160004` → `16.4` (the numbering since PostgreSQL 10). */
export function formatServerVersion(serverVersionNum: number): string {
  return `${Math.floor(serverVersionNum / 10000)}.${serverVersionNum % 10000}`;
}

/**
 * Markers in markdown's ```diff blocks, where GitHub colours lines by their first character
 * (the TextMate diff grammar GitHub highlights with): `+` inserted (green), `-` deleted (red),
 * `!` changed (orange). A `~` line is plain text there, so updates are written `!`.
 */
export const DIFF_MARKER: Readonly<Record<Action, string>> = {
  create: '+',
  update: '!',
  delete: '-',
};

/** Whether the plan has any step (warnings alone are not changes). */
export function hasChanges(plan: Plan): boolean {
  return plan.steps.length > 0;
}

/**
 * Whether `drift` reports anything: a change apply would make, or a finding (access the config
 * does not account for) that apply leaves alone. Either is exit 2.
 */
export function hasDrift(plan: Plan): boolean {
  return plan.steps.length > 0 || plan.findings.length > 0;
}

/** The line above the findings of a drift report. */
export function findingsHeadline(plan: Plan): string {
  return `Found in ${describeTarget(plan)}, not accounted for by the configuration; apply leaves it alone:`;
}

/**
 * `database "app" (PostgreSQL 16.4, suffix "prod")`; `name` writes the names (double quotes
 * by default, code spans in markdown).
 */
export function describeTarget(
  plan: Plan,
  name: (text: string) => string = (text) => JSON.stringify(text),
): string {
  const details = [`PostgreSQL ${formatServerVersion(plan.serverVersionNum)}`];
  if (plan.suffix !== undefined) details.push(`suffix ${name(plan.suffix)}`);
  if (plan.databases !== undefined)
    return `${plan.databases.length === 1 ? 'database' : 'databases'} ${plan.databases.map(name).join(', ')} (${details.join(', ')})`;
  return `database ${name(plan.database)} (${details.join(', ')})`;
}

/**
 * Cluster scope (spec §8): the heading of each group of steps — cluster-wide changes, each
 * database's, then the role drops that wait for every database — one per step, undefined in
 * a one-database plan. A heading is printed where it differs from the previous step's.
 */
export function groupHeadings(plan: Plan): (string | undefined)[] {
  if (plan.databases === undefined) return plan.steps.map(() => undefined);
  let seenDatabase = false;
  return plan.steps.map((step) => {
    if (step.database !== undefined) {
      seenDatabase = true;
      return `Database "${step.database}":`;
    }
    return seenDatabase ? 'Cluster-wide, once every database is clean:' : 'Cluster-wide:';
  });
}

/** The first line above the steps. */
export function headline(plan: Plan, mode: ReportMode): string {
  return mode === 'drift'
    ? `Drift in ${describeTarget(plan)}; apply would make these changes:`
    : `Plan for ${describeTarget(plan)}; apply will make these changes:`;
}

/** The last line: counts, or the all-clear. In a drift report, findings count too. */
export function footer(plan: Plan, mode: ReportMode): string {
  const findings = plan.findings.length;
  const found = `${findings} finding${findings === 1 ? '' : 's'} that apply leaves alone`;
  if (mode === 'drift') {
    if (!hasDrift(plan)) return 'No drift. The database matches the configuration.';
    if (!hasChanges(plan)) return `Drift: ${found}.`;
  } else if (!hasChanges(plan)) {
    return 'No changes. The database matches the configuration.';
  }
  const { add, change, destroy } = plan.summary;
  const counts = `${add} to add, ${change} to change, ${destroy} to destroy`;
  if (mode === 'plan') return `Plan: ${counts}.`;
  return findings === 0 ? `Drift: ${counts}.` : `Drift: ${counts}; ${found}.`;
}
