/**
 * The plan as a SQL script, for reviewers and DBAs who want to read or run it with psql: one
 * transaction, each step's summary as a comment above its statements. Passwords stay
 * `PASSWORD (sensitive)`, which psql rejects: the script cannot set a placeholder password.
 */
import { warningsOf, type Plan } from '../plan/operations.js';
import { printableStatement } from './printable-sql.js';
import { printable } from './terminal.js';
import { describeTarget, footer } from './wording.js';

/**
 * @example
 * renderPlanSql(plan)
 * // -- pgward plan for database "app" (PostgreSQL 16.4)
 * // BEGIN;
 * //
 * // -- drop role "bob"
 * // DROP ROLE "bob";
 * //
 * // COMMIT;
 */
export function renderPlanSql(plan: Plan): string {
  // Comments through printable (a newline in a name would end the comment), statements
  // through printableStatement (still SQL, and still the same names).
  const lines = [
    `-- pgward plan for ${printable(describeTarget(plan))}`,
    `-- ${footer(plan, 'plan')}`,
  ];
  for (const warning of warningsOf(plan)) {
    const [first = '', ...rest] = warning.split(/\r?\n|\r/);
    lines.push(`-- Warning: ${printable(first)}`, ...rest.map((line) => `--   ${printable(line)}`));
  }
  lines.push('BEGIN;', '');
  for (const step of plan.steps) {
    lines.push(
      `-- ${printable(step.summary)}`,
      ...step.sql.map((statement) => `${printableStatement(statement)};`),
      '',
    );
  }
  lines.push('COMMIT;');
  return `${lines.join('\n')}\n`;
}
