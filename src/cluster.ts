/**
 * Cluster scope (spec §8): one config for several databases of a cluster, planned together
 * and applied all-or-nothing.
 *
 *   planCluster   managed databases → one connection each (same credentials) → introspect all
 *                 in parallel → roles and memberships as the first connection sees them →
 *                 per database: config limited to it → resolve (its suffix) → diff → one plan
 *   applyCluster  planCluster, show, confirm; then holding the cluster's apply lock (in its
 *                 anchor database, see takeClusterLock) and the apply lock in every database:
 *                 roll back pgward's own leftover prepared transactions → re-plan (stale?) →
 *                 create new roles bare (NOLOGIN, nothing) and commit → BEGIN everywhere →
 *                 execute (cluster-wide steps on the first connection, each database's in its
 *                 own) → re-plan must be empty → PREPARE TRANSACTION everywhere, COMMIT
 *                 PREPARED everywhere (or COMMIT one after the other without 2PC) → DROP ROLE
 *
 * Why new roles are committed first: roles live in a shared catalog, and a role created in
 * the first database's open transaction is invisible to the others', whose GRANTs name it.
 * A bare role (NOLOGIN, no attribute, no membership, no privilege) gives nobody anything, so
 * it may stay behind if the rest fails; the next apply completes it.
 */
import { randomUUID } from 'node:crypto';
import type { Config, ConfigDatabase } from './config/types.js';
import { configForDatabase, unmanagedDatabaseProblems } from './config/databases.js';
import { systemObjectNames } from './config/system-objects.js';
import { resolveDesired } from './resolve/desired.js';
import { diff } from './diff/diff.js';
import { compareStrings } from './model/order.js';
import {
  ApplyError,
  PgwardError,
  PlanError,
  StalePlanError,
  serverError,
  StepFailure,
  type Problem,
} from './errors.js';
import { runSteps, NO_SECRETS } from './execute/apply.js';
import { collectGarbage } from './execute/collect-garbage.js';
import { secretsFor } from './execute/secrets.js';
import { schemaListingOf } from './execute/schema-listing.js';
import {
  APPLY_LOCK_KEY,
  BEGIN_READ_COMMITTED,
  describeServerError,
  isConnectionLoss,
  isLockTimeout,
  inTransaction,
} from './execute/transaction.js';
import {
  ANCHOR_OID,
  CLUSTER_LOCK_KEY,
  takeClusterLock,
  type DatabaseConnection,
  type OpenDatabase,
} from './execute/cluster-lock.js';
import { readClusterRoles } from './introspect/index.js';
import type { Queryable } from './introspect/queryable.js';
import { PIN_SEARCH_PATH_LOCAL, withPinnedSearchPath } from './introspect/search-path.js';
import { DEFAULT_ROLE_ATTRIBUTES } from './model/role-attributes.js';
import type { CurrentState } from './model/state.js';
import { buildClusterPlan, type DatabaseOperations } from './plan/cluster.js';
import {
  clusterChangedResources,
  clusterFingerprintsOf,
  missingClusterFingerprint,
  type DatabaseScope,
} from './plan/cluster-fingerprints.js';
import type { Plan, PlanStep } from './model/operations.js';
import { quoteIdent, quoteLiteral } from './sql/quote.js';
import { renderOperation, type SecretResolver } from './sql/render.js';
import { firstDifference, introspectFor, SINCE_PLANNED, type ApplyOutcome } from './engine.js';
import { canonicalJson } from './plan/fingerprint.js';
import { ACTION_SYMBOL } from './report/wording.js';

export { isClusterConfig } from './config/databases.js';

interface DatabaseRow {
  datname: string;
  datallowconn: boolean;
  datistemplate: boolean;
  connected: boolean;
  anchor: boolean;
}

interface Managed {
  readonly connected: string;
  readonly databases: readonly ConfigDatabase[];
  /** Where the cluster's apply lock is taken (see takeClusterLock). */
  readonly anchor: string;
}

/**
 * The databases the config manages on this server: `settings.databases` checked against
 * pg_database, `"*"` expanded (those that allow connections, templates excluded), the
 * connected one by default; and every `databases:` of an entry among them.
 */
export async function managedDatabases(first: Queryable, config: Config): Promise<Managed> {
  // Pinned: `=` is an operator, looked up through search_path (see search-path.ts).
  const { rows } = await withPinnedSearchPath(first, () =>
    first.query<DatabaseRow>(
      `SELECT datname, datallowconn, datistemplate, datname = pg_catalog.current_database() AS connected,
              oid = ${ANCHOR_OID} AS anchor
       FROM pg_catalog.pg_database ORDER BY datname COLLATE "C"`,
    ),
  );
  const connected = rows.find((row) => row.connected)?.datname ?? '';
  const anchor = rows.find((row) => row.anchor)?.datname ?? connected;
  const setting = config.settings.databases;
  const problems: Problem[] = [];
  let databases: ConfigDatabase[];
  if (setting === undefined) databases = [{ name: connected }];
  else if (setting === '*')
    databases = rows
      .filter((row) => row.datallowconn && !row.datistemplate)
      .map((row) => ({ name: row.datname }));
  else {
    databases = [];
    for (const database of setting) {
      const row = rows.find((r) => r.datname === database.name);
      const where = database.position === undefined ? {} : { position: database.position };
      if (row === undefined)
        problems.push({
          message: `database "${database.name}" in settings.databases does not exist`,
          ...where,
        });
      else if (!row.datallowconn)
        problems.push({
          message: `database "${database.name}" in settings.databases does not allow connections`,
          ...where,
        });
      else databases.push(database);
    }
  }
  problems.push(
    ...unmanagedDatabaseProblems(
      config,
      databases.map((database) => database.name),
    ),
  );
  if (problems.length > 0) throw new PlanError(problems);
  return { connected, databases, anchor };
}

/** One managed database and the connection that reaches it. */
export interface Session {
  readonly name: string;
  readonly suffix?: string;
  readonly client: Queryable;
}

/**
 * Opens a connection to every managed database (the first connection serves its own), runs
 * `work`, and closes what it opened on every path.
 */
export async function withSessions<T>(
  first: Queryable,
  managed: Managed,
  open: OpenDatabase,
  work: (sessions: readonly Session[]) => Promise<T>,
): Promise<T> {
  const opened: DatabaseConnection[] = [];
  try {
    const sessions = await Promise.all(
      managed.databases.map(async (database): Promise<Session> => {
        let client: Queryable = first;
        if (database.name !== managed.connected) {
          const connection = await open(database.name);
          opened.push(connection);
          client = connection;
        }
        return {
          name: database.name,
          ...(database.suffix === undefined ? {} : { suffix: database.suffix }),
          client,
        };
      }),
    );
    return await work(sessions);
  } finally {
    await Promise.all(opened.map((connection) => connection.end().catch(() => undefined)));
  }
}

export interface ClusterPlanResult {
  readonly plan: Plan;
  /** Per database: its state and desired state, for passwords. */
  readonly passwords: SecretResolver;
  /** Per database, in plan order: what it was planned from (for fingerprints). */
  readonly scopes: readonly DatabaseScope[];
}

/**
 * Reads every managed database (in parallel) and plans them together. Roles, memberships and
 * every database's `IN DATABASE` settings are read once, through the first connection (shared
 * catalogs), so that every database's diff agrees on them (inside an apply, only the first
 * connection sees its own changes to roles); each database reads its own objects, privileges,
 * dependencies and row security, and has its config's policy expressions checked by the
 * server, as one database's plan does.
 */
async function planSessions(
  first: Queryable,
  connected: string,
  sessions: readonly Session[],
  config: Config,
): Promise<ClusterPlanResult> {
  const clusterRoles = await readClusterRoles(first);
  // System objects are read where the config names them or grants exist, in every database.
  const options = { systemObjectNames: systemObjectNames(config), clusterRoles };
  const states = await Promise.all(
    sessions.map((session) =>
      introspectFor(session.client, configForDatabase(config, session.name), {
        ...options,
        suffix: session.suffix,
      }).catch((error: unknown) => {
        // A policy expression the server refuses there.
        if (error instanceof PlanError) throw inDatabase(session.name, error.problems);
        throw error;
      }),
    ),
  );
  const names = sessions.map((session) => session.name);
  const problems: Problem[] = [];
  const results: DatabaseOperations[] = [];
  const scopes: DatabaseScope[] = [];
  const resolvers: { readonly roles: ReadonlySet<string>; readonly resolve: SecretResolver }[] = [];
  sessions.forEach((session, index) => {
    const current = states[index] as CurrentState;
    try {
      const resolved = resolveDesired(
        configForDatabase(config, session.name),
        current,
        session.suffix === undefined ? {} : { suffix: session.suffix },
      );
      const desired = {
        ...resolved.desired,
        otherManagedDatabases: new Set(names.filter((name) => name !== session.name)),
      };
      resolvers.push({
        roles: new Set(desired.roles.flatMap((role) => (role.password ? [role.name] : []))),
        resolve: secretsFor(desired),
      });
      const changes = diff(current, desired);
      scopes.push({ database: session.name, current, desired, operations: changes.operations });
      results.push({
        database: session.name,
        operations: changes.operations,
        findings: changes.findings,
        warnings: [...resolved.warnings, ...changes.warnings],
      });
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      // The same problem (a role that cannot be managed, ...) is found in every database.
      problems.push(...inDatabase(session.name, error.problems).problems);
    }
  });
  if (problems.length > 0) throw new PlanError(problems);
  const versionNum = states[0]?.server.versionNum ?? 0;
  const plan = buildClusterPlan(connected, versionNum, results);
  // Each role's password from the first database whose desired state has it (with suffixes,
  // R_S is known only to the database of suffix S).
  const passwords: SecretResolver = (role) =>
    (resolvers.find((resolver) => resolver.roles.has(role))?.resolve ?? NO_SECRETS)(role);
  return { plan, passwords, scopes };
}

/** A plan error whose problems name the database they were found in. */
function inDatabase(database: string, problems: readonly Problem[]): PlanError {
  return new PlanError(
    problems.map((problem) => ({
      ...problem,
      message: `in database "${database}": ${problem.message}`,
    })),
  );
}

/**
 * The plan for every database `config` manages, read through `first` and a connection per
 * other database opened with `open`. Writes nothing.
 *
 * @example
 * const plan = await planCluster(client, config, (database) => openSibling(client, database));
 */
export async function planCluster(
  first: Queryable,
  config: Config,
  open: OpenDatabase,
  options: { readonly fingerprint?: boolean } = {},
): Promise<Plan> {
  const managed = await managedDatabases(first, config);
  return withSessions(first, managed, open, async (sessions) => {
    const { plan, scopes } = await planSessions(first, managed.connected, sessions, config);
    if (options.fingerprint !== true) return plan;
    // Only for a plan that is saved (`plan --out`, `--format json`), as in one database.
    const { cluster, databases } = clusterFingerprintsOf(scopes);
    return { ...plan, fingerprints: cluster, databaseFingerprints: databases };
  });
}

/** How the databases' transactions were committed. */
export type CommitMethod = 'two-phase' | 'one-by-one';

export interface ClusterApplyResult {
  readonly plan: Plan;
  readonly applied: boolean;
  readonly outcome: ApplyOutcome;
  /** Set when `applied`. */
  readonly commit?: CommitMethod;
  /** pgward's prepared transactions left by an earlier run, rolled back before this one. */
  readonly rolledBack: readonly string[];
}

export interface ClusterApplyOptions {
  readonly lockTimeout: string;
  readonly confirm?: (plan: Plan) => Promise<boolean>;
  readonly onPlan?: (plan: Plan) => void;
  /**
   * Runs in each database's transaction before its steps (`null`: the cluster-wide steps, on
   * the first connection). Tests use it to inject faults.
   */
  readonly beforeExecute?: (client: Queryable, database: string | null) => Promise<void>;
  /** Runs in each database's transaction right before it is committed or prepared (tests). */
  readonly beforeCommit?: (client: Queryable, database: string) => Promise<void>;
}

/** gid prefix of pgward's prepared transactions: only these are ever rolled back by pgward. */
export const PREPARED_PREFIX = 'pgward_';

function listSteps(steps: readonly PlanStep[]): string {
  return steps
    .map(
      (step) =>
        `  ${ACTION_SYMBOL[step.action]} ${step.summary}${step.database === undefined ? '' : ` (database "${step.database}")`}`,
    )
    .join('\n');
}

function changesOf(plan: Plan): string {
  return JSON.stringify(plan.steps.map((step) => [step.database, step.summary, step.sql]));
}

/**
 * Applies `config` to every managed database, all-or-nothing (see the top of this file).
 * Throws ApplyError when anything fails; every database is then as it was, except roles
 * created for the apply, which remain NOLOGIN and holding nothing.
 */
export async function applyCluster(
  first: Queryable,
  config: Config,
  open: OpenDatabase,
  options: ClusterApplyOptions,
): Promise<ClusterApplyResult> {
  if (!isLockTimeout(options.lockTimeout))
    throw new ApplyError(
      `invalid lock timeout "${options.lockTimeout}": expected a number with an optional unit ms, s, min or h (e.g. 10s)`,
    );
  const managed = await managedDatabases(first, config);
  return withSessions(first, managed, open, async (sessions) => {
    const { plan } = await planSessions(first, managed.connected, sessions, config);
    options.onPlan?.(plan);
    if (plan.steps.length === 0)
      return { plan, applied: false, outcome: 'no_changes', rolledBack: [] };
    if (options.confirm && !(await options.confirm(plan)))
      return { plan, applied: false, outcome: 'cancelled', rolledBack: [] };
    return underApplyLock(first, managed, sessions, open, config, plan, options, (now) => {
      // Empty now: a concurrent apply made the changes (outcome no_changes).
      if (now.plan.steps.length > 0 && changesOf(now.plan) !== changesOf(plan))
        throw new StalePlanError(
          `plan is stale: the databases changed while the plan was being confirmed, and applying the config now would make other changes:\n${listSteps(now.plan.steps)}\nnothing was changed`,
          { kind: 'changed_while_confirming', changes: now.plan.steps },
        );
    });
  });
}

/**
 * Applies a saved cluster plan (`pgward plan --out` with settings.databases) only if it is
 * exactly what `config` calls for now, as applyPlanFile does for one database: under the
 * apply lock, (1) its cluster-wide and per-database fingerprints are recomputed from the live
 * databases and any difference is a StalePlanError naming the database; (2) the config is
 * planned again and the saved changes (operation, SQL and database, in order) must be
 * exactly that plan's; (3) the file must hold every fingerprint the new plan depends on.
 * Then it runs as applyCluster does, all-or-nothing. Nothing runs that `pgward plan` would
 * not print for this config and these databases now.
 */
export async function applyClusterPlanFile(
  first: Queryable,
  plan: Plan,
  config: Config,
  open: OpenDatabase,
  options: Pick<ClusterApplyOptions, 'lockTimeout' | 'beforeExecute' | 'beforeCommit'>,
): Promise<ClusterApplyResult> {
  const { fingerprints, databaseFingerprints, databases } = plan;
  if (databases === undefined)
    throw new StalePlanError(
      'the plan covers one database, but the config has settings.databases: run pgward plan --out with this config; nothing was changed',
      { kind: 'other_scope' },
    );
  if (fingerprints === undefined || databaseFingerprints === undefined)
    throw new StalePlanError(
      'the plan has no fingerprints: apply a plan saved by pgward plan --out; nothing was changed',
      { kind: 'no_fingerprints' },
    );
  if (!isLockTimeout(options.lockTimeout))
    throw new ApplyError(
      `invalid lock timeout "${options.lockTimeout}": expected a number with an optional unit ms, s, min or h (e.g. 10s)`,
    );
  const managed = await managedDatabases(first, config);
  const names = managed.databases.map((database) => database.name);
  if (canonicalJson(names) !== canonicalJson(databases))
    throw new StalePlanError(
      `plan is stale: it was planned for databases ${quoted(databases)}, the config manages ${quoted(names)} now; nothing was changed`,
      SINCE_PLANNED,
    );
  const saved = { cluster: fingerprints, databases: databaseFingerprints };
  return withSessions(first, managed, open, (sessions) =>
    underApplyLock(first, managed, sessions, open, config, plan, options, (now) => {
      if (now.plan.serverVersionNum !== plan.serverVersionNum)
        throw new StalePlanError(
          `plan is stale: it was planned on server version ${plan.serverVersionNum}, this server is ${now.plan.serverVersionNum}; nothing was changed`,
          SINCE_PLANNED,
        );
      const changed = clusterChangedResources(saved, now.scopes);
      if (changed.length > 0)
        throw new StalePlanError(
          `plan is stale: ${changed.join('; ')} since it was planned; nothing was changed`,
          SINCE_PLANNED,
        );
      const mismatch = firstDifference(plan.steps, now.plan.steps);
      if (mismatch !== undefined)
        throw new StalePlanError(
          `plan is stale or was edited: ${mismatch}; was the plan file edited, or the config changed since it was saved? nothing was changed`,
          SINCE_PLANNED,
        );
      const missing = missingClusterFingerprint(saved, now.scopes);
      if (missing !== undefined)
        throw new StalePlanError(
          `plan is stale or was edited: it has no fingerprint for ${missing}, which the plan depends on now; was the plan file edited, or the config or the databases changed since it was saved? nothing was changed`,
          SINCE_PLANNED,
        );
    }),
  );
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/**
 * Takes the cluster's apply lock and each database's, rolls back pgward's leftover prepared
 * transactions, re-plans and lets `check` refuse the re-plan (stale), then applies it
 * all-or-nothing (applyLocked).
 */
async function underApplyLock(
  first: Queryable,
  managed: Managed,
  sessions: readonly Session[],
  open: OpenDatabase,
  config: Config,
  shown: Plan,
  options: ClusterApplyOptions,
  check: (now: ClusterPlanResult) => void,
): Promise<ClusterApplyResult> {
  // Every connection, the first one included even when its database is not managed.
  const participants: Session[] = sessions.some((session) => session.client === first)
    ? [...sessions]
    : [{ name: managed.connected, client: first }, ...sessions];
  const releaseCluster = await takeClusterLock(
    managed.anchor,
    participants.find((session) => session.name === managed.anchor)?.client,
    open,
    options.lockTimeout,
  );
  try {
    const locked = await lockAll(participants, options.lockTimeout);
    try {
      const rolledBack = await rollBackLeftovers(first, locked);
      const result = await applyLocked(
        first,
        managed.connected,
        sessions,
        participants,
        config,
        shown,
        options,
        check,
      );
      return { ...result, rolledBack };
    } finally {
      await unlockAll(locked);
    }
  } finally {
    await releaseCluster();
  }
}

/** Releases the apply lock where `lockAll` took it, and its session lock_timeout. */
async function unlockAll(locked: readonly Session[]): Promise<void> {
  await Promise.all(
    locked.map(async (session) => {
      // A connection that was lost has released its lock with its session.
      await session.client
        .query('SELECT pg_catalog.pg_advisory_unlock($1::bigint)', [APPLY_LOCK_KEY])
        .catch(() => undefined);
      await session.client.query('RESET lock_timeout').catch(() => undefined);
    }),
  );
}

/**
 * Takes the apply lock in every database, in name order (so that two cluster applies never
 * wait on each other crosswise). Session-level: PREPARE TRANSACTION refuses a transaction
 * that holds transaction-level advisory locks, and the lock must outlive the transactions.
 * Advisory locks are per database, so holding it in each serializes this apply with every
 * apply, one-database or cluster, that touches any of these databases.
 */
async function lockAll(participants: readonly Session[], lockTimeout: string): Promise<Session[]> {
  const ordered = [...participants].sort((a, b) => compareStrings(a.name, b.name));
  const locked: Session[] = [];
  try {
    for (const session of ordered) {
      await session.client.query(`SET lock_timeout = ${quoteLiteral(lockTimeout)}`);
      await session.client.query('SELECT pg_catalog.pg_advisory_lock($1::bigint)', [
        APPLY_LOCK_KEY,
      ]);
      locked.push(session);
    }
    return locked;
  } catch (error) {
    await unlockAll([...locked, ...ordered.slice(locked.length, locked.length + 1)]);
    const database = ordered[locked.length]?.name ?? '';
    if (serverError(error)?.code === '55P03')
      throw new ApplyError(
        `another pgward apply is running on database "${database}" and did not finish within --lock-timeout ${lockTimeout}; nothing was changed`,
        undefined,
        { cause: error },
      );
    throw new ApplyError(
      `apply failed while taking the apply lock in database "${database}": ${describeServerError(error)}; nothing was changed`,
      undefined,
      { cause: error },
    );
  }
}

interface PreparedRow {
  gid: string;
  database: string;
}

/**
 * Rolls back pgward's prepared transactions that an earlier run left (it died between
 * PREPARE and COMMIT PREPARED): they hold locks and would block this apply. Only in the
 * databases whose apply lock this run holds, so none can belong to an apply still running;
 * only gids with pgward's prefix, never anyone else's.
 */
async function rollBackLeftovers(first: Queryable, locked: readonly Session[]): Promise<string[]> {
  const { rows } = await first.query<PreparedRow>(
    `SELECT gid, database FROM pg_catalog.pg_prepared_xacts
     WHERE pg_catalog.starts_with(gid, $1) ORDER BY prepared, gid`,
    [PREPARED_PREFIX],
  );
  const done: string[] = [];
  for (const row of rows) {
    const session = locked.find((s) => s.name === row.database);
    if (session === undefined) continue;
    // ROLLBACK PREPARED runs in the database the transaction was prepared in.
    await session.client.query(`ROLLBACK PREPARED ${quoteLiteral(row.gid)}`);
    done.push(row.gid);
  }
  return done;
}

/** The steps that may remain after executing: DROP ROLE, and the cleaning of roles to drop. */
function pendingAfterCommit(plan: Plan): (step: PlanStep) => boolean {
  const dropped = new Set(
    plan.steps.flatMap((step) =>
      step.operation.type === 'drop_role' ? [step.operation.role] : [],
    ),
  );
  return (step) =>
    step.operation.type === 'drop_role' ||
    ((step.operation.type === 'drop_owned' || step.operation.type === 'reassign_owned') &&
      dropped.has(step.operation.role));
}

async function applyLocked(
  first: Queryable,
  connected: string,
  sessions: readonly Session[],
  participants: readonly Session[],
  config: Config,
  shown: Plan,
  options: ClusterApplyOptions,
  check: (now: ClusterPlanResult) => void,
): Promise<Omit<ClusterApplyResult, 'rolledBack'>> {
  const now = await planSessions(first, connected, sessions, config);
  check(now);
  if (now.plan.steps.length === 0) return { plan: shown, applied: false, outcome: 'no_changes' };

  // New roles, bare, committed: the other databases' transactions must see them.
  const created = now.plan.steps.flatMap((step) =>
    step.operation.type === 'create_role' ? [step.operation.role] : [],
  );
  if (created.length > 0) {
    try {
      await inTransaction(first, 'read committed', async () => {
        for (const role of created)
          for (const statement of renderOperation(
            { type: 'create_role', role, attributes: DEFAULT_ROLE_ATTRIBUTES },
            now.plan.serverVersionNum,
            NO_SECRETS,
          ))
            await first.query(statement);
      });
    } catch (error) {
      throw new ApplyError(
        `apply failed while creating the new roles: ${describeServerError(error)}; nothing was changed`,
        undefined,
        { cause: error },
      );
    }
  }
  const leftBehind =
    created.length === 0
      ? ''
      : `; the roles it created (${created.map((role) => `"${role}"`).join(', ')}) remain, NOLOGIN and holding nothing, and the next apply completes them`;

  const open = new Set<Session>();
  const prepared: { session: Session; gid: string }[] = [];
  let where = 'while starting the transactions';
  let committingDatabase: string | undefined;
  try {
    for (const session of participants) {
      // As inApplyTransaction: READ COMMITTED whatever the default, search_path pinned.
      await session.client.query(BEGIN_READ_COMMITTED);
      open.add(session);
      await session.client.query(PIN_SEARCH_PATH_LOCAL);
      await session.client.query(`SET LOCAL lock_timeout = ${quoteLiteral(options.lockTimeout)}`);
    }
    const locked = await planSessions(first, connected, sessions, config);
    const secrets = locked.passwords;
    const cluster = locked.plan.steps.filter(
      (step) => step.database === undefined && step.operation.type !== 'drop_role',
    );
    where = 'in the cluster-wide changes';
    await options.beforeExecute?.(first, null);
    await runSteps(first, { ...locked.plan, steps: cluster }, secrets);
    for (const session of sessions) {
      where = `in database "${session.name}"`;
      await options.beforeExecute?.(session.client, session.name);
      const steps = locked.plan.steps.filter((step) => step.database === session.name);
      const scope = locked.scopes.find((candidate) => candidate.database === session.name);
      const listing =
        scope === undefined ? undefined : schemaListingOf(scope.current, scope.operations);
      await runSteps(session.client, { ...locked.plan, steps }, secrets, listing);
    }
    where = 'while checking the result';
    // As engine.ts runConverging: the planned-from states are unreachable by now (neither
    // plan is read past the statements), reclaimed before the check reads them all again.
    collectGarbage();
    const after = await planSessions(first, connected, sessions, config);
    const remaining = after.plan.steps.filter((step) => !pendingAfterCommit(after.plan)(step));
    if (remaining.length > 0)
      throw new ApplyError(
        `apply did not converge: ${remaining.length === 1 ? '1 change remains' : `${remaining.length} changes remain`} after executing the plan; rolled back in every database${leftBehind || ', nothing was changed'}\n${listSteps(remaining)}`,
        undefined,
        { remaining },
      );

    const twoPhase = await preparedTransactionsAllowed(first);
    const run = randomUUID().replaceAll('-', '');
    for (const session of participants) {
      where = `while committing database "${session.name}"`;
      await options.beforeCommit?.(session.client, session.name);
      if (!twoPhase) continue;
      where = `at PREPARE TRANSACTION in database "${session.name}"`;
      const gid = `${PREPARED_PREFIX}${run}_${session.name}`;
      await session.client.query(`PREPARE TRANSACTION ${quoteLiteral(gid)}`);
      open.delete(session);
      prepared.push({ session, gid });
    }
    // Past this point each database commits: the shortest window in which a failure could
    // leave some committed and others not (with 2PC, those stay prepared, never lost).
    for (const session of participants) {
      where = `at COMMIT in database "${session.name}"`;
      committingDatabase = session.name;
      const entry = prepared.find((p) => p.session === session);
      if (entry !== undefined) {
        await session.client.query(`COMMIT PREPARED ${quoteLiteral(entry.gid)}`);
        prepared.splice(prepared.indexOf(entry), 1);
      } else {
        await session.client.query('COMMIT');
        open.delete(session);
      }
    }

    await dropRoles(first, after.plan);
    // The plan confirmed, not the one run after the roles were created bare (where their
    // creation reads as ALTER ROLE): what was applied is what was shown.
    return {
      plan: shown,
      applied: true,
      outcome: 'applied',
      commit: twoPhase ? 'two-phase' : 'one-by-one',
    };
  } catch (error) {
    const committing = where.startsWith('at COMMIT');
    await Promise.all(
      [...open].map((session) => session.client.query('ROLLBACK').catch(() => undefined)),
    );
    for (const { session, gid } of prepared)
      await session.client.query(`ROLLBACK PREPARED ${quoteLiteral(gid)}`).catch(() => undefined);
    if (error instanceof PgwardError) throw error;
    if (committing)
      throw new ApplyError(
        `apply failed ${where}: ${describeServerError(error)}; the databases committed before it keep their changes`,
        undefined,
        { cause: error, changed: 'partly', database: committingDatabase ?? null },
      );
    const cause = error instanceof StepFailure ? error.cause : error;
    const step = error instanceof StepFailure ? ` at ${error.where}` : '';
    const reason = isConnectionLoss(cause)
      ? `the connection was lost (${describeServerError(cause)})`
      : serverError(cause)?.code === '55P03'
        ? `${describeServerError(cause)}: another session held a lock it needs for longer than --lock-timeout ${options.lockTimeout}`
        : describeServerError(cause);
    throw new ApplyError(
      `apply failed ${where}${step}: ${reason}; rolled back in every database${leftBehind || ', nothing was changed'}`,
      error instanceof StepFailure ? error.statement : undefined,
      { cause },
    );
  }
}

async function preparedTransactionsAllowed(client: Queryable): Promise<boolean> {
  const { rows } = await client.query<{ max_prepared_transactions: string }>(
    'SHOW max_prepared_transactions',
  );
  return Number(rows[0]?.max_prepared_transactions ?? '0') > 0;
}

/**
 * DROP ROLE once every database committed its cleaning (REASSIGN/DROP OWNED): before that,
 * the other databases' uncommitted cleaning still counts as the role's dependencies.
 */
async function dropRoles(first: Queryable, plan: Plan): Promise<void> {
  for (const step of plan.steps) {
    if (step.operation.type !== 'drop_role') continue;
    try {
      await first.query(`DROP ROLE ${quoteIdent(step.operation.role)}`);
    } catch (error) {
      throw new ApplyError(
        `every database was changed and committed, but DROP ROLE "${step.operation.role}" failed: ${describeServerError(error)}`,
        `DROP ROLE ${quoteIdent(step.operation.role)}`,
        { cause: error, changed: 'partly', database: null },
      );
    }
  }
}

export { CLUSTER_LOCK_KEY, type DatabaseConnection, type OpenDatabase };
