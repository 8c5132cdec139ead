/**
 * `pgward login create | drop | list`: login roles managed by hand, outside the config, as
 * PUM's create-login, drop-login and login-roles do. Creating and listing go through the
 * library API; dropping is the careful sequence a plan uses (REASSIGN OWNED, DROP OWNED, DROP
 * ROLE), in one transaction, after checking what the role still owns and where.
 */
import type { Argv } from 'yargs';
import { createRole, listRoles, roleExists, type RoleInfo } from '../../api/roles.js';
import { queryableOf, type Session, type Transaction } from '../../api/session.js';
import { declaredRoleNameProblem } from '../../config/names.js';
import { compareStrings, sortedStrings } from '../../model/order.js';
import { protectionReason, protectionRules } from '../../resolve/protection.js';
import { readDependencies } from '../../introspect/dependencies.js';
import { readMemberships } from '../../introspect/roles.js';
import { readServer } from '../../introspect/server.js';
import type { CurrentState, RoleDependency } from '../../model/state.js';
import type { Operation } from '../../model/operations.js';
import { defineCommand, type GlobalArgs, type PgwardCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { describeAttributes } from './roles.js';
import {
  json,
  LIST_FORMATS,
  printable,
  RoleCommandError,
  textTable,
  withSession,
} from './role-admin.js';

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
 * Objects a role owns in the connected database and shared ones (databases, tablespaces), as
 * PostgreSQL names them in its own errors. pg_describe_object only knows the connected
 * database's objects, hence the dbid filter. 21 rows: 20 to show, one to know there are more.
 */
const OWNED_OBJECTS_SQL = `
SELECT object
FROM (
  SELECT pg_catalog.pg_describe_object(s.classid, s.objid, s.objsubid) AS object
  FROM pg_catalog.pg_shdepend AS s
  WHERE s.refclassid = 'pg_catalog.pg_authid'::regclass
    AND s.refobjid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1)
    AND s.deptype = 'o'
    AND s.dbid IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()))
) AS owned
ORDER BY object COLLATE "C"
LIMIT 21`;

const SHOWN_OBJECTS = 20;

/**
 * Why pgward refuses to drop this role, or null. `login drop` drops login users only: a role
 * without LOGIN, or one that other roles are members of, is a group role.
 */
function refusal(
  name: string,
  state: CurrentState,
  role: { readonly login: boolean } | undefined,
): string | null {
  // pg_* roles, the bootstrap superuser, the connecting role, managed-cloud admin roles and
  // their members: the roles a plan never drops either.
  const reason = protectionReason(name, protectionRules(state, []));
  if (reason !== null)
    return `role ${quoted(name)} is protected (${reason}): pgward never drops it`;
  // A group role is retired in the config, where the roles that reach through it are
  // declared too: dropping it here would silently take their access away.
  const retire = `to retire a group role, write \`${printable(name)}: { absent: true }\` under roles: in the config and apply it`;
  if (role !== undefined && !role.login)
    return `role ${quoted(name)} cannot log in: pgward login drop only drops login roles; ${retire}`;
  const members = sortedStrings(
    state.memberships.filter((m) => m.role === name).map((m) => m.member),
  ).filter((member, index, all) => all.indexOf(member) === index);
  if (role !== undefined && members.length > 0)
    return `role ${quoted(name)} has members (${members.map(quoted).join(', ')}), so it is a group role: pgward login drop only drops login roles that are nobody's group; ${retire}`;
  return null;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** "2 objects owned, privileges on 3 objects" for one database's dependencies. */
function describeDependencies(dependencies: readonly RoleDependency[]): string {
  const owned = dependencies.filter((d) => d.type === 'owner').reduce((n, d) => n + d.count, 0);
  const other = dependencies.filter((d) => d.type !== 'owner').reduce((n, d) => n + d.count, 0);
  return [
    ...(owned > 0 ? [`owns ${count(owned, 'object')}`] : []),
    ...(other > 0 ? [`holds privileges on or is named in ${count(other, 'object')}`] : []),
  ].join(' and ');
}

/** Checks, inside the drop's transaction, what stands in the way, and returns the statements. */
async function dropOperations(
  tx: Transaction,
  name: string,
  reassignTo: string | undefined,
): Promise<Operation[]> {
  const client = queryableOf(tx);
  const server = await readServer(client);
  const memberships = await readMemberships(client, server);
  const state: CurrentState = {
    server,
    roles: [],
    memberships,
    objects: [],
    privileges: [],
    defaultPrivileges: [],
    dependencies: [],
  };
  const roles = await tx.query<{ login: boolean }>(
    'SELECT rolcanlogin AS login FROM pg_catalog.pg_roles WHERE rolname = $1',
    [name],
  );
  const protection = refusal(name, state, roles[0]);
  if (protection !== null) throw new RoleCommandError(protection);
  if (roles.length === 0) throw new RoleCommandError(`role ${quoted(name)} does not exist`);

  if (reassignTo !== undefined) {
    if (reassignTo === name)
      throw new UsageError(`--reassign-to names the role being dropped, ${quoted(name)}`);
    const target = await tx.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [
      reassignTo,
    ]);
    if (target.length === 0)
      throw new RoleCommandError(`role ${quoted(reassignTo)} (--reassign-to) does not exist`);
  }

  const dependencies = (await readDependencies(client)).filter((d) => d.role === name);
  // REASSIGN OWNED and DROP OWNED act on the connected database (and shared objects) only.
  const elsewhere = new Map<string, RoleDependency[]>();
  for (const d of dependencies)
    if (d.database !== null && d.database !== server.currentDatabase)
      elsewhere.set(d.database, [...(elsewhere.get(d.database) ?? []), d]);
  if (elsewhere.size > 0) {
    const lines = [...elsewhere]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([database, deps]) => `  database ${quoted(database)}: ${describeDependencies(deps)}`);
    throw new RoleCommandError(
      [
        `role ${quoted(name)} still owns or holds privileges in other databases; run REASSIGN OWNED BY / DROP OWNED BY there first`,
        ...lines,
      ].join('\n'),
    );
  }
  const ownsHere = dependencies.some((d) => d.type === 'owner');
  if (ownsHere && reassignTo === undefined) {
    const owned = (await tx.query<{ object: string }>(OWNED_OBJECTS_SQL, [name])).map(
      (row) => row.object,
    );
    const shown = owned.slice(0, SHOWN_OBJECTS).map((object) => `  ${printable(object)}`);
    const total = dependencies.filter((d) => d.type === 'owner').reduce((n, d) => n + d.count, 0);
    const more = total > shown.length ? [`  ... and ${total - shown.length} more`] : [];
    throw new RoleCommandError(
      [
        `role ${quoted(name)} owns ${count(total, 'object')} in database ${quoted(server.currentDatabase)}; give --reassign-to ROLE to hand them over before dropping it`,
        ...shown,
        ...more,
      ].join('\n'),
    );
  }
  return [
    ...(reassignTo === undefined
      ? []
      : [{ type: 'reassign_owned', role: name, to: reassignTo } as const]),
    // Revokes its privileges and default privileges here (nothing it owns is left to drop:
    // checked above, or reassigned just before).
    { type: 'drop_owned', role: name },
    { type: 'drop_role', role: name },
  ];
}

/** Drops a login role in one transaction; returns the statements run, for the report. */
async function dropLogin(
  session: Session,
  name: string,
  reassignTo: string | undefined,
): Promise<Operation[]> {
  return session.transaction(async (tx) => {
    const operations = await dropOperations(tx, name, reassignTo);
    for (const op of operations) await tx.execute(op);
    return operations;
  });
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
      const operations = await dropLogin(session, name, args.reassignTo);
      const reassigned = operations.some((op) => op.type === 'reassign_owned')
        ? `, its objects now owned by ${quoted(String(args.reassignTo))}`
        : '';
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
