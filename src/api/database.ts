/**
 * `PgwardDatabase`: the object `connect()` returns. The imperative role functions pycopg users
 * know, in camelCase, and the engine's plan / apply / inventory; each call = one transaction
 * on one connection.
 */
import type { Inventory } from '../inventory/index.js';
import type { Plan } from '../model/operations.js';
import {
  applyPlan,
  inventoryOf,
  planFor,
  type ConfigSource,
  type DatabaseApplyOptions,
  type DatabaseApplyResult,
  type SuffixOptions,
} from './engine-calls.js';
import {
  explain,
  graph,
  type GraphOptions,
  type PrivilegeExplanation,
  type RoleAccess,
} from './explain.js';
import type { MembershipDiagram } from '../explain/diagram.js';
import { grantRole, listRoleMembers, revokeRole, type GrantRoleOptions } from './memberships.js';
import {
  grant,
  listRoleGrants,
  revoke,
  type GrantOptions,
  type RevokeOptions,
  type RoleGrant,
} from './privileges.js';
import {
  alterRole,
  createRole,
  dropRole,
  listRoles,
  roleExists,
  type AlterRoleOptions,
  type CreateRoleOptions,
  type DropRoleOptions,
  type ListRolesOptions,
  type RoleInfo,
} from './roles.js';
import type { Session } from './session.js';

/**
 * A connection to one database, with role, membership and privilege functions.
 *
 * Every method that changes something runs in one transaction: when it fails, nothing of it
 * is kept, and the error (a `QueryError` with the server's `code`, `detail` and `hint`, or an
 * `InvalidArgumentError` raised before any SQL is sent) never contains a password. Methods
 * called without awaiting run one after another, in call order. Names are literal and
 * case-sensitive: `'Mixed "Case"'` is that exact role.
 *
 * @example
 * ```ts
 * import { connect } from 'pgward';
 *
 * const db = await connect('postgresql://admin@localhost/app');
 * try {
 *   await db.createRole('readonly');
 *   await db.grant('SELECT', 'ALL TABLES', 'readonly', { schema: 'public' });
 *   await db.createRole('analyst', { login: true, password: 'secret', inRoles: ['readonly'] });
 * } finally {
 *   await db.close();
 * }
 * ```
 */
export interface PgwardDatabase {
  /** `server_version_num` of the server, e.g. 170004. */
  readonly serverVersionNum: number;

  /**
   * Creates a role (`CREATE ROLE`). Options not given take PostgreSQL's defaults (no login,
   * INHERIT, no connection limit, ...). A password is hashed to SCRAM-SHA-256 on the client
   * and only the verifier is sent. `inRoles` makes the role a member of those roles, in the
   * same transaction. Resolves to true when the role was created, false when `ifNotExists`
   * found it already there (then nothing is changed, memberships included).
   *
   * @example
   * ```ts
   * await db.createRole('appuser', {
   *   login: true,
   *   password: process.env.APPUSER_PASSWORD,
   *   connectionLimit: 10,
   *   validUntil: '2026-12-31',
   *   inRoles: ['readonly'],
   *   ifNotExists: true,
   * });
   * ```
   */
  createRole(name: string, options?: CreateRoleOptions): Promise<boolean>;

  /**
   * Changes a role (`ALTER ROLE`): only the options given change. `password` is hashed to
   * SCRAM-SHA-256 on the client; `validUntil: null` removes the expiry; `renameTo` renames the
   * role after the other changes. With no options, nothing is sent.
   *
   * @example
   * ```ts
   * await db.alterRole('appuser', { connectionLimit: 20, validUntil: null });
   * await db.alterRole('appuser', { password: 'new secret', renameTo: 'app_user' });
   * ```
   */
  alterRole(name: string, options?: AlterRoleOptions): Promise<void>;

  /**
   * Drops a role (`DROP ROLE`). A role that still owns objects or holds privileges is refused
   * by PostgreSQL (code `2BP01`, the objects in `detail`). Resolves to true when dropped, false
   * when `ifExists` found no such role.
   *
   * @example
   * ```ts
   * await db.dropRole('olduser', { ifExists: true });
   * ```
   */
  dropRole(name: string, options?: DropRoleOptions): Promise<boolean>;

  /**
   * Whether a role of exactly this name exists.
   *
   * @example
   * ```ts
   * if (!(await db.roleExists('appuser'))) await db.createRole('appuser', { login: true });
   * ```
   */
  roleExists(name: string): Promise<boolean>;

  /**
   * Roles and their main attributes, sorted by name (byte order). The predefined `pg_*` roles
   * are listed only with `includeSystem`; the bootstrap superuser (`postgres`) is always
   * listed, as pycopg does. `valid_until` is ISO-8601 UTC or null.
   *
   * @example
   * ```ts
   * for (const role of await db.listRoles()) console.log(role.name, role.login);
   * // => { name: 'appuser', superuser: false, createrole: false, createdb: false, login: true,
   * //      replication: false, connection_limit: 10, valid_until: '2026-12-31T00:00:00.000Z' }
   * ```
   */
  listRoles(options?: ListRolesOptions): Promise<RoleInfo[]>;

  /**
   * Makes `member` a member of `group` (`GRANT group TO member`); `withAdmin` lets the member
   * grant `group` to others. Granting an existing membership again is not an error.
   *
   * @example
   * ```ts
   * await db.grantRole('readonly', 'analyst');
   * await db.grantRole('readonly', 'team_lead', { withAdmin: true });
   * ```
   */
  grantRole(group: string, member: string, options?: GrantRoleOptions): Promise<void>;

  /**
   * Ends the membership of `member` in `group` (`REVOKE group FROM member`). On PostgreSQL 16+
   * it is revoked for every grantor that recorded it, so the membership is gone whoever
   * granted it. A missing membership is not an error; a missing role is.
   *
   * @example
   * ```ts
   * await db.revokeRole('readonly', 'analyst');
   * ```
   */
  revokeRole(group: string, member: string): Promise<void>;

  /**
   * Direct members of a role, sorted (byte order). A missing role is an error (`42704`).
   *
   * @example
   * ```ts
   * await db.listRoleMembers('readonly'); // => ['analyst', 'team_lead']
   * ```
   */
  listRoleMembers(role: string): Promise<string[]>;

  /**
   * Grants privileges on an object (`GRANT ... ON ... TO role`). `objectName` is literal: a
   * table, sequence, function, schema or database name (`objectType`, default `TABLE`), in
   * `schema` (default `public`) for tables, sequences and functions. `'ALL TABLES'`,
   * `'ALL SEQUENCES'` and `'ALL FUNCTIONS'` mean every such object now in `schema`. A function
   * is `name` (its only overload) or `name(argtypes)`; it is looked up in the catalog and the
   * statement uses the catalog's spelling of the types. Privileges are checked against the
   * object type on this server before any SQL is sent; `'ALL'` means all of them.
   *
   * @example
   * ```ts
   * await db.grant(['SELECT', 'INSERT'], 'orders', 'appuser', { schema: 'sales' });
   * await db.grant('SELECT', 'ALL TABLES', 'readonly', { schema: 'public' });
   * await db.grant('USAGE', 'app', 'appuser', { objectType: 'SCHEMA' });
   * await db.grant('EXECUTE', 'calc(int, text)', 'appuser', { objectType: 'FUNCTION' });
   * await db.grant('CONNECT', 'appdb', 'appuser', { objectType: 'DATABASE' });
   * ```
   */
  grant(
    privileges: string | readonly string[],
    objectName: string,
    role: string,
    options?: GrantOptions,
  ): Promise<void>;

  /**
   * Revokes privileges (`REVOKE ... ON ... FROM role`), with the same object rules as
   * {@link PgwardDatabase.grant}. `cascade` also revokes what the role granted onward with
   * its grant option; without it PostgreSQL refuses while such grants exist (`2BP01`).
   * Revoking a privilege the role does not hold is not an error.
   *
   * @example
   * ```ts
   * await db.revoke('INSERT', 'users', 'readonly');
   * await db.revoke('ALL', 'orders', 'team_lead', { cascade: true });
   * ```
   */
  revoke(
    privileges: string | readonly string[],
    objectName: string,
    role: string,
    options?: RevokeOptions,
  ): Promise<void>;

  /**
   * Privileges the role holds directly on tables, views, sequences and functions outside the
   * system schemas (an owner's own privileges included; grants to PUBLIC and privileges
   * reached through memberships not), sorted by schema, object and privilege. A missing role
   * is an error (`42704`).
   *
   * @example
   * ```ts
   * await db.listRoleGrants('appuser');
   * // => [{ schema: 'public', object_name: 'orders', privilege: 'INSERT' },
   * //     { schema: 'public', object_name: 'orders', privilege: 'SELECT' }]
   * ```
   */
  listRoleGrants(role: string): Promise<RoleGrant[]>;

  /**
   * Computes what applying a config would do, as `pgward plan` does: reads the catalog in one
   * read-only snapshot, writes nothing. `config` is a `Config` (`loadConfig`, `parseConfig`)
   * or the path of a pgward.yaml. The plan is the one the CLI renders (`renderPlanText`,
   * `planToJson` for the JSON plan file). It holds no password: the verifiers that
   * {@link PgwardDatabase.apply} needs for it are kept aside, out of reach of
   * `JSON.stringify`. Throws `ConfigError` for an invalid config and `PlanError` for one that
   * cannot be planned here (an object that does not exist, ...).
   *
   * @example
   * ```ts
   * import { connect, renderPlanText } from 'pgward';
   *
   * const db = await connect();
   * try {
   *   const plan = await db.plan('pgward.yaml');
   *   console.log(renderPlanText(plan, { color: false }));
   *   if (plan.steps.length > 0) await db.apply(plan);
   * } finally {
   *   await db.close();
   * }
   * ```
   */
  plan(config: ConfigSource, options?: SuffixOptions): Promise<Plan>;

  /**
   * Applies exactly `plan`, as `pgward apply PLANFILE` does: in one transaction holding the
   * apply lock (applies are serialized), with `lock_timeout` = `lockTimeout` (default `10s`),
   * only if nothing the plan depends on changed since it was made (its fingerprints) and it is
   * still exactly the plan of its config for this database (planned again under the lock,
   * with every protection check of apply). Otherwise a `StalePlanError` (message contains
   * "stale" and names what changed, or the first change that differs); a failing statement
   * rolls everything back (`ApplyError`). Either way nothing is changed. The config is
   * `config` when given, else the one `db.plan` made this very plan object from; a plan read
   * back with `planFromJson` needs `config`, or the call fails with an `InvalidArgumentError`
   * before any SQL is sent. The config also supplies the passwords. An empty plan sends
   * nothing and resolves to `{ applied: false }`.
   *
   * @example
   * ```ts
   * import { readFileSync } from 'node:fs';
   * import { planFromJson, StalePlanError } from 'pgward';
   *
   * const plan = planFromJson(JSON.parse(readFileSync('plan.json', 'utf8')));
   * try {
   *   const { applied, summary } = await db.apply(plan, { config: 'pgward.yaml', lockTimeout: '30s' });
   *   if (applied) console.log(`${summary.add} added, ${summary.change} changed, ${summary.destroy} destroyed`);
   * } catch (error) {
   *   if (error instanceof StalePlanError) console.error('the database changed; plan again');
   *   throw error;
   * }
   * ```
   */
  apply(plan: Plan, options?: DatabaseApplyOptions): Promise<DatabaseApplyResult>;

  /**
   * The role inventory of `pgward inventory` (spec §5), read in one read-only snapshot: which
   * configured roles are missing, whether each configured role holds the read/write
   * permissions the config gives it on each schema, which other roles reach those schemas,
   * and which login roles reach none. The fields are the JSON fields of the CLI.
   *
   * @example
   * ```ts
   * const inventory = await db.inventory('pgward.yaml', { suffix: 'lausanne' });
   * for (const role of inventory.configured_roles)
   *   for (const p of role.schema_permissions)
   *     console.log(role.name, p.schema, p.expected, p.satisfied ? '✓' : '✗');
   * console.log(JSON.stringify(inventory)); // { missing_roles, configured_roles, unknown_roles, other_login_roles }
   * ```
   */
  inventory(config: ConfigSource, options?: SuffixOptions): Promise<Inventory>;

  /**
   * Why `role` can (or cannot) use `privilege` on an object, as `pgward explain` shows it: the
   * server's own yes/no (`allowed`, what `has_*_privilege` answers) and every path that gives
   * it — a direct grant with its grantor, membership chains (each link's INHERIT and SET;
   * paths usable only after SET ROLE have a `set_role` step), PUBLIC, ownership, predefined
   * roles, SUPERUSER, column grants — then what is `missing`, the row-level security that
   * filters rows, and default privileges that will give it on `future` objects. `objectType`
   * is database, schema, table (views too), column (`schema.table.column`), sequence or
   * function (`schema.name(argtypes)`). With the role alone, all its effective access by
   * object. One catalog read per call.
   *
   * @example
   * ```ts
   * const why = await db.explain('shop_api', 'SELECT', 'table', 'public.payments');
   * // => { role: 'shop_api', privilege: 'SELECT', object_type: 'table', object: 'public.payments',
   * //      allowed: true,
   * //      paths: [[{ kind: 'membership', member: 'shop_api', role: 'readers', inherit: true, ... },
   * //               { kind: 'grant', grantee: 'readers', grantor: 'postgres', grantable: false }]],
   * //      missing: [], columns: [], row_security: null, future: [] }
   * const access = await db.explain('shop_api');
   * for (const object of access.objects) console.log(object.kind, object.name, object.privileges);
   * ```
   */
  explain(role: string): Promise<RoleAccess>;
  explain(
    role: string,
    privilege: string,
    objectType: string,
    object: string,
  ): Promise<PrivilegeExplanation>;

  /**
   * The membership graph as a mermaid (default) or Graphviz dot picture, as `pgward graph`
   * prints it: roles marked login / superuser, arrows from member to role labelled with ADMIN,
   * INHERIT and SET (dashed when the member does not inherit). With `roles`, only their
   * neighbourhood: the roles they are members of and their members, transitively.
   *
   * @example
   * ```ts
   * const { text, edges } = await db.graph({ roles: ['shop_api'], format: 'mermaid' });
   * console.log('```mermaid\n' + text + '\n```'); // GitHub renders it
   * ```
   */
  graph(options?: GraphOptions): Promise<MembershipDiagram>;

  /**
   * Waits for calls still running, then closes the connection. Later calls fail with a
   * `ConnectionError`; closing twice is harmless.
   *
   * @example
   * ```ts
   * const db = await connect();
   * try { await db.roleExists('appuser'); } finally { await db.close(); }
   * ```
   */
  close(): Promise<void>;
}

/** Binds the role functions and the engine calls to one session. */
export function databaseFor(session: Session): PgwardDatabase {
  return {
    serverVersionNum: session.serverVersionNum,
    createRole: (name, options) => createRole(session, name, options),
    alterRole: (name, options) => alterRole(session, name, options),
    dropRole: (name, options) => dropRole(session, name, options),
    roleExists: (name) => roleExists(session, name),
    listRoles: (options) => listRoles(session, options),
    grantRole: (group, member, options) => grantRole(session, group, member, options),
    revokeRole: (group, member) => revokeRole(session, group, member),
    listRoleMembers: (role) => listRoleMembers(session, role),
    grant: (privileges, objectName, role, options) =>
      grant(session, privileges, objectName, role, options),
    revoke: (privileges, objectName, role, options) =>
      revoke(session, privileges, objectName, role, options),
    listRoleGrants: (role) => listRoleGrants(session, role),
    plan: (config, options) => planFor(session, config, options),
    apply: (plan, options) => applyPlan(session, plan, options),
    inventory: (config, options) => inventoryOf(session, config, options),
    explain: ((role: string, privilege?: string, objectType?: string, object?: string) =>
      explain(session, role, privilege, objectType, object)) as PgwardDatabase['explain'],
    graph: (options) => graph(session, options),
    close: () => session.close(),
  };
}
