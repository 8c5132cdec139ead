/**
 * The plan as a SQL script, for reviewers and DBAs who want to read or run it with psql: one
 * transaction, each step's summary as a comment above its statements. Passwords stay
 * `PASSWORD (sensitive)`, which psql rejects: the script cannot set a placeholder password.
 */
import { warningsOf, type Plan } from '../model/operations.js';
import { quoteIdent } from '../sql/quote.js';
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
  if (plan.databases !== undefined)
    lines.push(
      "-- Cluster scope: one transaction per database, switched with psql's \\connect; unlike",
      '-- pgward apply, this script does not commit them all-or-nothing.',
    );
  lines.push('BEGIN;', '');
  let connected = plan.database;
  for (const step of plan.steps) {
    // Cluster-wide steps run in the first database, each database's steps in it.
    const database =
      plan.databases === undefined ? plan.database : (step.database ?? plan.database);
    if (database !== connected) {
      // printable: a newline in the name must not end psql's meta-command early.
      lines.push('COMMIT;', `\\connect ${printable(quoteIdent(database))}`, 'BEGIN;', '');
      connected = database;
    }
    lines.push(
      `-- ${printable(step.summary)}`,
      ...step.sql.map((statement) => `${printableStatement(statement)};`),
      '',
    );
  }
  lines.push('COMMIT;');
  return `${lines.join('\n')}\n`;
}
