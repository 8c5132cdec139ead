/**
 * `pgward grants ROLE`: the privileges a role holds directly (spec §3): on databases and
 * schemas, and on tables, sequences and routines, its own objects included. Privileges that
 * come from PUBLIC or from memberships are not the role's own and are not listed.
 */
import { listRoleGrants, listRoleScopeGrants } from '../../api/privileges.js';
import { roleExists } from '../../api/roles.js';
import { sortedPrivileges } from '../../diff/order.js';
import type { Privilege } from '../../model/privileges.js';
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
      }),
  run: async (args, context) =>
    withSession(args, context, async (session) => {
      const role = String(args.role);
      if (!(await roleExists(session, role)))
        throw new RoleCommandError(`role "${printable(role)}" does not exist`);
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
