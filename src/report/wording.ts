/**
 * Words the plan reports share (text, markdown, sql), so that a plan reads the same in a
 * terminal, a pull request and a SQL file.
 */
import type { Action, Plan } from '../plan/operations.js';

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

/** Whether the plan has any step (warnings alone are not changes). */
export function hasChanges(plan: Plan): boolean {
  return plan.steps.length > 0;
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

/** The last line: counts, or the all-clear. */
export function footer(plan: Plan, mode: ReportMode): string {
  if (!hasChanges(plan))
    return mode === 'drift'
      ? 'No drift. The database matches the configuration.'
      : 'No changes. The database matches the configuration.';
  const { add, change, destroy } = plan.summary;
  const counts = `${add} to add, ${change} to change, ${destroy} to destroy.`;
  return mode === 'drift' ? `Drift: ${counts}` : `Plan: ${counts}`;
}
