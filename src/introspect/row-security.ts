/**
 * Per-database row-level security: the tables' flags and policies (row-security.sql), and the
 * comparison of a config's policy expressions with the stored ones.
 *
 * Why the comparison asks the server. PostgreSQL stores a policy's expression as a parse tree
 * and gives it back deparsed (`pg_get_expr`): `user_id = current_setting('app.current_user_id')
 * ::integer` comes back `(user_id = (current_setting('app.current_user_id'::text))::integer)`.
 * The casts, parentheses and spelling it adds depend on types only the server knows, so a
 * client-side normaliser would either miss some (a change shown forever) or ignore too much
 * (`(a OR b) AND c` vs `a OR (b AND c)` compared equal: a security hole). Making the server
 * parse the config's text the way CREATE POLICY does (a temporary view, a policy in a
 * savepoint) needs writes and locks, which planning must not take. What a read-only session
 * can do is plan a query: `EXPLAIN (VERBOSE, COSTS OFF) SELECT (expression) FROM ONLY t`
 * parses the expression against the table (types, casts, operators resolved) and prints it
 * deparsed. In the target list, not in WHERE: the planner folds only immutable functions
 * there, while a WHERE clause's selectivity estimate also runs stable ones, and
 * `current_setting('app.current_user_id')` fails in a session that has not set it.
 * Both texts — the config's and the stored one, which PostgreSQL deparses so that it parses
 * back to the same tree — go through the same EXPLAIN, so anything the planner folds is folded
 * alike on both sides: equal outputs mean the same expression. A text equal to the stored one
 * needs no query. EXPLAIN without ANALYZE executes nothing; it takes the ACCESS SHARE lock any
 * SELECT takes, and is sent with a parameter, so through the extended protocol, where the
 * server refuses more than one statement. A config expression the server cannot parse is a
 * plan error (it would fail in CREATE POLICY).
 */
import type { Config } from '../config/types.js';
import { PlanError, type Problem } from '../errors.js';
import { objectKey, type ObjectRef } from '../model/objects.js';
import { sqlObjectName } from '../sql/quote.js';
import { SYSTEM_SCHEMAS } from '../model/privileges.js';
import type { CurrentRowSecurity, CurrentState, Policy, PolicyCommand } from '../model/state.js';
import { expressionProblem } from '../sql/expression.js';
import { expressionKey } from '../model/policies.js';
import { loadSql } from './load-sql.js';
import type { Queryable } from './queryable.js';

interface RowSecurityRow {
  schema: string;
  name: string;
  enabled: boolean;
  forced: boolean;
  policies: {
    name: string;
    command: string;
    permissive: boolean;
    roles: (string | null)[];
    using: string | null;
    with_check: string | null;
  }[];
}

const COMMANDS: Readonly<Record<string, PolicyCommand>> = {
  '*': 'all',
  r: 'select',
  a: 'insert',
  w: 'update',
  d: 'delete',
};

export async function readRowSecurity(
  client: Queryable,
): Promise<Omit<CurrentRowSecurity, 'equivalent'>> {
  const { rows } = await client.query<RowSecurityRow>(loadSql('row-security'), [SYSTEM_SCHEMAS]);
  const tables: { table: ObjectRef; enabled: boolean; forced: boolean }[] = [];
  const policies: Policy[] = [];
  for (const row of rows) {
    const table: ObjectRef = { kind: 'table', schema: row.schema, name: row.name };
    if (row.enabled || row.forced) tables.push({ table, enabled: row.enabled, forced: row.forced });
    for (const policy of row.policies)
      policies.push({
        table,
        name: policy.name,
        command: COMMANDS[policy.command] ?? 'all',
        permissive: policy.permissive,
        // PUBLIC (NULL) among roles means every role: PostgreSQL keeps {0} alone then.
        roles: policy.roles.includes(null)
          ? []
          : (policy.roles as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        using: policy.using,
        withCheck: policy.with_check,
      });
  }
  return { tables, policies };
}

/**
 * Asks the server, read-only, which of the config's policy expressions are the stored ones
 * (see the top of this file), and parses every config expression on an existing table.
 *
 * @throws PlanError for a config expression the server cannot parse.
 */
export async function withExpressionChecks(
  client: Queryable,
  current: CurrentState,
  config: Config,
): Promise<CurrentState> {
  const rowSecurity = current.rowSecurity;
  if (rowSecurity === undefined || (config.tables ?? []).length === 0) return current;
  const stored = new Map(
    rowSecurity.policies.map((policy) => [
      JSON.stringify([objectKey(policy.table), policy.name]),
      policy,
    ]),
  );
  const existing = new Set(
    current.objects.filter((object) => object.kind === 'table').map((object) => objectKey(object)),
  );
  const equivalent = new Set<string>();
  const problems: Problem[] = [];
  for (const entry of config.tables ?? []) {
    const table: ObjectRef = { kind: 'table', schema: entry.table.schema, name: entry.table.name };
    if (!existing.has(objectKey(table))) continue;
    for (const policy of entry.policies) {
      const now = stored.get(JSON.stringify([objectKey(table), policy.name]));
      for (const which of ['using', 'with_check'] as const) {
        const text = which === 'using' ? policy.using : policy.withCheck;
        if (text === null) continue;
        const storedText = now === undefined ? null : which === 'using' ? now.using : now.withCheck;
        if (storedText !== null && storedText === text.trim()) {
          equivalent.add(expressionKey(table, policy.name, which, text));
          continue;
        }
        const planned = await explain(client, table, text);
        if (typeof planned === 'object') {
          problems.push({
            message: `${which} of policy "${policy.name}" on table "${entry.table.text}" is not a valid expression there: ${planned.error}`,
            ...(policy.position !== undefined && { position: policy.position }),
          });
          continue;
        }
        if (storedText !== null && planned === (await explain(client, table, storedText)))
          equivalent.add(expressionKey(table, policy.name, which, text));
      }
    }
  }
  if (problems.length > 0) throw new PlanError(problems);
  return { ...current, rowSecurity: { ...rowSecurity, equivalent } };
}

/**
 * The plan of `SELECT (text) FROM ONLY table`, or the server's error. In a transaction
 * the query runs in a savepoint, so that an error does not end the transaction.
 */
async function explain(
  client: Queryable,
  table: ObjectRef,
  text: string,
): Promise<string | { error: string }> {
  const problem = expressionProblem(text);
  if (problem !== null) return { error: `it ${problem}` };
  let savepoint = true;
  try {
    await client.query('SAVEPOINT pgward_expression');
  } catch {
    savepoint = false;
  }
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (VERBOSE, COSTS OFF) SELECT $1::pg_catalog.text, (${text}) FROM ONLY ${sqlObjectName(table)}`,
      [''],
    );
    if (savepoint) await client.query('RELEASE SAVEPOINT pgward_expression');
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } catch (error) {
    if (savepoint) await client.query('ROLLBACK TO SAVEPOINT pgward_expression');
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
