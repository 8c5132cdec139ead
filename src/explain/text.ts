/**
 * explain's answers as text for people. Pure: strings in, strings out; the CLI escapes what
 * it prints (names from the catalog may hold terminal escape sequences).
 */
import type { ExplainPath, ExplainStep, FutureGrant, PrivilegeExplanation } from './privilege.js';
import type { EffectiveObject, EffectivePrivilege, RoleAccess } from './role.js';

function membershipOptions(step: Extract<ExplainStep, { kind: 'membership' }>): string {
  const options = [
    step.inherit ? 'INHERIT' : 'INHERIT FALSE',
    step.set ? 'SET' : 'SET FALSE',
    ...(step.admin ? ['ADMIN'] : []),
  ];
  return options.join(', ');
}

/** One step in words. */
export function describeStep(step: ExplainStep, privilege: string): string {
  switch (step.kind) {
    case 'superuser':
      return `"${step.role}" is SUPERUSER: every privilege`;
    case 'membership':
      return step.implicit
        ? `"${step.member}" owns the database, so is a member of "${step.role}" (${membershipOptions(step)})`
        : `member of "${step.role}" (${membershipOptions(step)})`;
    case 'set_role':
      return `SET ROLE "${step.role}"`;
    case 'grant':
      return `"${step.grantee}" was granted ${privilege} by "${step.grantor}"${step.grantable ? ' WITH GRANT OPTION' : ''}`;
    case 'owner':
      return `"${step.role}" owns it (the owner's ${privilege})`;
    case 'public':
      return `PUBLIC was granted ${privilege} by "${step.grantor}"`;
    case 'predefined':
      return `"${step.role}" gives ${privilege} on every object of this kind`;
    case 'column_grant':
      return `${step.grantee === null ? 'PUBLIC' : `"${step.grantee}"`} was granted ${privilege} on column "${step.column}" by "${step.grantor}"`;
  }
}

/**
 * Default privileges in words, one line per (creator, kind, schema, grantee):
 * `SELECT, USAGE on new sequences created by "app_owner" in schema "app", granted to "r"`.
 */
export function describeFuture(grants: readonly FutureGrant[]): string[] {
  const lines = new Map<string, { privileges: string[]; text: string }>();
  for (const grant of grants) {
    const where = grant.schema === null ? '' : ` in schema "${grant.schema}"`;
    const to = grant.grantee === null ? 'PUBLIC' : `"${grant.grantee}"`;
    const text = `on new ${grant.object_type}s created by "${grant.for_role}"${where}, granted to ${to}`;
    const line = lines.get(text) ?? { privileges: [], text };
    line.privileges.push(grant.privilege);
    lines.set(text, line);
  }
  return [...lines.values()].map((line) => `${line.privileges.join(', ')} ${line.text}`);
}

/** A path as one line: the role, then each step. */
export function describePath(role: string, path: ExplainPath, privilege: string): string {
  const setRole = path.some((step) => step.kind === 'set_role');
  const first = path[0];
  // A path that starts at PUBLIC or at the role's own attribute needs no role in front.
  const start = first?.kind === 'public' || first?.kind === 'superuser' ? [] : [`"${role}"`];
  const line = [...start, ...path.map((step) => describeStep(step, privilege))].join(' → ');
  return setRole ? `${line}   [only after SET ROLE]` : line;
}

/** `pgward explain ROLE PRIVILEGE TYPE OBJECT` as text. */
export function renderExplanationText(explanation: PrivilegeExplanation): string {
  const { role, privilege, object_type: kind, object } = explanation;
  const lines = [
    `${explanation.allowed ? 'yes' : 'no'}: "${role}" ${explanation.allowed ? 'can' : 'cannot'} use ${privilege} on ${kind} "${object}"`,
  ];
  if (explanation.paths.length > 0) {
    lines.push('', 'paths:');
    explanation.paths.forEach((path, index) =>
      lines.push(`  ${index + 1}. ${describePath(role, path, privilege)}`),
    );
  }
  if (explanation.columns.length > 0)
    lines.push(
      '',
      `columns: ${privilege} on ${explanation.columns.map((c) => `"${c}"`).join(', ')} only`,
    );
  const rls = explanation.row_security;
  if (rls !== null) {
    lines.push('', `row-level security: enabled${rls.forced ? ', FORCED' : ''}`);
    if (rls.bypass !== null)
      lines.push(
        `  rows are not filtered: "${role}" ${rls.bypass === 'superuser' ? 'is SUPERUSER' : rls.bypass === 'bypassrls' ? 'has BYPASSRLS' : "has the owner's privileges (not FORCED)"}`,
      );
    else if (rls.policies.length === 0)
      lines.push(
        `  no policy for ${privilege} applies to "${role}": it sees no rows (default deny)`,
      );
    else
      for (const policy of rls.policies)
        lines.push(
          `  policy "${policy.name}" (${policy.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'}, ${policy.command}, to ${policy.roles.map((r) => (r === 'PUBLIC' ? r : `"${r}"`)).join(', ')}) filters the rows`,
        );
  }
  if (explanation.missing.length > 0) {
    lines.push('', 'missing:');
    for (const item of explanation.missing) lines.push(`  - ${item.message}`);
  }
  if (explanation.future.length > 0) {
    lines.push('', 'future objects (default privileges):');
    for (const line of describeFuture(explanation.future)) lines.push(`  - ${line}`);
  }
  return lines.join('\n');
}

/** Privileges grouped by their sources: `SELECT, INSERT (readers); CONNECT (PUBLIC)`. */
export function formatPrivileges(privileges: readonly EffectivePrivilege[]): string {
  const groups = new Map<string, string[]>();
  for (const held of privileges) {
    const via = held.via.join(', ');
    const name =
      held.columns === undefined
        ? held.privilege
        : `${held.privilege} (${held.columns.join(', ')})`;
    groups.set(via, [...(groups.get(via) ?? []), name]);
  }
  return [...groups].map(([via, names]) => `${names.join(', ')} (via ${via})`).join('; ');
}

function objectLine(object: EffectiveObject): string {
  return `${object.kind} ${object.schema === null ? '' : `${object.schema}.`}${object.name}: ${formatPrivileges(object.privileges)}`;
}

/** `pgward explain ROLE` as text: by database, schema and object, compact. */
export function renderRoleAccessText(access: RoleAccess): string {
  const facts = [
    access.superuser ? 'SUPERUSER' : '',
    access.login ? 'LOGIN' : 'no LOGIN',
    access.inherits_from.length > 0
      ? `inherits from ${access.inherits_from.map((r) => `"${r}"`).join(', ')}`
      : 'inherits from no role',
    access.set_role_to.length > 0
      ? `can SET ROLE to ${access.set_role_to.map((r) => `"${r}"`).join(', ')} (not inherited)`
      : '',
  ].filter(Boolean);
  const lines = [`"${access.role}": ${facts.join('; ')}`];
  const current = access.databases.find((d) => d.name === access.database);
  lines.push(
    '',
    `database ${access.database}: ${current ? formatPrivileges(current.privileges) : 'nothing'}`,
  );
  for (const schema of access.schemas) {
    lines.push(
      `  schema ${schema.name}: ${schema.privileges.length > 0 ? formatPrivileges(schema.privileges) : 'no privilege on the schema itself'}`,
    );
    for (const all of schema.all)
      lines.push(`    all ${all.count} ${all.kind}s: ${formatPrivileges(all.privileges)}`);
    for (const object of schema.objects) lines.push(`    ${objectLine(object)}`);
  }
  for (const database of access.databases)
    if (database.name !== access.database)
      lines.push(`database ${database.name}: ${formatPrivileges(database.privileges)}`);
  if (access.future.length > 0) {
    lines.push('', 'future objects (default privileges):');
    for (const line of describeFuture(access.future)) lines.push(`  - ${line}`);
  }
  return lines.join('\n');
}
