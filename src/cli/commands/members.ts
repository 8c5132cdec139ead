/** `pgward members ROLE`: the direct members of a role, one per line (spec §3). */
import { listRoleMembers } from '../../api/memberships.js';
import { roleExists } from '../../api/roles.js';
import { defineCommand } from '../command.js';
import { printable, RoleCommandError, withSession } from './role-admin.js';

export const membersCommand = defineCommand({
  command: 'members <role>',
  describe: 'List the direct members of a role, one per line',
  examples: [
    ['$0 members readonly', 'who is a member of readonly'],
    ['$0 members readonly | wc -l', 'one name per line and nothing else on stdout, for scripts'],
  ],
  builder: (yargs) =>
    yargs.positional('role', { type: 'string', demandOption: true, describe: 'The group role' }),
  run: async (args, context) =>
    withSession(args, context, async (session) => {
      const role = String(args.role);
      if (!(await roleExists(session, role)))
        throw new RoleCommandError(`role "${printable(role)}" does not exist`);
      const members = await listRoleMembers(session, role);
      if (members.length === 0) context.note(`role "${printable(role)}" has no members`);
      else context.out(members.map(printable).join('\n'));
      return 0;
    }),
});
