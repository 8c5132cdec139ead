/**
 * One-line, human summaries of operations and their terraform-style action. Names appear in
 * double quotes (JSON string escapes keep a name with a quote or a newline on one unambiguous
 * line). A password is only ever "(sensitive)".
 */
import { formatObjectName, kindLabel, type ObjectRef } from './objects.js';
import { PRIVILEGES, type ObjectKind, type Privilege } from './privileges.js';
import type { RoleAttributes } from './state.js';
import { assertNever, type Action, type GrantTarget, type Operation } from './operations.js';

/** create_role and grants add (+), changes to existing roles update (~), revokes and drops delete (-). */
export function actionOf(op: Operation): Action {
  switch (op.type) {
    case 'create_role':
    case 'create_policy':
    case 'grant_public':
    case 'grant_membership':
    case 'grant_privileges':
    case 'grant_default_privileges':
      return 'create';
    case 'rename_role':
    case 'alter_owner':
    case 'set_row_security':
    case 'alter_policy':
    case 'alter_role':
    case 'set_password':
    case 'comment_role':
    case 'set_role_config':
    case 'alter_membership':
      return 'update';
    case 'revoke_membership':
    case 'drop_policy':
    case 'revoke_public':
    case 'revoke_privileges':
    case 'revoke_default_privileges':
    case 'reassign_owned':
    case 'drop_owned':
    case 'drop_role':
      return 'delete';
    default:
      return assertNever(op);
  }
}

/** A name in double quotes, escaped so that it stays on one line. */
export function quoted(name: string): string {
  return JSON.stringify(name);
}

/**
 * A one-line summary of an operation.
 *
 * @example
 * summarizeOperation({ type: 'drop_role', role: 'bob' }) // => 'drop role "bob"'
 */
export function summarizeOperation(op: Operation): string {
  switch (op.type) {
    case 'create_role': {
      const details = describeAttributes(op.attributes, { onlyNonDefault: true });
      if (op.password !== undefined) details.push('password (sensitive)');
      return `create role ${quoted(op.role)}${parenthesized(details)}`;
    }
    case 'rename_role':
      return `rename role ${quoted(op.from)} to ${quoted(op.to)}`;
    case 'alter_role':
      return `alter role ${quoted(op.role)}${parenthesized(describeAttributes(op.changes))}`;
    case 'set_password':
      return `set password of ${quoted(op.role)} (sensitive)`;
    case 'comment_role':
      return op.comment === null
        ? `remove comment of role ${quoted(op.role)}`
        : `set comment of role ${quoted(op.role)} to ${quoted(op.comment)}`;
    case 'set_role_config': {
      const where = op.database === undefined ? '' : ` in database ${quoted(op.database)}`;
      return op.value === null
        ? `reset ${settingName(op.name)} for role ${quoted(op.role)}${where}`
        : `set ${settingName(op.name)} to ${quoted(op.value)} for role ${quoted(op.role)}${where}`;
    }
    case 'grant_membership': {
      const options: string[] = [];
      if (op.admin) options.push('admin option');
      if (op.inherit !== undefined) options.push(op.inherit ? 'inherit' : 'noinherit');
      if (op.set !== undefined) options.push(op.set ? 'set' : 'noset');
      return `grant role ${quoted(op.role)} to ${quoted(op.member)}${parenthesized(options)}`;
    }
    case 'alter_membership': {
      const options: string[] = [];
      if (op.admin !== undefined) options.push(op.admin ? 'admin option' : 'no admin option');
      if (op.inherit !== undefined) options.push(op.inherit ? 'inherit' : 'noinherit');
      if (op.set !== undefined) options.push(op.set ? 'set' : 'noset');
      if (op.grantor !== undefined) options.push(`granted by ${quoted(op.grantor)}`);
      return `alter membership of ${quoted(op.member)} in role ${quoted(op.role)}${parenthesized(options)}`;
    }
    case 'revoke_membership': {
      const grantor = op.grantor !== undefined ? [`granted by ${quoted(op.grantor)}`] : [];
      return `revoke role ${quoted(op.role)} from ${quoted(op.member)}${parenthesized(grantor)}`;
    }
    case 'grant_privileges':
      return `grant ${privilegeText(op.privileges, op.columns)} on ${targetText(op.target)} to ${roleListText(op.grantees)}${op.withGrantOption ? ' with grant option' : ''}`;
    case 'revoke_privileges': {
      const asGrantor = op.asGrantor !== undefined ? ` as ${quoted(op.asGrantor)}` : '';
      const cascade = op.cascade === true ? ['cascade to what they passed on'] : [];
      return `revoke ${op.grantOptionOnly ? 'grant option for ' : ''}${privilegeText(op.privileges, op.columns)} on ${targetText(op.target)} from ${roleListText(op.grantees)}${asGrantor}${parenthesized(cascade)}`;
    }
    case 'grant_default_privileges':
      return `grant ${privilegeText(op.privileges)} on ${futureObjectsText(op)} to ${roleListText(op.grantees)}${op.withGrantOption ? ' with grant option' : ''}`;
    case 'revoke_default_privileges':
      return `revoke ${op.grantOptionOnly ? 'grant option for ' : ''}${privilegeText(op.privileges)} on ${futureObjectsText(op)} from ${roleListText(op.grantees)}`;
    case 'alter_owner':
      return `change owner of ${kindLabel(op.object.kind)} ${quoted(formatObjectName(op.object))} from ${quoted(op.from)} to ${quoted(op.owner)}`;
    case 'grant_public':
      return `grant ${privilegeText(op.privileges, op.columns)} on ${kindLabel(op.object.kind)} ${quoted(formatObjectName(op.object))} to PUBLIC`;
    case 'revoke_public': {
      const asGrantor = op.asGrantor !== undefined ? ` as ${quoted(op.asGrantor)}` : '';
      return `revoke ${privilegeText(op.privileges, op.columns)} on ${kindLabel(op.object.kind)} ${quoted(formatObjectName(op.object))} from PUBLIC${asGrantor}`;
    }
    case 'set_row_security':
      return `set row-level security of table ${quoted(formatObjectName(op.table))} to ${op.to}`;
    case 'create_policy': {
      const { policy } = op;
      const roles = policy.roles.length === 0 ? 'PUBLIC' : roleListText(policy.roles);
      return `create policy ${quoted(policy.name)} on table ${quoted(formatObjectName(policy.table))} (${policy.permissive ? 'permissive' : 'restrictive'}, for ${policy.command}, to ${roles})`;
    }
    case 'alter_policy': {
      const changes: string[] = [];
      if (op.roles !== undefined)
        changes.push(`roles ${op.roles.length === 0 ? 'PUBLIC' : roleListText(op.roles)}`);
      if (op.using !== undefined) changes.push(`using ${quoted(op.using)}`);
      if (op.withCheck !== undefined) changes.push(`with check ${quoted(op.withCheck)}`);
      return `alter policy ${quoted(op.name)} on table ${quoted(formatObjectName(op.table))}${parenthesized(changes)}`;
    }
    case 'drop_policy':
      return `drop policy ${quoted(op.name)} on table ${quoted(formatObjectName(op.table))}`;
    case 'reassign_owned':
      return `reassign objects owned by ${quoted(op.role)} to ${quoted(op.to)}`;
    case 'drop_owned':
      return `drop objects and privileges owned by ${quoted(op.role)}`;
    case 'drop_role':
      return `drop role ${quoted(op.role)}`;
    default:
      return assertNever(op);
  }
}

function parenthesized(details: readonly string[]): string {
  return details.length > 0 ? ` (${details.join(', ')})` : '';
}

function settingName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : quoted(name);
}

/** Attributes in lower case, as CREATE ROLE spells them: `login, connection limit 5`. */
function describeAttributes(
  attributes: Partial<RoleAttributes>,
  options: { onlyNonDefault?: boolean } = {},
): string[] {
  const details: string[] = [];
  const flag = (value: boolean | undefined, word: string, defaultValue: boolean): void => {
    if (value === undefined || (options.onlyNonDefault && value === defaultValue)) return;
    details.push(value ? word : `no${word}`);
  };
  flag(attributes.login, 'login', false);
  flag(attributes.superuser, 'superuser', false);
  flag(attributes.createdb, 'createdb', false);
  flag(attributes.createrole, 'createrole', false);
  flag(attributes.inherit, 'inherit', true);
  flag(attributes.replication, 'replication', false);
  flag(attributes.bypassrls, 'bypassrls', false);
  const limit = attributes.connectionLimit;
  if (limit !== undefined && !(options.onlyNonDefault && limit === -1))
    details.push(limit === -1 ? 'no connection limit' : `connection limit ${limit}`);
  const validUntil = attributes.validUntil;
  if (validUntil !== undefined && !(options.onlyNonDefault && validUntil === null))
    details.push(validUntil === null ? 'no expiry' : `valid until ${validUntil}`);
  return details;
}

function privilegeText(privileges: readonly Privilege[], columns?: readonly string[]): string {
  const wanted = new Set(privileges);
  const names = PRIVILEGES.filter((privilege) => wanted.has(privilege)).join(', ');
  return columns === undefined ? names : `${names} (${columns.map(quoted).join(', ')})`;
}

const KIND_NOUN: Readonly<Record<ObjectKind, readonly [string, string]>> = {
  database: ['database', 'databases'],
  schema: ['schema', 'schemas'],
  table: ['table', 'tables'],
  sequence: ['sequence', 'sequences'],
  function: ['function', 'functions'],
  procedure: ['procedure', 'procedures'],
  routine: ['routine', 'routines'],
  type: ['type', 'types'],
  domain: ['domain', 'domains'],
  language: ['language', 'languages'],
  foreign_data_wrapper: ['foreign data wrapper', 'foreign data wrappers'],
  foreign_server: ['foreign server', 'foreign servers'],
  tablespace: ['tablespace', 'tablespaces'],
  parameter: ['parameter', 'parameters'],
  large_object: ['large object', 'large objects'],
};

/** One object by name; several by count, with their schema when they share one. */
function targetText(target: GrantTarget): string {
  const [singular, plural] = KIND_NOUN[target.kind];
  if (target.scope === 'all_in_schema') return `all ${plural} in schema ${quoted(target.schema)}`;
  const [first, ...rest] = target.objects;
  if (first !== undefined && rest.length === 0) return `${singular} ${objectText(first)}`;
  const schemas = new Set(target.objects.map((object) => object.schema));
  const [schema] = schemas;
  const inSchema =
    schemas.size === 1 && typeof schema === 'string' ? ` in schema ${quoted(schema)}` : '';
  return `${target.objects.length} ${plural}${inSchema}`;
}

function objectText(object: ObjectRef): string {
  return quoted(formatObjectName(object));
}

const DEFAULT_PRIVILEGE_NOUN = {
  table: 'tables',
  sequence: 'sequences',
  function: 'functions',
  type: 'types',
  schema: 'schemas',
} as const;

function futureObjectsText(
  op: Extract<Operation, { type: 'grant_default_privileges' | 'revoke_default_privileges' }>,
): string {
  const where =
    op.schema !== null
      ? ` in schema ${quoted(op.schema)}`
      : op.objectType === 'schema'
        ? ''
        : ' in any schema';
  return `future ${DEFAULT_PRIVILEGE_NOUN[op.objectType]} created by ${quoted(op.forRole)}${where}`;
}

function roleListText(roles: readonly string[]): string {
  return roles.map(quoted).join(', ');
}
