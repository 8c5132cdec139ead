/**
 * `db.plan`, `db.apply` and `db.inventory`: the CLI's engine (`engine.ts`) and inventory
 * (`inventory/`) run on the session's one connection, queued like every other call.
 *
 * `db.apply(plan)` runs a plan only if it is exactly what its config calls for now (see
 * `applyPlanFile`), so it needs that config: for a plan made by `db.plan` it is kept beside
 * the plan, in a WeakMap keyed by the plan object (`JSON.stringify(plan)` and
 * `planToJson(plan)` cannot reach it, and it goes away with the plan); a copy of the plan, or
 * one read back with `planFromJson`, needs the config again. Plans never hold passwords: the
 * config supplies them.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { applyPlanFile, planConfig } from '../engine.js';
import { DEFAULT_LOCK_TIMEOUT, isLockTimeout } from '../execute/transaction.js';
import type { Queryable } from '../introspect/queryable.js';
import { takeInventory, type Inventory } from '../inventory/index.js';
import type { Plan, PlanSummary } from '../model/operations.js';
import { InvalidArgumentError } from '../errors.js';
import { queryableOf, type Session } from './session.js';

/** A loaded config (`loadConfig`, `parseConfig`) or the path of a pgward.yaml to load. */
export type ConfigSource = Config | string;

/** Options of `db.plan` and `db.inventory`. */
export interface SuffixOptions {
  /** DB-specific roles (spec §4, `--suffix`): each configured role R becomes R_suffix. */
  readonly suffix?: string | undefined;
}

/** Options of `db.apply`. */
export interface DatabaseApplyOptions {
  /**
   * Longest wait for a lock (another apply, a busy table), as `--lock-timeout`: digits with an
   * optional unit `ms`, `s`, `min`, `h`. Default `10s`.
   */
  readonly lockTimeout?: string | undefined;
  /**
   * The config the plan was made from: it is planned again under the lock, and the plan runs
   * only if it is still exactly that plan; it also supplies the passwords. Needed for a plan
   * that did not come from `db.plan` (e.g. read back with `planFromJson`); when given, it is
   * used even for a plan from `db.plan`.
   */
  readonly config?: ConfigSource | undefined;
}

/** What `db.apply` did. */
export interface DatabaseApplyResult {
  /** True when the plan's statements ran and were committed. */
  readonly applied: boolean;
  /** `applied`, or `no_changes` for an empty plan (nothing was sent). */
  readonly outcome: 'applied' | 'no_changes';
  /** The plan's counts: `{ add, change, destroy }`. */
  readonly summary: PlanSummary;
}

/**
 * The config each plan of `db.plan` was made from (the plan records its suffix): `db.apply` plans that config
 * again under the lock and runs the plan only if it is still exactly that plan.
 */
const rememberedConfigs = new WeakMap<Plan, Config>();

function configOf(source: ConfigSource): Config {
  if (typeof source === 'string') return loadConfig(source);
  if (typeof source !== 'object' || source === null || !Array.isArray(source.roles))
    throw new InvalidArgumentError(
      'config must be a path to a pgward.yaml or a Config from loadConfig/parseConfig',
    );
  return source;
}

function suffixOf(options: SuffixOptions): { suffix?: string } {
  const { suffix } = options;
  if (suffix === undefined) return {};
  if (typeof suffix !== 'string' || suffix === '')
    throw new InvalidArgumentError('suffix must be a non-empty string');
  return { suffix };
}

/** The config to check `plan` against: `config` when given, else the one db.plan used. */
function configForApply(plan: Plan, config: ConfigSource | undefined): Config {
  if (config !== undefined) return configOf(config);
  const remembered = rememberedConfigs.get(plan);
  if (remembered === undefined)
    throw new InvalidArgumentError(
      'a plan not made by db.plan (e.g. read back with planFromJson) is applied only if it is exactly the plan for its config now: pass the config it was made from, db.apply(plan, { config }); nothing was changed',
    );
  return remembered;
}

/**
 * Runs catalog reads in one REPEATABLE READ, READ ONLY transaction: every query of the
 * introspection sees the same snapshot, and nothing can be written.
 */
function inSnapshot<T>(session: Session, work: (client: Queryable) => Promise<T>): Promise<T> {
  return session.transaction(async (tx) => {
    // Must be the first statement of the transaction, before the snapshot is taken.
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return work(queryableOf(tx));
  });
}

/**
 * See {@link PgwardDatabase.plan}.
 *
 * @example
 * const plan = await planFor(session, 'pgward.yaml', { suffix: 'lausanne' });
 */
export async function planFor(
  session: Session,
  config: ConfigSource,
  options: SuffixOptions = {},
): Promise<Plan> {
  const loaded = configOf(config);
  const suffix = suffixOf(options);
  // With fingerprints: the plan may be saved (planToJson) and applied later.
  const { plan } = await inSnapshot(session, (client) =>
    planConfig(client, loaded, { ...suffix, fingerprint: true }),
  );
  rememberedConfigs.set(plan, loaded);
  return plan;
}

/**
 * See {@link PgwardDatabase.apply}.
 *
 * @example
 * const { applied, summary } = await applyPlan(session, plan, { lockTimeout: '30s' });
 */
export async function applyPlan(
  session: Session,
  plan: Plan,
  options: DatabaseApplyOptions = {},
): Promise<DatabaseApplyResult> {
  if (typeof plan !== 'object' || plan === null || !Array.isArray(plan.steps))
    throw new InvalidArgumentError('plan must be a Plan from db.plan or planFromJson');
  const lockTimeout = options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT;
  if (typeof lockTimeout !== 'string' || !isLockTimeout(lockTimeout))
    throw new InvalidArgumentError(
      `invalid lockTimeout "${String(lockTimeout)}": expected a number with an optional unit ms, s, min or h (e.g. 10s)`,
    );
  // An empty plan is checked as any other (database, fingerprints, re-plan): see applyPlanFile.
  const config = configForApply(plan, options.config);
  const result = await session.withConnection((client, openDatabase) =>
    applyPlanFile(client, plan, config, { lockTimeout, openDatabase }),
  );
  return {
    applied: result.applied,
    outcome: result.applied ? 'applied' : 'no_changes',
    summary: plan.summary,
  };
}

/**
 * See {@link PgwardDatabase.inventory}.
 *
 * @example
 * const inventory = await inventoryOf(session, 'pgward.yaml');
 */
export async function inventoryOf(
  session: Session,
  config: ConfigSource,
  options: SuffixOptions = {},
): Promise<Inventory> {
  const loaded = configOf(config);
  const suffix = suffixOf(options);
  return inSnapshot(session, (client) => takeInventory(client, loaded, suffix));
}
