/**
 * One-line, human summaries of operations and their terraform-style action. Names appear in
 * double quotes (JSON string escapes keep a name with a quote or a newline on one unambiguous
 * line). A password is only ever "(sensitive)".
 */
import { formatObjectName, kindLabel, type ObjectRef } from './objects.js';
import { PRIVILEGES, type ObjectKind, type Privilege } from './privileges.js';
import { nonDefaultAttributes, ROLE_ATTRIBUTES } from './role-attributes.js';
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

/** A name in double quotes, escaped (as JSON) so that it stays on one line. */
function oneLineQuoted(name: string): string {
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
      const details = describeAttributes(nonDefaultAttributes(op.attributes));
      if (op.password !== undefined) details.push('password (sensitive)');
      return `create role ${oneLineQuoted(op.role)}${parenthesized(details)}`;
    }
    case 'rename_role':
      return `rename role ${oneLineQuoted(op.from)} to ${oneLineQuoted(op.to)}`;
    case 'alter_role':
      return `alter role ${oneLineQuoted(op.role)}${parenthesized(describeAttributes(op.changes))}`;
    case 'set_password':
      return `set password of ${oneLineQuoted(op.role)} (sensitive)`;
    case 'comment_role':
      return op.comment === null
        ? `remove comment of role ${oneLineQuoted(op.role)}`
        : `set comment of role ${oneLineQuoted(op.role)} to ${oneLineQuoted(op.comment)}`;
    case 'set_role_config': {
      const where = op.database === undefined ? '' : ` in database ${oneLineQuoted(op.database)}`;
      return op.value === null
        ? `reset ${settingName(op.name)} for role ${oneLineQuoted(op.role)}${where}`
        : `set ${settingName(op.name)} to ${oneLineQuoted(op.value)} for role ${oneLineQuoted(op.role)}${where}`;
    }
    case 'grant_membership': {
      const options: string[] = [];
      if (op.admin) options.push('admin option');
      if (op.inherit !== undefined) options.push(op.inherit ? 'inherit' : 'noinherit');
      if (op.set !== undefined) options.push(op.set ? 'set' : 'noset');
      return `grant role ${oneLineQuoted(op.role)} to ${oneLineQuoted(op.member)}${parenthesized(options)}`;
    }
    case 'alter_membership': {
      const options: string[] = [];
      if (op.admin !== undefined) options.push(op.admin ? 'admin option' : 'no admin option');
      if (op.inherit !== undefined) options.push(op.inherit ? 'inherit' : 'noinherit');
      if (op.set !== undefined) options.push(op.set ? 'set' : 'noset');
      if (op.grantor !== undefined) options.push(`granted by ${oneLineQuoted(op.grantor)}`);
      return `alter membership of ${oneLineQuoted(op.member)} in role ${oneLineQuoted(op.role)}${parenthesized(options)}`;
    }
    case 'revoke_membership': {
      const grantor = op.grantor !== undefined ? [`granted by ${oneLineQuoted(op.grantor)}`] : [];
      return `revoke role ${oneLineQuoted(op.role)} from ${oneLineQuoted(op.member)}${parenthesized(grantor)}`;
    }
    case 'grant_privileges':
      return `grant ${privilegeText(op.privileges, op.columns)} on ${targetText(op.target)} to ${roleListText(op.grantees)}${op.withGrantOption ? ' with grant option' : ''}`;
    case 'revoke_privileges': {
      const asGrantor = op.asGrantor !== undefined ? ` as ${oneLineQuoted(op.asGrantor)}` : '';
      const cascade = op.cascade === true ? ['cascade to what they passed on'] : [];
      return `revoke ${op.grantOptionOnly ? 'grant option for ' : ''}${privilegeText(op.privileges, op.columns)} on ${targetText(op.target)} from ${roleListText(op.grantees)}${asGrantor}${parenthesized(cascade)}`;
    }
    case 'grant_default_privileges':
      return `grant ${privilegeText(op.privileges)} on ${futureObjectsText(op)} to ${roleListText(op.grantees)}${op.withGrantOption ? ' with grant option' : ''}`;
    case 'revoke_default_privileges':
      return `revoke ${op.grantOptionOnly ? 'grant option for ' : ''}${privilegeText(op.privileges)} on ${futureObjectsText(op)} from ${roleListText(op.grantees)}`;
    case 'alter_owner':
      return `change owner of ${kindLabel(op.object.kind)} ${oneLineQuoted(formatObjectName(op.object))} from ${oneLineQuoted(op.from)} to ${oneLineQuoted(op.owner)}`;
    case 'grant_public':
      return `grant ${privilegeText(op.privileges, op.columns)} on ${kindLabel(op.object.kind)} ${oneLineQuoted(formatObjectName(op.object))} to PUBLIC`;
    case 'revoke_public': {
      const asGrantor = op.asGrantor !== undefined ? ` as ${oneLineQuoted(op.asGrantor)}` : '';
      return `revoke ${privilegeText(op.privileges, op.columns)} on ${kindLabel(op.object.kind)} ${oneLineQuoted(formatObjectName(op.object))} from PUBLIC${asGrantor}`;
    }
    case 'set_row_security':
      return `set row-level security of table ${oneLineQuoted(formatObjectName(op.table))} to ${op.to}`;
    case 'create_policy': {
      const { policy } = op;
      const roles = policy.roles.length === 0 ? 'PUBLIC' : roleListText(policy.roles);
      return `create policy ${oneLineQuoted(policy.name)} on table ${oneLineQuoted(formatObjectName(policy.table))} (${policy.permissive ? 'permissive' : 'restrictive'}, for ${policy.command}, to ${roles})`;
    }
    case 'alter_policy': {
      const changes: string[] = [];
      if (op.roles !== undefined)
        changes.push(`roles ${op.roles.length === 0 ? 'PUBLIC' : roleListText(op.roles)}`);
      if (op.using !== undefined) changes.push(`using ${oneLineQuoted(op.using)}`);
      if (op.withCheck !== undefined) changes.push(`with check ${oneLineQuoted(op.withCheck)}`);
      return `alter policy ${oneLineQuoted(op.name)} on table ${oneLineQuoted(formatObjectName(op.table))}${parenthesized(changes)}`;
    }
    case 'drop_policy':
      return `drop policy ${oneLineQuoted(op.name)} on table ${oneLineQuoted(formatObjectName(op.table))}`;
    case 'reassign_owned':
      return `reassign objects owned by ${oneLineQuoted(op.role)} to ${oneLineQuoted(op.to)}`;
    case 'drop_owned':
      return `drop objects and privileges owned by ${oneLineQuoted(op.role)}`;
    case 'drop_role':
      return `drop role ${oneLineQuoted(op.role)}`;
    default:
      return assertNever(op);
  }
}

function parenthesized(details: readonly string[]): string {
  return details.length > 0 ? ` (${details.join(', ')})` : '';
}

function settingName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : oneLineQuoted(name);
}

/** Attributes in lower case, as CREATE ROLE spells them: `login, connection limit 5`. */
function describeAttributes(attributes: Partial<RoleAttributes>): string[] {
  const details: string[] = [];
  for (const row of ROLE_ATTRIBUTES) {
    switch (row.kind) {
      case 'flag': {
        const value = attributes[row.key];
        const word = row.keyword.toLowerCase();
        if (value !== undefined) details.push(value ? word : `no${word}`);
        break;
      }
      case 'connection_limit': {
        const limit = attributes[row.key];
        if (limit !== undefined)
          details.push(limit === -1 ? 'no connection limit' : `connection limit ${limit}`);
        break;
      }
      case 'valid_until': {
        const validUntil = attributes[row.key];
        if (validUntil !== undefined)
          details.push(validUntil === null ? 'no expiry' : `valid until ${validUntil}`);
        break;
      }
      default:
        assertNever(row);
    }
  }
  return details;
}

function privilegeText(privileges: readonly Privilege[], columns?: readonly string[]): string {
  const wanted = new Set(privileges);
  const names = PRIVILEGES.filter((privilege) => wanted.has(privilege)).join(', ');
  return columns === undefined ? names : `${names} (${columns.map(oneLineQuoted).join(', ')})`;
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
  if (target.scope === 'all_in_schema')
    return `all ${plural} in schema ${oneLineQuoted(target.schema)}`;
  const [first, ...rest] = target.objects;
  if (first !== undefined && rest.length === 0) return `${singular} ${objectText(first)}`;
  const schemas = new Set(target.objects.map((object) => object.schema));
  const [schema] = schemas;
  const inSchema =
    schemas.size === 1 && typeof schema === 'string' ? ` in schema ${oneLineQuoted(schema)}` : '';
  return `${target.objects.length} ${plural}${inSchema}`;
}

function objectText(object: ObjectRef): string {
  return oneLineQuoted(formatObjectName(object));
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
      ? ` in schema ${oneLineQuoted(op.schema)}`
      : op.objectType === 'schema'
        ? ''
        : ' in any schema';
  return `future ${DEFAULT_PRIVILEGE_NOUN[op.objectType]} created by ${oneLineQuoted(op.forRole)}${where}`;
}

function roleListText(roles: readonly string[]): string {
  return roles.map(oneLineQuoted).join(', ');
}
