/**
 * Operation → SQL. Pure: the same operation and server version always give the same
 * statements. Names enter only through `quoteIdent` / `sqlObjectName`, values through
 * `quoteLiteral`, keywords only from the closed sets of `model/privileges.ts`. Statements carry
 * no trailing semicolon; the executor sends them one by one, `report/sql.ts` adds `;`.
 */
import type { ObjectRef } from '../model/objects.js';
import {
  ALL_IN_SCHEMA_KEYWORD,
  DEFAULT_PRIVILEGE_KEYWORD,
  GRANT_ON_KEYWORD,
  PRIVILEGES,
  type AllInSchemaKind,
  type Privilege,
} from '../model/privileges.js';
import { nonDefaultAttributes, ROLE_ATTRIBUTES } from '../model/role-attributes.js';
import type { RoleAttributes } from '../model/state.js';
import { assertNever, type GrantTarget, type Operation } from '../model/operations.js';
import { expressionProblem } from './expression.js';
import { quoteIdent, quoteLiteral, sqlObjectName } from './quote.js';
import { isCatalogArgumentList } from './routine-args.js';
import { renderSettingValue } from './setting-value.js';
import { firstMajorWith, hasMembershipGrantors, hasMembershipOptions } from '../model/versions.js';

/** Returns the SCRAM verifier to send as a role's password (never the plaintext). */
export type SecretResolver = (role: string) => string;

/**
 * Display form of a password. Deliberately not valid SQL: a plan copied into psql fails
 * instead of setting a password to a placeholder.
 */
export const SENSITIVE_PASSWORD = '(sensitive)';

/**
 * The SQL statements of one operation, in execution order, without trailing semicolons.
 *
 * @param serverVersionNum `server_version_num` of the target server (e.g. 160004): membership
 *   syntax differs before and from PostgreSQL 16.
 * @param secrets Gives the SCRAM verifier for a role's password; without it passwords render
 *   as `PASSWORD (sensitive)` (the display form of plans and reports).
 *
 * @example
 * renderOperation({ type: 'drop_role', role: 'bob' }, 160004) // => ['DROP ROLE "bob"']
 */
export function renderOperation(
  op: Operation,
  serverVersionNum: number,
  secrets?: SecretResolver,
  listing?: SchemaListing,
): string[] {
  const password = (role: string): string =>
    `PASSWORD ${secrets ? quoteLiteral(secrets(role)) : SENSITIVE_PASSWORD}`;
  switch (op.type) {
    case 'create_role': {
      const options = createRoleOptions(op.attributes);
      if (op.password !== undefined) options.push(password(op.role));
      const withOptions = options.length > 0 ? ` WITH ${options.join(' ')}` : '';
      return [`CREATE ROLE ${quoteIdent(op.role)}${withOptions}`];
    }
    case 'rename_role':
      return [`ALTER ROLE ${quoteIdent(op.from)} RENAME TO ${quoteIdent(op.to)}`];
    case 'alter_role': {
      const options = roleOptions(op.changes);
      if (options.length === 0) throw new Error(`alter_role of "${op.role}" changes nothing`);
      return [`ALTER ROLE ${quoteIdent(op.role)} WITH ${options.join(' ')}`];
    }
    case 'set_password':
      return [`ALTER ROLE ${quoteIdent(op.role)} ${password(op.role)}`];
    case 'comment_role':
      return [
        `COMMENT ON ROLE ${quoteIdent(op.role)} IS ${op.comment === null ? 'NULL' : quoteLiteral(op.comment)}`,
      ];
    case 'set_role_config': {
      // The setting name as one quoted identifier: PostgreSQL folds setting names to lower
      // case either way and accepts a custom `"myapp.flag"` as one name.
      const role =
        op.database === undefined
          ? quoteIdent(op.role)
          : `${quoteIdent(op.role)} IN DATABASE ${quoteIdent(op.database)}`;
      return op.value === null
        ? [`ALTER ROLE ${role} RESET ${quoteIdent(op.name)}`]
        : [
            `ALTER ROLE ${role} SET ${quoteIdent(op.name)} TO ${renderSettingValue(op.name, op.value)}`,
          ];
    }
    case 'grant_membership':
      return [renderGrantMembership(op, serverVersionNum)];
    case 'alter_membership':
      return renderAlterMembership(op, serverVersionNum);
    case 'revoke_membership': {
      // Before 16 a membership is one row and REVOKE needs no grantor; from 16 each grantor
      // has its own row and REVOKE without GRANTED BY only removes the current user's.
      const grantedBy =
        op.grantor !== undefined && hasMembershipGrantors(serverVersionNum)
          ? ` GRANTED BY ${quoteIdent(op.grantor)}`
          : '';
      return [`REVOKE ${quoteIdent(op.role)} FROM ${quoteIdent(op.member)}${grantedBy}`];
    }
    case 'grant_privileges':
      return [
        `GRANT ${privilegeList(op.privileges, op.columns)} ON ${grantTarget(listed(op.target, listing), op.columns)} TO ${roleList(op.grantees)}${op.withGrantOption ? ' WITH GRANT OPTION' : ''}`,
      ];
    case 'revoke_privileges': {
      const revoke = `REVOKE ${op.grantOptionOnly ? 'GRANT OPTION FOR ' : ''}${privilegeList(op.privileges, op.columns)} ON ${grantTarget(listed(op.target, listing), op.columns)} FROM ${roleList(op.grantees)}${op.cascade === true ? ' CASCADE' : ''}`;
      // Only a privilege's grantor can revoke it, and `GRANTED BY` must name the current user:
      // the statement runs as the grantor. RESET ROLE goes back to the session's role (the
      // one pgward connected as); a failed statement rolls the SET back with the transaction.
      return op.asGrantor === undefined
        ? [revoke]
        : [`SET ROLE ${quoteIdent(op.asGrantor)}`, revoke, 'RESET ROLE'];
    }
    case 'grant_default_privileges':
      return [
        `${defaultPrivilegesPrefix(op.forRole, op.schema)} GRANT ${privilegeList(op.privileges)} ON ${defaultPrivilegeKeyword(op.objectType)} TO ${roleList(op.grantees)}${op.withGrantOption ? ' WITH GRANT OPTION' : ''}`,
      ];
    case 'revoke_default_privileges':
      return [
        `${defaultPrivilegesPrefix(op.forRole, op.schema)} REVOKE ${op.grantOptionOnly ? 'GRANT OPTION FOR ' : ''}${privilegeList(op.privileges)} ON ${defaultPrivilegeKeyword(op.objectType)} FROM ${roleList(op.grantees)}`,
      ];
    case 'alter_owner':
      return [
        `ALTER ${alterOwnerKeyword(op.object.kind, op.relkind)} ${objectName(op.object, op.object.kind)} OWNER TO ${quoteIdent(op.owner)}`,
      ];
    case 'grant_public': {
      const target: GrantTarget = { scope: 'objects', kind: op.object.kind, objects: [op.object] };
      return [
        `GRANT ${privilegeList(op.privileges, op.columns)} ON ${grantTarget(target, op.columns)} TO PUBLIC`,
      ];
    }
    case 'revoke_public': {
      const target: GrantTarget = { scope: 'objects', kind: op.object.kind, objects: [op.object] };
      const revoke = `REVOKE ${privilegeList(op.privileges, op.columns)} ON ${grantTarget(target, op.columns)} FROM PUBLIC`;
      return op.asGrantor === undefined
        ? [revoke]
        : [`SET ROLE ${quoteIdent(op.asGrantor)}`, revoke, 'RESET ROLE'];
    }
    case 'set_row_security':
      return renderRowSecurity(op.table, op.enable, op.force);
    case 'create_policy': {
      const { policy } = op;
      const clauses = [
        `CREATE POLICY ${quoteIdent(policy.name)} ON ${tableName(policy.table)}`,
        `AS ${policy.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'}`,
        `FOR ${keywordOf(POLICY_COMMAND_KEYWORD, policy.command)}`,
        `TO ${policyRoles(policy.roles)}`,
      ];
      if (policy.using !== null) clauses.push(`USING ${policyExpression(policy.using)}`);
      if (policy.withCheck !== null)
        clauses.push(`WITH CHECK ${policyExpression(policy.withCheck)}`);
      return [clauses.join(' ')];
    }
    case 'alter_policy': {
      const clauses = [`ALTER POLICY ${quoteIdent(op.name)} ON ${tableName(op.table)}`];
      if (op.roles !== undefined) clauses.push(`TO ${policyRoles(op.roles)}`);
      if (op.using !== undefined) clauses.push(`USING ${policyExpression(op.using)}`);
      if (op.withCheck !== undefined) clauses.push(`WITH CHECK ${policyExpression(op.withCheck)}`);
      if (clauses.length === 1) throw new Error(`alter_policy of "${op.name}" changes nothing`);
      return [clauses.join(' ')];
    }
    case 'drop_policy':
      return [`DROP POLICY ${quoteIdent(op.name)} ON ${tableName(op.table)}`];
    case 'reassign_owned':
      return [`REASSIGN OWNED BY ${quoteIdent(op.role)} TO ${quoteIdent(op.to)}`];
    case 'drop_owned':
      return [`DROP OWNED BY ${quoteIdent(op.role)}`];
    case 'drop_role':
      return [`DROP ROLE ${quoteIdent(op.role)}`];
    default:
      return assertNever(op);
  }
}

/** Role options in the order of the attribute table (`model/role-attributes.ts`). */
function roleOptions(attributes: Partial<RoleAttributes>): string[] {
  const options: string[] = [];
  for (const row of ROLE_ATTRIBUTES) {
    switch (row.kind) {
      case 'flag': {
        const value = attributes[row.key];
        if (value !== undefined) options.push(value ? row.keyword : `NO${row.keyword}`);
        break;
      }
      case 'connection_limit': {
        const limit = attributes[row.key];
        if (limit === undefined) break;
        if (!Number.isSafeInteger(limit) || limit < -1)
          throw new Error(`invalid connection limit ${String(limit)}`);
        options.push(`${row.keyword} ${limit}`);
        break;
      }
      case 'valid_until': {
        const validUntil = attributes[row.key];
        // A role's expiry cannot be set back to NULL; 'infinity' means "never" and introspects
        // the same way.
        if (validUntil !== undefined)
          options.push(`${row.keyword} ${quoteLiteral(validUntil ?? 'infinity')}`);
        break;
      }
      default:
        assertNever(row);
    }
  }
  return options;
}

/** Only the attributes that differ from what `CREATE ROLE name` gives. */
function createRoleOptions(attributes: RoleAttributes): string[] {
  return roleOptions(nonDefaultAttributes(attributes));
}

type MembershipOp = Extract<Operation, { type: 'grant_membership' | 'alter_membership' }>;

function requireMembershipOptionsSupport(op: MembershipOp, serverVersionNum: number): void {
  if (
    !hasMembershipOptions(serverVersionNum) &&
    (op.inherit !== undefined || op.set !== undefined)
  ) {
    throw new Error(
      `membership of "${op.member}" in "${op.role}": INHERIT and SET options need PostgreSQL ${firstMajorWith('membershipOptions')} or later`,
    );
  }
}

function renderGrantMembership(
  op: Extract<Operation, { type: 'grant_membership' }>,
  serverVersionNum: number,
): string {
  requireMembershipOptionsSupport(op, serverVersionNum);
  const grant = `GRANT ${quoteIdent(op.role)} TO ${quoteIdent(op.member)}`;
  if (!hasMembershipOptions(serverVersionNum)) {
    return op.admin ? `${grant} WITH ADMIN OPTION` : grant;
  }
  const options = membershipOptions({
    ...(op.admin && { admin: true }),
    ...(op.inherit !== undefined && { inherit: op.inherit }),
    ...(op.set !== undefined && { set: op.set }),
  });
  return options.length > 0 ? `${grant} WITH ${options.join(', ')}` : grant;
}

function membershipOptions(options: { admin?: boolean; inherit?: boolean; set?: boolean }) {
  const rendered: string[] = [];
  if (options.admin !== undefined) rendered.push(`ADMIN ${options.admin ? 'TRUE' : 'FALSE'}`);
  if (options.inherit !== undefined) rendered.push(`INHERIT ${options.inherit ? 'TRUE' : 'FALSE'}`);
  if (options.set !== undefined) rendered.push(`SET ${options.set ? 'TRUE' : 'FALSE'}`);
  return rendered;
}

/**
 * Changes options of an existing membership in place. Options turned on go through GRANT,
 * options turned off through `REVOKE <option> OPTION FOR`: checked on PostgreSQL 16-18, both
 * update the existing pg_auth_members row rather than adding one, and REVOKE needs only the
 * grantor's privileges, not that the grantor still holds ADMIN on the role. From 16 one row
 * exists per grantor, so GRANTED BY names the row to change.
 */
function renderAlterMembership(
  op: Extract<Operation, { type: 'alter_membership' }>,
  serverVersionNum: number,
): string[] {
  requireMembershipOptionsSupport(op, serverVersionNum);
  const role = quoteIdent(op.role);
  const member = quoteIdent(op.member);
  const statements: string[] = [];
  if (!hasMembershipOptions(serverVersionNum)) {
    if (op.admin === true) statements.push(`GRANT ${role} TO ${member} WITH ADMIN OPTION`);
    if (op.admin === false) statements.push(`REVOKE ADMIN OPTION FOR ${role} FROM ${member}`);
  } else {
    const grantedBy = op.grantor !== undefined ? ` GRANTED BY ${quoteIdent(op.grantor)}` : '';
    const turnedOn = membershipOptions({
      ...(op.admin === true && { admin: true }),
      ...(op.inherit === true && { inherit: true }),
      ...(op.set === true && { set: true }),
    });
    if (turnedOn.length > 0)
      statements.push(`GRANT ${role} TO ${member} WITH ${turnedOn.join(', ')}${grantedBy}`);
    const turnedOff: [boolean | undefined, string][] = [
      [op.admin, 'ADMIN'],
      [op.inherit, 'INHERIT'],
      [op.set, 'SET'],
    ];
    for (const [value, keyword] of turnedOff) {
      if (value === false)
        statements.push(`REVOKE ${keyword} OPTION FOR ${role} FROM ${member}${grantedBy}`);
    }
  }
  if (statements.length === 0)
    throw new Error(`alter_membership of "${op.member}" in "${op.role}" changes nothing`);
  return statements;
}

/**
 * `SELECT, INSERT` or, for columns, `SELECT ("a", "b"), UPDATE ("a", "b")`. Privileges come
 * out in the canonical order of PRIVILEGES, whatever order they came in, and only as members
 * of that closed set.
 */
function privilegeList(privileges: readonly Privilege[], columns?: readonly string[]): string {
  const wanted = new Set<string>(privileges);
  const keywords: string[] = PRIVILEGES.filter((privilege) => wanted.has(privilege));
  if (keywords.length === 0 || keywords.length !== wanted.size)
    throw new Error(`invalid privilege list: ${JSON.stringify(privileges)}`);
  if (columns === undefined) return keywords.join(', ');
  if (columns.length === 0) throw new Error('column privileges without columns');
  const columnList = `(${columns.map(quoteIdent).join(', ')})`;
  return keywords.map((keyword) => `${keyword} ${columnList}`).join(', ');
}

/**
 * What an `ALL TABLES` or `ALL SEQUENCES IN SCHEMA` target stands for when a plan runs: the
 * objects of that kind the plan found there, or undefined to keep the keyword. See listed().
 */
export type SchemaListing = (
  kind: AllInSchemaKind,
  schema: string,
) => readonly ObjectRef[] | undefined;

/**
 * The target as it runs: `ALL TABLES/SEQUENCES IN SCHEMA s` becomes the list of the objects
 * it stands for. PostgreSQL resolves `ALL ... IN SCHEMA` by scanning the whole of pg_class,
 * once per statement, slower as the transaction leaves dead row versions behind (~60 ms a
 * statement at 40,000 tables, most of a large apply's time); a list of names goes through
 * pg_class's name index (issue 13). The plan still shows, and plan files still hold, the
 * keyword form; what runs grants and revokes exactly the same privileges, on the objects
 * the plan was made from, under the apply lock (a table created meanwhile is then missing
 * its grant, which the convergence check finds: the apply is rolled back, as for any change
 * made during it). Functions keep the keyword: pg_proc is small.
 */
function listed(target: GrantTarget, listing: SchemaListing | undefined): GrantTarget {
  if (target.scope !== 'all_in_schema' || listing === undefined) return target;
  if (target.kind !== 'table' && target.kind !== 'sequence') return target;
  const objects = listing(target.kind, target.schema);
  return objects === undefined || objects.length === 0
    ? target
    : { scope: 'objects', kind: target.kind, objects };
}

function grantTarget(target: GrantTarget, columns?: readonly string[]): string {
  if (target.scope === 'all_in_schema') {
    if (columns !== undefined) throw new Error('column privileges need one table, not ALL TABLES');
    const keyword = keywordOf(ALL_IN_SCHEMA_KEYWORD, target.kind);
    return `${keyword} IN SCHEMA ${quoteIdent(target.schema)}`;
  }
  if (target.objects.length === 0) throw new Error('GRANT/REVOKE without objects');
  if (columns !== undefined && (target.kind !== 'table' || target.objects.length !== 1))
    throw new Error('column privileges need exactly one table');
  const keyword = keywordOf(GRANT_ON_KEYWORD, target.kind);
  return `${keyword} ${target.objects.map((object) => objectName(object, target.kind)).join(', ')}`;
}

function objectName(object: ObjectRef, kind: string): string {
  if (object.kind !== kind)
    throw new Error(`${object.kind} "${object.name}" listed in a GRANT ON ${kind}`);
  if (object.args !== undefined && !isCatalogArgumentList(object.args))
    throw new Error(`argument list of routine "${object.name}" is not the catalog's spelling`);
  return sqlObjectName(object);
}

/** `ALTER <keyword> ... OWNER TO` per kind; a table's relkind picks VIEW, MATERIALIZED VIEW, ... */
const ALTER_OWNER_KEYWORD: Readonly<Record<string, string>> = {
  database: 'DATABASE',
  schema: 'SCHEMA',
  sequence: 'SEQUENCE',
  function: 'FUNCTION',
  procedure: 'PROCEDURE',
  type: 'TYPE',
  domain: 'DOMAIN',
};
const ALTER_OWNER_RELKIND_KEYWORD: Readonly<Record<string, string>> = {
  r: 'TABLE',
  p: 'TABLE',
  v: 'VIEW',
  m: 'MATERIALIZED VIEW',
  f: 'FOREIGN TABLE',
};

function alterOwnerKeyword(kind: string, relkind: string | undefined): string {
  return kind === 'table'
    ? keywordOf(ALTER_OWNER_RELKIND_KEYWORD, relkind ?? 'r')
    : keywordOf(ALTER_OWNER_KEYWORD, kind);
}

const POLICY_COMMAND_KEYWORD: Readonly<Record<string, string>> = {
  all: 'ALL',
  select: 'SELECT',
  insert: 'INSERT',
  update: 'UPDATE',
  delete: 'DELETE',
};

function tableName(table: ObjectRef): string {
  if (table.kind !== 'table')
    throw new Error(`row-level security on ${table.kind} "${table.name}"`);
  return sqlObjectName(table);
}

/** Policy roles: PUBLIC (a keyword, no role) when none are listed. */
function policyRoles(roles: readonly string[]): string {
  return roles.length === 0 ? 'PUBLIC' : roles.map(quoteIdent).join(', ');
}

/** One expression, parenthesized, once checked to be no more than one (sql/expression.ts). */
function policyExpression(text: string): string {
  const problem = expressionProblem(text);
  if (problem !== null) throw new Error(`policy expression ${problem}: ${JSON.stringify(text)}`);
  return `(${text})`;
}

/** ENABLE/DISABLE and FORCE/NO FORCE, for the flags that change. */
function renderRowSecurity(
  table: ObjectRef,
  enable: boolean | undefined,
  force: boolean | undefined,
): string[] {
  const statements: string[] = [];
  const alter = `ALTER TABLE ${tableName(table)}`;
  if (enable !== undefined)
    statements.push(`${alter} ${enable ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`);
  if (force !== undefined)
    statements.push(`${alter} ${force ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY`);
  if (statements.length === 0)
    throw new Error(`set_row_security of "${table.name}" changes nothing`);
  return statements;
}

function defaultPrivilegesPrefix(forRole: string, schema: string | null): string {
  const inSchema = schema === null ? '' : ` IN SCHEMA ${quoteIdent(schema)}`;
  return `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(forRole)}${inSchema}`;
}

function defaultPrivilegeKeyword(objectType: string): string {
  return keywordOf(DEFAULT_PRIVILEGE_KEYWORD, objectType);
}

function roleList(roles: readonly string[]): string {
  if (roles.length === 0) throw new Error('GRANT/REVOKE without grantees');
  return roles.map(quoteIdent).join(', ');
}

/** A keyword from a closed table; an unknown key (from an edited plan file) is an error. */
function keywordOf(table: Readonly<Record<string, string>>, key: string): string {
  if (!Object.hasOwn(table, key)) throw new Error(`unknown object type "${key}"`);
  return table[key] as string;
}
