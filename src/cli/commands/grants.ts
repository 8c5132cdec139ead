/**
 * `pgward grants ROLE`: the privileges a role holds directly (spec §3): on databases and
 * schemas, and on tables, sequences and routines, its own objects included. Privileges that
 * come from PUBLIC or from memberships are not the role's own and are not listed; with
 * `--effective`, they are: everything the role can use (explain's answer, explain/role.ts),
 * each privilege with where it comes from.
 */
import { readExplainContext } from '../../api/explain.js';
import { listRoleGrants, listRoleScopeGrants } from '../../api/privileges.js';
import { roleExists } from '../../api/roles.js';
import { sortedPrivileges } from '../../model/order.js';
import { effectiveObjects } from '../../explain/role.js';
import { formatPrivileges } from '../../explain/text.js';
import type { Privilege } from '../../model/privileges.js';
import type { Session } from '../../api/session.js';
import type { CommandContext } from '../command.js';
import { defineCommand } from '../command.js';
import {
  json,
  LIST_FORMATS,
  printable,
  RoleCommandError,
  textTable,
  withSession,
} from './role-admin.js';

/** Rows of (object, privilege) as one line per object, privileges in the documentation's order. */
function perObject(rows: readonly { object: string; privilege: Privilege }[]): string[][] {
  const privileges = new Map<string, Privilege[]>();
  for (const { object, privilege } of rows)
    privileges.set(object, [...(privileges.get(object) ?? []), privilege]);
  return [...privileges].map(([object, held]) => [object, sortedPrivileges(held).join(', ')]);
}

export const grantsCommand = defineCommand({
  command: 'grants <role>',
  describe: 'List the privileges a role holds directly (not through PUBLIC or memberships)',
  examples: [
    [
      '$0 grants appuser',
      'databases, schemas, tables, sequences and routines appuser holds privileges on',
    ],
    ['$0 grants appuser --format json', 'the same as JSON, for scripts'],
    [
      '$0 grants appuser --effective',
      'what appuser can use: also through memberships, PUBLIC, ownership and predefined roles',
    ],
  ],
  // It reads no config: -c is not its own.
  builder: (yargs) =>
    yargs
      .hide('config')
      .positional('role', { type: 'string', demandOption: true, describe: 'The role' })
      .option('format', {
        choices: LIST_FORMATS,
        default: 'text' as const,
        describe: 'How to print the privileges',
      })
      .option('effective', {
        type: 'boolean',
        default: false,
        describe: 'List what the role can use, not only what it holds directly',
      }),
  run: async (args, context) =>
    withSession(args, context, async (session) => {
      const role = String(args.role);
      if (!(await roleExists(session, role)))
        throw new RoleCommandError(`role "${printable(role)}" does not exist`);
      if (args.effective) return effectiveGrants(session, role, args.format, context);
      const scopes = await listRoleScopeGrants(session, role);
      const objects = await listRoleGrants(session, role);
      if (args.format === 'json') {
        const of = (type: 'database' | 'schema') =>
          scopes
            .filter((grant) => grant.object_type === type)
            .map((grant) => ({ name: grant.object_name, privilege: grant.privilege }));
        context.out(json({ role, databases: of('database'), schemas: of('schema'), objects }));
        return 0;
      }
      const rows = perObject([
        ...scopes.map((grant) => ({
          object: `${grant.object_type} ${printable(grant.object_name)}`,
          privilege: grant.privilege,
        })),
        ...objects.map((grant) => ({
          object: printable(`${grant.schema}.${grant.object_name}`),
          privilege: grant.privilege,
        })),
      ]);
      context.out(rows.length === 0 ? '(none)' : textTable(['OBJECT', 'PRIVILEGES'], rows));
      return 0;
    }),
});

/**
 * `grants ROLE --effective`: every object the role can use something on, each privilege with
 * its sources (`via`), as explain decides it: PUBLIC, memberships that inherit, ownership,
 * predefined roles, SUPERUSER; a table privilege held on some columns only lists them.
 */
async function effectiveGrants(
  session: Session,
  role: string,
  format: 'text' | 'json',
  context: CommandContext,
): Promise<number> {
  const objects = effectiveObjects(await readExplainContext(session, role), role);
  if (format === 'json') {
    const rows = (kinds: readonly string[]) =>
      objects
        .filter((object) => kinds.includes(object.kind))
        .flatMap((object) =>
          object.privileges.map((held) => ({
            ...(object.schema === null
              ? { name: object.name }
              : { schema: object.schema, object_name: object.name }),
            privilege: held.privilege,
            via: held.via,
            ...(held.columns === undefined ? {} : { columns: held.columns }),
          })),
        );
    context.out(
      json({
        role,
        effective: true,
        databases: rows(['database']),
        schemas: rows(['schema']),
        objects: rows(['table', 'sequence', 'function']),
      }),
    );
    return 0;
  }
  const rows = objects.map((object) => [
    object.schema === null
      ? `${object.kind} ${printable(object.name)}`
      : printable(`${object.schema}.${object.name}`),
    printable(formatPrivileges(object.privileges)),
  ]);
  context.out(rows.length === 0 ? '(none)' : textTable(['OBJECT', 'PRIVILEGES'], rows));
  return 0;
}
