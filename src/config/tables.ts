/**
 * `tables:` (spec §9): per table, its row-level security and its policies by name. Policy
 * expressions are SQL by nature; each must be one expression (sql/expression.ts), which the
 * server parses at plan time. `databases:` limits a table to some managed databases (§8).
 */
import { POLICY_COMMANDS, type PolicyCommand, type RowSecurity } from '../model/state.js';
import { expressionProblem } from '../sql/expression.js';
import type { CheckContext } from './context.js';
import { entries, isRecord, stringItems } from './context.js';
import { labelOf, q } from './describe.js';
import { readObjectName } from './grants.js';
import { identifierProblem, roleReferenceProblem } from './names.js';
import { readEntryDatabases } from './databases.js';
import type { ConfigDatabases, ConfigPolicy, ConfigTable } from './types.js';

const ROW_SECURITY: readonly RowSecurity[] = ['disabled', 'enabled', 'forced'];

export function readTables(
  raw: unknown,
  managed: ConfigDatabases | undefined,
  ctx: CheckContext,
): ConfigTable[] {
  const tables: ConfigTable[] = [];
  for (const [name, spec] of entries(raw)) {
    const path = ['tables', name];
    const table = readObjectName('table', name, path, ctx);
    if (table === undefined) continue;
    const body = isRecord(spec) ? spec : {};
    const rowSecurity = ROW_SECURITY.find((value) => value === body.row_security) ?? 'disabled';
    const policies: ConfigPolicy[] = [];
    for (const [policyName, policySpec] of entries(body.policies)) {
      const policy = readPolicy(policyName, policySpec, [...path, 'policies', policyName], ctx);
      if (policy !== undefined) policies.push(policy);
    }
    tables.push({
      table,
      rowSecurity,
      policies,
      position: ctx.position(path, 'key'),
      ...readEntryDatabases(spec, path, managed, ctx),
    });
  }
  return tables;
}

function readPolicy(
  name: string,
  raw: unknown,
  path: (string | number)[],
  ctx: CheckContext,
): ConfigPolicy | undefined {
  const nameProblem = identifierProblem(name, 'policy name');
  if (nameProblem) ctx.report(path, nameProblem, 'key');
  const spec = isRecord(raw) ? raw : {};
  const command =
    POLICY_COMMANDS.find((value) => value === spec.command) ?? ('all' as PolicyCommand);
  const roles: string[] = [];
  let everyone = false;
  for (const { value, index } of stringItems(spec.roles)) {
    if (value.toUpperCase() === 'PUBLIC') {
      everyone = true;
      continue;
    }
    const problem = roleReferenceProblem(value, 'roles');
    if (problem) ctx.report([...path, 'roles', index], problem);
    else if (!roles.includes(value)) roles.push(value);
  }
  if (everyone && roles.length > 0)
    ctx.report(
      [...path, 'roles'],
      `${labelOf([...path, 'roles'])} lists PUBLIC and roles: PUBLIC already covers every role`,
    );
  const expression = (key: 'using' | 'with_check'): string | null => {
    const value = spec[key];
    if (typeof value !== 'string') return null;
    const problem = expressionProblem(value);
    if (problem !== null) {
      ctx.report([...path, key], `${labelOf([...path, key])} ${problem}: ${q(value)}`);
      return null;
    }
    return value.trim();
  };
  const using = expression('using');
  const withCheck = expression('with_check');
  if (command === 'insert' && using !== null)
    ctx.report([...path, 'using'], `an insert policy takes only with_check, not using`, 'key');
  if ((command === 'select' || command === 'delete') && withCheck !== null)
    ctx.report(
      [...path, 'with_check'],
      `a ${command} policy takes only using, not with_check`,
      'key',
    );
  return {
    name,
    command,
    permissive: spec.permissive !== false,
    roles: everyone ? [] : roles.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    using,
    withCheck,
    position: ctx.position(path, 'key'),
  };
}
