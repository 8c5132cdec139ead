/** `pgward roles`: the roles of the cluster with their attributes (spec §3). */
import { listRoles, type RoleInfo } from '../../api/roles.js';
import { defineCommand } from '../command.js';
import { json, LIST_FORMATS, printable, textTable, withSession } from './role-admin.js';

/** A role's attributes as one line: those set, in CREATE ROLE's words. */
export function describeAttributes(role: RoleInfo): string {
  const attributes = (['superuser', 'createrole', 'createdb', 'login', 'replication'] as const)
    .filter((name) => role[name])
    .map(String);
  if (role.connection_limit !== -1) attributes.push(`connection limit ${role.connection_limit}`);
  if (role.valid_until !== null) attributes.push(`valid until ${role.valid_until}`);
  return attributes.length > 0 ? attributes.join(', ') : '-';
}

export const rolesCommand = defineCommand({
  command: 'roles',
  describe: 'List the roles with their attributes (pg_* roles only with --system)',
  examples: [
    ['$0 roles', 'every role but the predefined pg_* ones'],
    ['$0 roles --system --format json', 'all roles, as JSON objects like the library listRoles()'],
    ['$0 roles --sandbox schema.sql', 'the roles a setup script creates, on a throwaway server'],
  ],
  // It reads no config: -c is not its own.
  builder: (yargs) =>
    yargs
      .hide('config')
      .option('system', {
        type: 'boolean',
        default: false,
        describe: 'Also list the predefined pg_* roles',
      })
      .option('format', {
        choices: LIST_FORMATS,
        default: 'text' as const,
        describe: 'How to print the roles',
      }),
  run: async (args, context) =>
    withSession(args, context, async (session) => {
      const roles = await listRoles(session, { includeSystem: args.system });
      context.out(
        args.format === 'json'
          ? json(roles)
          : textTable(
              ['ROLE', 'ATTRIBUTES'],
              roles.map((role) => [printable(role.name), describeAttributes(role)]),
            ),
      );
      return 0;
    }),
});
