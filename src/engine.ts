/**
 * pgward from top to bottom: (config loaded by the caller) → introspect → resolve → diff →
 * build plan → report or execute. The CLI and the library call these functions; each stage
 * lives in its own folder.
 *
 *   planConfig     introspect(db) + resolveDesired(config) → diff → buildPlan
 *   applyConfig    planConfig, show, confirm, then in ONE transaction under the apply lock:
 *                  re-plan → (stale? nothing to do?) → execute → re-plan must be empty → COMMIT;
 *                  unconfirmed (--yes): under the lock plan → show → execute → re-plan → COMMIT
 *   applyPlanFile  in one transaction under the apply lock: fingerprints check → re-plan must
 *                  be the saved plan → execute → re-plan must be empty → COMMIT
 *   driftOf        planConfig, read as "what differs"
 */
import type { Config } from './config/types.js';
import { systemObjectNames } from './config/system-objects.js';
import { tablesWithColumnGrants } from './config/column-tables.js';
import { diff } from './diff/diff.js';
import { resolveDesired } from './resolve/desired.js';
import { unmanagedDatabaseProblems } from './config/databases.js';
import { ApplyError, PgwardError, PlanError, StalePlanError } from './errors.js';
import { runSteps } from './execute/apply.js';
import { secretsForOperations } from './execute/secrets.js';
import { inReadOnlySnapshot } from './execute/snapshot.js';
import { withClusterLock, type OpenDatabase } from './execute/cluster-lock.js';
import { inApplyTransaction } from './execute/transaction.js';
import { introspect, type IntrospectOptions } from './introspect/index.js';
import { withExpressionChecks } from './introspect/row-security.js';
import { withPinnedSearchPath } from './introspect/search-path.js';
import type { Queryable } from './introspect/queryable.js';
import type { CurrentRole, CurrentState, DesiredState } from './model/state.js';
import { checkScramMatches } from './passwords/scram.js';
import { buildPlan, withFingerprints } from './plan/build.js';
import {
  canonicalJson,
  changedResources,
  fingerprintsOf,
  planScope,
  type Fingerprints,
} from './plan/fingerprint.js';
import type { Plan, PlanStep } from './model/operations.js';
import type { SchemaListing, SecretResolver } from './sql/render.js';
import { schemaListingOf } from './execute/schema-listing.js';
import { collectGarbage } from './execute/collect-garbage.js';
import { ACTION_SYMBOL } from './report/wording.js';

export { secretsFor } from './execute/secrets.js';

export interface PlanOptions {
  /** DB-specific role suffix (spec §4, `--suffix`). */
  readonly suffix?: string | undefined;
  /**
   * Also compute the plan's fingerprints (`plan.fingerprints`), which a plan that is saved
   * needs (`plan --out`, `--format json`); off by default, as it hashes what the plan covers.
   */
  readonly fingerprint?: boolean | undefined;
}

export interface PlanResult {
  readonly plan: Plan;
  readonly current: CurrentState;
  readonly desired: DesiredState;
  /** Notes from resolving and diffing (also in `plan.warnings`). */
  readonly warnings: readonly string[];
}

/**
 * Computes what applying `config` to the database would do. Reads the catalog, writes nothing.
 * Throws PlanError when the config cannot be planned here (an object that does not exist, ...).
 *
 * @example
 * const { plan } = await planConfig(client, loadConfig('pgward.yaml'));
 * console.log(renderPlanText(plan, { color: false }));
 */
export async function planConfig(
  client: Queryable,
  config: Config,
  options: PlanOptions = {},
): Promise<PlanResult> {
  return planLoading(client, () => config, options);
}

/** How a config not loaded yet is given: the loader runs once, when the engine needs it. */
export type ConfigLoader = () => Config | Promise<Config>;

/**
 * planConfig for a config not loaded yet: `load` runs (once) while the server reads the
 * catalog's objects, the longest query of a plan, instead of before it. Parsing and checking
 * a large config takes about as long (issue 13: ~0.4 s each at 5,000 tables, ~1 s at
 * 40,000), so a plan takes the longer of the two, not their sum. Whatever `load` throws
 * comes out of planLoading once the query's answer is in.
 */
export async function planLoading(
  client: Queryable,
  load: ConfigLoader,
  options: PlanOptions = {},
): Promise<PlanResult> {
  const { current, config } = await introspectLoading(client, load, { suffix: options.suffix });
  const result = planFrom(current, config, options);
  return options.fingerprint === true
    ? { ...result, plan: withFingerprints(result.plan, result.current, result.desired) }
    : result;
}

/** What introspectFor takes besides introspect's options. */
export interface IntrospectForOptions extends Omit<IntrospectOptions, 'named' | 'onRoles'> {
  /** `--suffix`: the passwords of `R_<suffix>` are the config's R's. */
  readonly suffix?: string | undefined;
  /** The system objects to read (default: those the config's grants name). */
  readonly systemObjectNames?: readonly string[];
}

/**
 * The catalog (with the system objects the config names), plus what the server says about the
 * config's policy expressions (read-only: see introspect/row-security.ts). The expressions are
 * checked with search_path pinned, as apply's CREATE POLICY will read them. Cluster scope
 * passes the roles it read once (`clusterRoles`) and the system objects of the whole config.
 */
export async function introspectFor(
  client: Queryable,
  config: Config,
  options: IntrospectForOptions = {},
): Promise<CurrentState> {
  return (await introspectLoading(client, () => config, options)).current;
}

/**
 * introspectFor with the config loaded while the server reads the objects (see planLoading);
 * the config's passwords are checked against the roles' verifiers in the thread pool from
 * then on, while the rest of the catalog is read.
 */
async function introspectLoading(
  client: Queryable,
  load: ConfigLoader,
  options: IntrospectForOptions,
): Promise<{ current: CurrentState; config: Config }> {
  const { suffix, systemObjectNames: systemObjects, ...introspectOptions } = options;
  let config: Config | undefined;
  const loadedConfig = (): Config => {
    // introspect calls `named` on every path that returns.
    if (config === undefined) throw new Error('internal error: the config was not loaded');
    return config;
  };
  let roles: readonly CurrentRole[] = [];
  let checkingPasswords: Promise<void> = Promise.resolve();
  const current = await withPinnedSearchPath(client, async () => {
    const state = await introspect(client, {
      ...introspectOptions,
      onRoles: (read) => {
        roles = read;
      },
      named: async () => {
        const loaded = await load();
        config = loaded;
        checkingPasswords = checkScramMatches(passwordsToCheck(loaded, roles, suffix));
        return {
          systemObjectNames: systemObjects ?? systemObjectNames(loaded),
          columnsOf: tablesWithColumnGrants(loaded),
        };
      },
    });
    return withExpressionChecks(client, state, loadedConfig());
  });
  await checkingPasswords;
  return { current, config: loadedConfig() };
}

/**
 * The config's plaintext passwords beside the SCRAM verifiers of the roles they are for (the
 * role, its `--suffix` instance, the role it is renamed from): diff asks scramMatches about
 * exactly these, and checkScramMatches answers them ahead, in the thread pool. A pair missed
 * here is only slower: scramMatches derives it then.
 */
function passwordsToCheck(
  config: Config,
  roles: readonly CurrentRole[],
  suffix: string | undefined,
): [string, string][] {
  const verifiers = new Map<string, string>();
  for (const role of roles)
    if (typeof role.password === 'string') verifiers.set(role.name, role.password);
  const pairs: [string, string][] = [];
  for (const role of config.roles) {
    const password = role.password;
    if (password === undefined || password.secret === null || password.source.from === 'hashed')
      continue;
    const names = [
      role.name,
      role.renamedFrom,
      suffix === undefined ? undefined : `${role.name}_${suffix}`,
    ];
    for (const name of names) {
      const verifier = name === undefined ? undefined : verifiers.get(name);
      if (verifier !== undefined) pairs.push([password.secret, verifier]);
    }
  }
  return pairs;
}

/** resolve → diff → build, on a state already read. Pure. */
function planFrom(current: CurrentState, config: Config, options: PlanOptions): PlanResult {
  if (config.settings.databases !== undefined)
    throw new PgwardError(
      'the config has settings.databases: plan and apply it with planCluster and applyCluster, which reach every managed database',
    );
  // Without settings.databases the connected database is the one managed (spec §8).
  const problems = unmanagedDatabaseProblems(config, [current.server.currentDatabase]);
  if (problems.length > 0) throw new PlanError(problems);
  const suffix = options.suffix === undefined ? {} : { suffix: options.suffix };
  const resolved = resolveDesired(config, current, suffix);
  const changes = diff(current, resolved.desired);
  const warnings = [...resolved.warnings, ...changes.warnings];
  const plan = buildPlan(current, changes.operations, {
    findings: changes.findings,
    warnings,
    ...suffix,
  });
  return { plan, current, desired: resolved.desired, warnings };
}

/** Drift is the plan read the other way round: what in the database differs from the config. */
export async function driftOf(
  client: Queryable,
  config: Config,
  options: PlanOptions = {},
): Promise<Plan> {
  return (await planConfig(client, config, options)).plan;
}

export type ApplyOutcome =
  /** The changes were made and committed. */
  | 'applied'
  /** The database already matched (maybe thanks to an apply that ran meanwhile). */
  | 'no_changes'
  /** `confirm` said no. */
  | 'cancelled';

export interface ApplyResult {
  /** The plan that was shown (and confirmed): for `applied`, exactly what was executed. */
  readonly plan: Plan;
  readonly applied: boolean;
  readonly outcome: ApplyOutcome;
}

export interface ApplyOptions extends PlanOptions {
  /** `lock_timeout` of the apply transaction, e.g. `10s` (spec §3 `--lock-timeout`). */
  readonly lockTimeout: string;
  /** Asked once the plan is known and not empty; false = apply nothing. */
  readonly confirm?: (plan: Plan) => Promise<boolean>;
  /** Called with the plan before confirming, to show it. */
  readonly onPlan?: (plan: Plan) => void;
  /** Runs inside the transaction, after the lock and the re-plan, before the first statement. */
  readonly beforeExecute?: (client: Queryable) => Promise<void>;
  /**
   * Opens a connection to another database of the cluster (with this one's credentials), to
   * take the cluster's apply lock in its anchor database (execute/cluster-lock.ts): then this
   * apply waits for every other pgward apply on the cluster, not only those on its database.
   * Without it only the database's lock is taken. The CLI and `db.apply` pass one.
   */
  readonly openDatabase?: OpenDatabase;
}

/** `apply` under the cluster's lock when the caller can open the connection it needs. */
function underClusterLock<T>(
  client: Queryable,
  options: {
    readonly openDatabase?: OpenDatabase;
    readonly lockTimeout: string;
    readonly beforeWaiting?: () => Promise<void>;
  },
  apply: () => Promise<T>,
): Promise<T> {
  return options.openDatabase === undefined
    ? apply()
    : withClusterLock(
        client,
        options.openDatabase,
        options.lockTimeout,
        apply,
        options.beforeWaiting,
      );
}

function changesOf(plan: Plan): string {
  return JSON.stringify(plan.steps.map((step) => [step.action, step.summary, step.sql]));
}

/** A saved plan that the server, the catalog or the file no longer matches. */
export const SINCE_PLANNED = { kind: 'changed_since_planned' } as const;

function listSteps(steps: readonly PlanStep[]): string {
  return steps.map((step) => `  ${ACTION_SYMBOL[step.action]} ${step.summary}`).join('\n');
}

/**
 * Applies `config`: plans, shows the plan (`onPlan`), asks (`confirm`), then in ONE
 * transaction holding the apply lock re-reads the catalog and re-plans. If the re-plan is
 * empty there is nothing to do (a concurrent apply that held the lock made the changes); if
 * it differs from the confirmed plan, the plan is stale (StalePlanError) and nothing runs.
 * Otherwise the steps run, the catalog is read once more inside the transaction, and if
 * anything still differs the transaction is rolled back (ApplyError): an apply either
 * converges completely or changes nothing. Without `confirm` nothing shown needs checking:
 * the plan is made once, under the lock (applyLoading).
 *
 * We compare the re-plan's changes, not the state fingerprints: what was confirmed is the
 * list of changes, and unrelated catalog activity (a table created in another schema) between
 * planning and locking should not fail an apply whose changes are exactly the ones shown.
 *
 * @example
 * const { outcome } = await applyConfig(client, config, { lockTimeout: '10s' });
 */
export async function applyConfig(
  client: Queryable,
  config: Config,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const planOptions = { suffix: options.suffix };
  if (options.confirm === undefined) return applyLoading(client, () => config, options);
  // The plan shown for confirmation reads the catalog in one snapshot, as `pgward plan` does.
  const { plan } = await inReadOnlySnapshot(client, (snapshot) =>
    planConfig(snapshot, config, planOptions),
  );
  options.onPlan?.(plan);
  if (plan.steps.length === 0) return { plan, applied: false, outcome: 'no_changes' };
  if (options.confirm && !(await options.confirm(plan))) {
    return { plan, applied: false, outcome: 'cancelled' };
  }

  return underClusterLock(client, options, () =>
    inApplyTransaction(client, options, async (): Promise<ApplyResult> => {
      const locked = await planConfig(client, config, planOptions);
      if (locked.plan.steps.length === 0) return { plan, applied: false, outcome: 'no_changes' };
      if (changesOf(locked.plan) !== changesOf(plan)) {
        throw new StalePlanError(
          `plan is stale: the database changed while the plan was being confirmed, and applying the config now would make other changes:\n${listSteps(locked.plan.steps)}\nnothing was changed`,
          { kind: 'changed_while_confirming', changes: locked.plan.steps },
        );
      }
      return executeConverging(client, config, planOptions, locked, options.beforeExecute);
    }),
  );
}

/**
 * An apply nobody confirms (`--yes`, or the library without `confirm`): no plan is shown
 * before the lock to be checked against a re-plan, so the catalog is read and planned ONCE,
 * under the lock, and that plan is shown (`onPlan`) and run — the same plan the confirmed
 * path would run after its staleness check, read one introspection fewer (issue 13). The
 * convergence check after the statements is kept.
 *
 * The config may not be loaded yet (`pgward apply --yes`): `load` then runs while the server
 * reads the catalog's objects, as for planLoading; if another apply holds a lock this one
 * waits for, it runs before the wait (takeAdvisoryLock), so that a broken config is said at
 * once. Whatever it throws rolls the transaction back, with nothing sent but the reads.
 */
export async function applyLoading(
  client: Queryable,
  load: ConfigLoader,
  options: Omit<ApplyOptions, 'confirm'>,
): Promise<ApplyResult> {
  const planOptions = { suffix: options.suffix };
  let loading: Promise<Config> | undefined;
  const loaded = (): Promise<Config> => (loading ??= Promise.resolve().then(load));
  const locking = {
    ...options,
    beforeWaiting: async () => {
      await loaded();
    },
  };
  return underClusterLock(client, locking, () =>
    inApplyTransaction(client, locking, async (): Promise<ApplyResult> => {
      const locked = await planLoading(client, loaded, planOptions);
      options.onPlan?.(locked.plan);
      if (locked.plan.steps.length === 0)
        return { plan: locked.plan, applied: false, outcome: 'no_changes' };
      const config = await loaded();
      return executeConverging(client, config, planOptions, locked, options.beforeExecute);
    }),
  );
}

/**
 * Runs the plan made under the lock, then reads the catalog once more in the transaction:
 * if anything still differs, ApplyError, and the caller's transaction rolls back. An apply
 * either converges completely or changes nothing.
 *
 * The state the plan was made from (`locked.current`, `locked.desired`) is let go once the
 * passwords' verifiers are built and the objects of its `ALL ... IN SCHEMA` steps listed
 * (schema-listing.ts): only the plan, the verifiers and those lists reach runConverging, so
 * that two full states are never held at once (the peak memory of a large apply, issue 13).
 * Each caller returns this promise without awaiting it, for the same reason.
 */
async function executeConverging(
  client: Queryable,
  config: Config,
  planOptions: PlanOptions,
  locked: PlanResult,
  beforeExecute: ((client: Queryable) => Promise<void>) | undefined,
): Promise<ApplyResult> {
  const operations = locked.plan.steps.map((step) => step.operation);
  const secrets = await secretsForOperations(locked.desired, operations);
  const listing = schemaListingOf(locked.current, operations);
  return runConverging(client, config, planOptions, locked.plan, secrets, listing, beforeExecute);
}

async function runConverging(
  client: Queryable,
  config: Config,
  planOptions: PlanOptions,
  plan: Plan,
  secrets: SecretResolver,
  listing: SchemaListing,
  beforeExecute: ((client: Queryable) => Promise<void>) | undefined,
): Promise<ApplyResult> {
  await beforeExecute?.(client);
  await runSteps(client, plan, secrets, listing);
  // The planned-from state is unreachable by now: reclaimed before the next read builds another.
  collectGarbage();
  const remaining = await planConfig(client, config, planOptions);
  if (remaining.plan.steps.length > 0) {
    const count = remaining.plan.steps.length;
    throw new ApplyError(
      `apply did not converge: ${count === 1 ? '1 change remains' : `${count} changes remain`} after executing the plan; rolled back, nothing was changed\n${listSteps(remaining.plan.steps)}`,
      undefined,
      { remaining: remaining.plan.steps },
    );
  }
  return { plan, applied: true, outcome: 'applied' };
}

export interface ApplyPlanFileOptions {
  readonly lockTimeout: string;
  readonly beforeExecute?: (client: Queryable) => Promise<void>;
  /** See {@link ApplyOptions.openDatabase}. */
  readonly openDatabase?: OpenDatabase;
}

/**
 * Applies a saved plan (`pgward plan --out`), in one transaction holding the apply lock, only
 * if it is exactly what `config` calls for now. A plan file is a reviewed artifact, not a
 * trusted one: anyone who can write it could append `ALTER ROLE "postgres" NOLOGIN` with SQL
 * to match. So, under the lock:
 *
 * 1. the plan's fingerprints are recomputed from the live catalog; if anything the plan
 *    depends on changed, StalePlanError naming it (`role "alice": memberships changed`);
 * 2. the config is planned again against that catalog — with every protection and lockout
 *    check of `apply` — and the saved changes (operation and SQL, in order) must be exactly
 *    the new plan's, else StalePlanError (the file was edited, or the config changed); and
 *    the file must hold a fingerprint for every key the new plan depends on (its digest is
 *    no seal: one left out would otherwise go unchecked);
 * 3. the new plan's steps run (passwords from `config`: plan files never hold them), and the
 *    catalog must then match the config, as for `applyConfig`.
 *
 * Nothing runs that `pgward plan` would not print for this config and database now. A file
 * without changes goes through the same checks: it is `no_changes` only if the new plan is
 * empty too.
 *
 * @example
 * const plan = planFromJson(JSON.parse(readFileSync('plan.json', 'utf8')));
 * await applyPlanFile(client, plan, loadConfig('pgward.yaml'), { lockTimeout: '10s' });
 */
export async function applyPlanFile(
  client: Queryable,
  plan: Plan,
  config: Config,
  options: ApplyPlanFileOptions,
): Promise<ApplyResult> {
  // An empty plan file goes through every check too: "no changes" only if the re-plan, for
  // this database and server, is empty as well.
  const saved = plan.fingerprints;
  if (plan.databases !== undefined)
    throw new StalePlanError(
      `the plan covers databases ${plan.databases.map((name) => `"${name}"`).join(', ')}, but the config has no settings.databases: apply it with the config it was planned with; nothing was changed`,
      { kind: 'other_scope' },
    );
  if (saved === undefined)
    throw new StalePlanError(
      'the plan has no fingerprints: apply a plan saved by pgward plan --out (or made by db.plan); nothing was changed',
      { kind: 'no_fingerprints' },
    );
  const planOptions = { suffix: plan.suffix };
  return underClusterLock(client, options, () =>
    inApplyTransaction(client, options, async (): Promise<ApplyResult> => {
      const current = await introspectFor(client, config, { suffix: plan.suffix });
      const { currentDatabase, versionNum } = current.server;
      if (currentDatabase !== plan.database)
        throw new StalePlanError(
          `plan is stale: it was planned for database "${plan.database}", not "${currentDatabase}"; nothing was changed`,
          { kind: 'other_database', database: plan.database },
        );
      if (versionNum !== plan.serverVersionNum)
        throw new StalePlanError(
          `plan is stale: it was planned on server version ${plan.serverVersionNum}, this server is ${versionNum}; nothing was changed`,
          SINCE_PLANNED,
        );
      const changed = changedResources(saved, fingerprintsOf(current, new Set(Object.keys(saved))));
      if (changed.length > 0)
        throw new StalePlanError(
          `plan is stale: ${changed.join('; ')} since it was planned; nothing was changed`,
          SINCE_PLANNED,
        );
      const locked = planFrom(current, config, planOptions);
      const mismatch = firstDifference(plan.steps, locked.plan.steps);
      if (mismatch !== undefined)
        throw new StalePlanError(
          `plan is stale or was edited: ${mismatch}; was the plan file edited, or the config changed since it was saved? nothing was changed`,
          SINCE_PLANNED,
        );
      // The file's digest is no seal (anyone can recompute it): the keys it must cover come from
      // the plan made now, so a file with fingerprints left out does not skip their check.
      const missing = missingFingerprints(saved, locked);
      if (missing !== undefined)
        throw new StalePlanError(
          `plan is stale or was edited: it has no fingerprint for ${missing}, which the plan depends on now; was the plan file edited, or the config or the database changed since it was saved? nothing was changed`,
          SINCE_PLANNED,
        );
      if (locked.plan.steps.length === 0) return { plan, applied: false, outcome: 'no_changes' };
      return executeConverging(client, config, planOptions, locked, options.beforeExecute);
    }),
  );
}

/** The first key (in order) the plan made now depends on that `saved` lacks; undefined if none. */
function missingFingerprints(saved: Fingerprints, locked: PlanResult): string | undefined {
  const operations = locked.plan.steps.map((step) => step.operation);
  const needed = [...planScope(locked.current, locked.desired, operations)].sort();
  return needed.find((key) => !Object.hasOwn(saved, key));
}

/**
 * Where a saved plan's changes part from the plan made now, in words; undefined if nowhere.
 * A change of a cluster plan must also be for the same database.
 */
export function firstDifference(
  saved: readonly PlanStep[],
  now: readonly PlanStep[],
): string | undefined {
  const same = (a: PlanStep, b: PlanStep): boolean =>
    a.database === b.database &&
    canonicalJson(a.operation) === canonicalJson(b.operation) &&
    canonicalJson(a.sql) === canonicalJson(b.sql);
  for (let i = 0; i < Math.max(saved.length, now.length); i++) {
    const file = saved[i];
    const wanted = now[i];
    if (file !== undefined && wanted !== undefined && same(file, wanted)) continue;
    if (file === undefined)
      return `the config and the database call for "${wanted?.summary ?? ''}" after its last change`;
    if (wanted === undefined)
      return `its change ${i + 1} "${file.summary}" is not one the config and the database call for`;
    return `its change ${i + 1} "${file.summary}" is not what the config and the database call for there ("${wanted.summary}")`;
  }
  return undefined;
}
