/**
 * `pgward members ROLE`: the direct members of a role, one per line (spec §3). With
 * `--recursive`, as PUM's listing: the login roles that get ROLE, directly or through nested
 * groups, each with the chain of groups it goes through.
 */
import { listRoleMembers } from '../../api/memberships.js';
import { listRoles, roleExists } from '../../api/roles.js';
import { compareStrings } from '../../model/order.js';
import { readMemberships } from '../../introspect/roles.js';
import { readServer } from '../../introspect/server.js';
import { defineCommand } from '../command.js';
import { printable, RoleCommandError, textTable, withSession } from './role-admin.js';

/** A login role that gets `role`, and the groups between them (nearest to the login first). */
export interface LoginPath {
  readonly login: string;
  /** Empty for a direct member; else the groups from the login's own group up to `role`. */
  readonly via: readonly string[];
}

/**
 * Every membership path from a login role down to `role`, walking pg_auth_members from `role`
 * to its members. A login role reached by two chains is listed once per chain: each is a way
 * it gets the role, and revoking one leaves the other. A login role that is itself a group is
 * listed and walked through. PostgreSQL refuses membership cycles, but the walk stops on one
 * anyway (`seen` holds the chain so far).
 *
 * @example
 * loginPaths('reader', [{ role: 'reader', member: 'editor' }, { role: 'editor', member: 'alice' }], new Set(['alice']));
 * // [{ login: 'alice', via: ['editor'] }]
 */
export function loginPaths(
  role: string,
  memberships: readonly { readonly role: string; readonly member: string }[],
  logins: ReadonlySet<string>,
): LoginPath[] {
  const members = new Map<string, Set<string>>();
  // PG16 records one row per grantor: one edge is enough.
  for (const { role: group, member } of memberships)
    members.set(group, (members.get(group) ?? new Set()).add(member));
  const paths: LoginPath[] = [];
  const walk = (group: string, chain: readonly string[]): void => {
    for (const member of [...(members.get(group) ?? [])].sort(compareStrings)) {
      if (member === role || chain.includes(member)) continue;
      // `chain` runs from `role` down; the path reads from the login's side up.
      if (logins.has(member)) paths.push({ login: member, via: [...chain].reverse() });
      walk(member, [...chain, member]);
    }
  };
  walk(role, []);
  return paths.sort(
    (a, b) =>
      compareStrings(a.login, b.login) ||
      a.via.length - b.via.length ||
      compareStrings(a.via.join('\u0000'), b.via.join('\u0000')),
  );
}

export const membersCommand = defineCommand({
  command: 'members <role>',
  describe:
    'List the direct members of a role, one per line; --recursive: the login roles that get it through nested groups, with the path',
  examples: [
    ['$0 members readonly', 'who is a member of readonly'],
    ['$0 members readonly | wc -l', 'one name per line and nothing else on stdout, for scripts'],
    ['$0 members readonly --recursive', 'every login role that gets readonly, and through what'],
  ],
  // It reads no config: -c is not its own.
  builder: (yargs) =>
    yargs
      .hide('config')
      .positional('role', { type: 'string', demandOption: true, describe: 'The group role' })
      .option('recursive', {
        alias: 'r',
        type: 'boolean',
        default: false,
        describe:
          'List the login roles that get the role directly or through groups, with the groups in between (as PUM does)',
      }),
  run: async (args, context) =>
    withSession(args, context, async (session, client) => {
      const role = String(args.role);
      if (!(await roleExists(session, role)))
        throw new RoleCommandError(`role "${printable(role)}" does not exist`);
      if (args.recursive) {
        const memberships = await readMemberships(client, await readServer(client));
        const logins = new Set(
          (await listRoles(session)).filter((r) => r.login).map((r) => r.name),
        );
        const paths = loginPaths(role, memberships, logins);
        if (paths.length === 0) context.note(`no login role gets role "${printable(role)}"`);
        else
          context.out(
            textTable(
              ['LOGIN ROLE', 'GETS IT'],
              paths.map(({ login, via }) => [
                printable(login),
                via.length === 0 ? 'directly' : `via ${[...via, role].map(printable).join(' → ')}`,
              ]),
            ),
          );
        return 0;
      }
      const members = await listRoleMembers(session, role);
      if (members.length === 0) context.note(`role "${printable(role)}" has no members`);
      else context.out(members.map(printable).join('\n'));
      return 0;
    }),
});
