/**
 * `db.plan`, `db.apply` and `db.inventory`: the CLI's engine (`engine.ts`) and inventory
 * (`inventory/`) run on the session's one connection, queued like every other call.
 *
 * Plans never hold passwords, yet applying a plan made by `db.plan` must be able to set them.
 * The verifiers are therefore computed when the plan is made and kept beside it, in a WeakMap
 * keyed by the plan object: `JSON.stringify(plan)` and `planToJson(plan)` cannot reach them,
 * they go away with the plan, and a copy of the plan (or one read back with `planFromJson`)
 * has none, so it needs the config again.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { applyPlanFile, planConfig } from '../engine.js';
import { secretsFor } from '../execute/secrets.js';
import { DEFAULT_LOCK_TIMEOUT, isLockTimeout } from '../execute/transaction.js';
import type { Queryable } from '../introspect/queryable.js';
import { takeInventory, type Inventory } from '../inventory/index.js';
import type { DesiredState } from '../model/state.js';
import type { Plan, PlanSummary } from '../plan/operations.js';
import type { SecretResolver } from '../sql/render.js';
import { InvalidArgumentError } from './errors.js';
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
   * The config the plan was made from, to take passwords from. Needed when the plan sets a
   * password and did not come from `db.plan` (e.g. read back with `planFromJson`); when given,
   * it supplies the passwords even for a plan from `db.plan`.
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

/** Password verifiers by role name, remembered for plans made by `db.plan`. */
const rememberedSecrets = new WeakMap<Plan, ReadonlyMap<string, string>>();

/** Roles whose password the plan sets, in plan order. */
function rolesWithPasswords(plan: Plan): string[] {
  const roles: string[] = [];
  for (const { operation } of plan.steps) {
    if (
      operation.type === 'set_password' ||
      (operation.type === 'create_role' && operation.password !== undefined)
    )
      roles.push(operation.role);
  }
  return roles;
}

/**
 * Computes the verifiers now, so that what is kept is what will be sent, and the plaintext
 * passwords of the desired state are not kept alive with the plan.
 */
function remember(plan: Plan, desired: DesiredState): void {
  const roles = rolesWithPasswords(plan);
  if (roles.length === 0) return;
  const resolve = secretsFor(desired);
  rememberedSecrets.set(plan, new Map(roles.map((role) => [role, resolve(role)])));
}

function fromMap(verifiers: ReadonlyMap<string, string>): SecretResolver {
  return (role) => {
    const verifier = verifiers.get(role);
    if (verifier === undefined)
      throw new InvalidArgumentError(`no password is known for role "${role}"`);
    return verifier;
  };
}

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

/**
 * The verifiers to send for `plan`, every one resolved now, before the apply transaction
 * starts: a missing password is an error with nothing run.
 */
function secretsForApply(plan: Plan, config: ConfigSource | undefined): SecretResolver | undefined {
  const roles = rolesWithPasswords(plan);
  if (roles.length === 0) return undefined;
  let resolve: SecretResolver;
  if (config !== undefined) {
    resolve = secretsFor(
      configOf(config),
      plan.suffix === undefined ? {} : { suffix: plan.suffix },
    );
  } else {
    const remembered = rememberedSecrets.get(plan);
    if (remembered === undefined) {
      const names = roles.map((role) => `"${role}"`).join(', ');
      throw new InvalidArgumentError(
        `the plan sets passwords (for ${names}) but plans never hold them: pass the config it was made from, db.apply(plan, { config }); nothing was changed`,
      );
    }
    resolve = fromMap(remembered);
  }
  const verifiers = new Map(roles.map((role) => [role, resolve(role)]));
  return fromMap(verifiers);
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
  const { plan, desired } = await inSnapshot(session, (client) =>
    planConfig(client, loaded, suffix),
  );
  remember(plan, desired);
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
  const secrets = secretsForApply(plan, options.config);
  const result = await session.withConnection((client) =>
    applyPlanFile(client, plan, { lockTimeout, ...(secrets ? { secrets } : {}) }),
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
