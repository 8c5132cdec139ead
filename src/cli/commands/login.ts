/**
 * `pgward login create | drop | list`: login roles managed by hand, outside the config, as
 * PUM's create-login, drop-login and login-roles do, through the library API (dropping:
 * api/logins.ts); this file parses the flags and words the output.
 */
import type { Argv } from 'yargs';
import { dropLogin, refusalDetails } from '../../api/logins.js';
import { createRole, listRoles, roleExists, type RoleInfo } from '../../api/roles.js';
import { declaredRoleNameProblem } from '../../config/names.js';
import { sortedStrings } from '../../model/order.js';
import { DropLoginError, RoleCommandError, UsageError, type PgwardError } from '../../errors.js';
import { readMemberships } from '../../introspect/roles.js';
import { readServer } from '../../introspect/server.js';
import { defineCommand, type GlobalArgs, type PgwardCommand } from '../command.js';
import { describeAttributes } from './roles.js';
import { json, LIST_FORMATS, printable, textTable, withSession } from './role-admin.js';

function quoted(name: string): string {
  return `"${printable(name)}"`;
}

/**
 * `login create` and `login drop` change the roles of a real server and read no config: `-c`
 * is not theirs, and in a `--sandbox` their change would vanish with the server.
 */
function outsideTheConfig<T>(yargs: Argv<T>): Argv<T> {
  return yargs.hide('config').hide('sandbox');
}

function refuseSandbox(args: GlobalArgs, command: string): void {
  if (args.sandbox !== undefined)
    throw new UsageError(
      `login ${command} does not take --sandbox: it changes the roles of the server it connects to, and a throwaway server's roles are removed with it`,
    );
}

// ------------------------------------------------------------------------------ create

const createCommand = defineCommand({
  command: 'create <name>',
  describe: 'Create a login role outside the config',
  examples: [
    [
      '$0 login create alice --password-env PW',
      'the password is read from $PW and hashed to SCRAM-SHA-256 here',
    ],
    [
      '$0 login create batch --member-of reader',
      'no password (peer, cert, ...), member of reader; repeat --member-of for more',
    ],
  ],
  builder: (yargs) =>
    outsideTheConfig(yargs)
      .positional('name', { type: 'string', demandOption: true, describe: 'The new role' })
      .option('password-env', {
        type: 'string',
        describe: 'Environment variable holding the password; it is never printed',
      })
      .option('member-of', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'Make the role a member of this role; repeat for several',
      })
      // The role lives outside the config: a config that drops undeclared roles drops it.
      .epilogue(
        'A config with settings.unmanaged_roles: drop drops every role it does not declare, this one included, at its next apply: list it (or a glob such as "app_*") in settings.ignore_roles to keep it.',
      ),
  run: async (args, context) => {
    refuseSandbox(args, 'create');
    const name = String(args.name);
    // The checks a config's role names get, before connecting.
    const nameProblem = declaredRoleNameProblem(name);
    if (nameProblem !== undefined) throw new UsageError(nameProblem);
    let password: string | undefined;
    if (args.passwordEnv !== undefined) {
      password = context.io.env[args.passwordEnv];
      if (password === undefined)
        throw new UsageError(
          `environment variable ${args.passwordEnv} is not set (--password-env)`,
        );
      if (password === '')
        throw new UsageError(`environment variable ${args.passwordEnv} is empty (--password-env)`);
    }
    const memberOf = args.memberOf.map(String);
    return withSession(args, context, async (session) => {
      if (await roleExists(session, name))
        throw new RoleCommandError(`role ${quoted(name)} already exists`);
      await createRole(session, name, { login: true, password, inRoles: memberOf });
      const details = [
        ...(password === undefined ? [] : ['with a password']),
        ...(memberOf.length === 0 ? [] : [`member of ${memberOf.map(quoted).join(', ')}`]),
      ];
      context.out(
        `Created login role ${quoted(name)}${details.length > 0 ? ` ${details.join(', ')}` : ''}.`,
      );
      return 0;
    });
  },
});

// ------------------------------------------------------------------------------ drop

/**
 * The CLI's wording of a refusal from the library's dropLogin: it names `--reassign-to` and
 * `login drop`, and says how to retire a group role in the config.
 */
function refusalError(error: DropLoginError): PgwardError {
  const name = error.role;
  const { refusal } = error;
  const retire = `to retire a group role, write \`${printable(name)}: { absent: true }\` under roles: in the config and apply it`;
  const headline = ((): string => {
    switch (refusal.kind) {
      case 'protected':
      case 'missing':
        return error.message;
      case 'not_login':
        return `role ${quoted(name)} cannot log in: pgward login drop only drops login roles; ${retire}`;
      case 'group_role':
        return `role ${quoted(name)} has members (${refusal.members.map(quoted).join(', ')}), so it is a group role: pgward login drop only drops login roles that are nobody's group; ${retire}`;
      case 'reassign_to_itself':
        return `--reassign-to names the role being dropped, ${quoted(name)}`;
      case 'reassign_target_missing':
        return `role ${quoted(refusal.target)} (--reassign-to) does not exist`;
      case 'owns_in_other_databases':
        return `role ${quoted(name)} still owns or holds privileges in other databases; run REASSIGN OWNED BY / DROP OWNED BY there first`;
      case 'owns_objects':
        return `role ${quoted(name)} owns ${count(refusal.count, 'object')} in database ${quoted(refusal.database)}; give --reassign-to ROLE to hand them over before dropping it`;
    }
  })();
  const message = [headline, ...refusalDetails(refusal)].join('\n');
  return refusal.kind === 'reassign_to_itself'
    ? new UsageError(message)
    : new RoleCommandError(message);
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

const dropCommand = defineCommand({
  command: 'drop <name>',
  describe:
    'Drop a login role; one that owns objects only with --reassign-to (REASSIGN OWNED, DROP OWNED, DROP ROLE in one transaction). Group roles (no LOGIN, or with members) are refused: retire them in the config with `absent: true`',
  examples: [
    ['$0 login drop alice', 'drop alice and revoke her privileges; refused if she owns objects'],
    ['$0 login drop alice --reassign-to app_owner', 'hand her objects to app_owner, then drop her'],
  ],
  builder: (yargs) =>
    outsideTheConfig(yargs)
      .positional('name', { type: 'string', demandOption: true, describe: 'The login role' })
      .option('reassign-to', {
        type: 'string',
        describe: 'Role that takes over the objects it owns (REASSIGN OWNED BY ... TO ...)',
      }),
  run: async (args, context) => {
    refuseSandbox(args, 'drop');
    return withSession(args, context, async (session) => {
      const name = String(args.name);
      await dropLogin(session, name, { reassignTo: args.reassignTo }).catch((error: unknown) => {
        throw error instanceof DropLoginError ? refusalError(error) : error;
      });
      const reassigned =
        args.reassignTo === undefined
          ? ''
          : `, its objects now owned by ${quoted(args.reassignTo)}`;
      context.out(`Dropped login role ${quoted(name)}${reassigned}.`);
      return 0;
    });
  },
});

// ------------------------------------------------------------------------------ list

/** A login role and the roles it is a direct member of. */
export interface LoginRole extends RoleInfo {
  readonly member_of: readonly string[];
}

const listCommand = defineCommand({
  command: 'list',
  describe:
    'List the non-superuser login roles with the roles they are members of, as PUM login-roles does (--all: superusers too)',
  examples: [
    ['$0 login list', 'who can log in, and through which group roles they get access'],
    ['$0 login list --all', 'superusers too'],
    ['$0 login list --format json', 'the same as JSON'],
  ],
  // It reads no config: -c is not its own.
  builder: (yargs) =>
    yargs
      .hide('config')
      .option('all', {
        type: 'boolean',
        default: false,
        describe: 'Also list superusers (PUM login-roles leaves them out, and so does the default)',
      })
      .option('format', {
        choices: LIST_FORMATS,
        default: 'text' as const,
        describe: 'How to print the login roles',
      }),
  run: async (args, context) =>
    withSession(args, context, async (session, client) => {
      // PUM's login-roles lists the roles a group membership can matter to: superusers
      // bypass every privilege check, so they are left out unless asked for.
      const roles = (await listRoles(session)).filter(
        (role) => role.login && (args.all || !role.superuser),
      );
      const memberships = await readMemberships(client, await readServer(client));
      const memberOf = new Map<string, string[]>();
      for (const row of memberships)
        memberOf.set(row.member, [...(memberOf.get(row.member) ?? []), row.role]);
      const logins: LoginRole[] = roles.map((role) => ({
        ...role,
        member_of: sortedStrings(memberOf.get(role.name) ?? []),
      }));
      if (args.format === 'json') {
        context.out(json(logins));
        return 0;
      }
      context.out(
        logins.length === 0
          ? '(none)'
          : textTable(
              ['ROLE', 'MEMBER OF', 'ATTRIBUTES'],
              logins.map((role) => [
                printable(role.name),
                role.member_of.length > 0 ? role.member_of.map(printable).join(', ') : '-',
                describeAttributes({ ...role, login: false }),
              ]),
            ),
      );
      return 0;
    }),
});

// ------------------------------------------------------------------------------ login

const SUBCOMMANDS = [createCommand, dropCommand, listCommand];

export const loginCommand: PgwardCommand = (state) => ({
  command: 'login',
  describe: 'Manage login roles outside the config: create, drop, list',
  builder: (yargs: Argv<GlobalArgs>) =>
    SUBCOMMANDS.reduce((built, command) => built.command(command(state)), yargs)
      .example('$0 login list', 'login roles and their memberships')
      .example('$0 login create alice --password-env PW', 'a new login role, password from $PW')
      .example('$0 login drop alice --reassign-to app_owner', 'drop it, keeping its objects')
      .demandCommand(1, 'name a login command: create, drop or list'),
  handler: () => undefined,
});
