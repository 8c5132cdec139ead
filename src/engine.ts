/**
 * pgward from top to bottom: (config loaded by the caller) → introspect → resolve → diff →
 * build plan → report or execute. The CLI and the library call these functions; each stage
 * lives in its own folder.
 *
 *   planConfig     introspect(db) + resolveDesired(config) → diff → buildPlan
 *   applyConfig    planConfig, show, confirm, then in ONE transaction under the apply lock:
 *                  re-plan → (stale? nothing to do?) → execute → re-plan must be empty → COMMIT
 *   applyPlanFile  in one transaction under the apply lock: fingerprint check → execute
 *   driftOf        planConfig, read as "what differs"
 */
import type { Config } from './config/types.js';
import { diff } from './diff/diff.js';
import { resolveDesired } from './diff/desired.js';
import { ApplyError, StalePlanError } from './errors.js';
import { NO_SECRETS, runSteps } from './execute/apply.js';
import { secretsFor } from './execute/secrets.js';
import { inApplyTransaction } from './execute/transaction.js';
import { introspect } from './introspect/index.js';
import type { Queryable } from './introspect/queryable.js';
import type { CurrentState, DesiredState } from './model/state.js';
import { buildPlan } from './plan/build.js';
import { fingerprintState } from './plan/fingerprint.js';
import type { Plan, PlanStep } from './plan/operations.js';
import { ACTION_SYMBOL } from './report/wording.js';
import type { SecretResolver } from './sql/render.js';

export { secretsFor } from './execute/secrets.js';

export interface PlanOptions {
  /** DB-specific role suffix (spec §4, `--suffix`). */
  readonly suffix?: string | undefined;
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
  const suffix = options.suffix === undefined ? {} : { suffix: options.suffix };
  const current = await introspect(client);
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
}

function changesOf(plan: Plan): string {
  return JSON.stringify(plan.steps.map((step) => [step.action, step.summary, step.sql]));
}

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
 * converges completely or changes nothing.
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
  const { plan } = await planConfig(client, config, planOptions);
  options.onPlan?.(plan);
  if (plan.steps.length === 0) return { plan, applied: false, outcome: 'no_changes' };
  if (options.confirm && !(await options.confirm(plan))) {
    return { plan, applied: false, outcome: 'cancelled' };
  }

  return inApplyTransaction(client, options, async (): Promise<ApplyResult> => {
    const locked = await planConfig(client, config, planOptions);
    if (locked.plan.steps.length === 0) return { plan, applied: false, outcome: 'no_changes' };
    if (changesOf(locked.plan) !== changesOf(plan)) {
      throw new StalePlanError(
        `plan is stale: the database changed while the plan was being confirmed, and applying the config now would make other changes:\n${listSteps(locked.plan.steps)}\nnothing was changed; run pgward apply again to review the new plan`,
      );
    }
    await options.beforeExecute?.(client);
    await runSteps(client, locked.plan, secretsFor(locked.desired));
    const remaining = await planConfig(client, config, planOptions);
    if (remaining.plan.steps.length > 0) {
      const count = remaining.plan.steps.length;
      throw new ApplyError(
        `apply did not converge: ${count === 1 ? '1 change remains' : `${count} changes remain`} after executing the plan; rolled back, nothing was changed\n${listSteps(remaining.plan.steps)}`,
      );
    }
    return { plan: locked.plan, applied: true, outcome: 'applied' };
  });
}

export interface ApplyPlanFileOptions {
  readonly lockTimeout: string;
  /** Verifiers for the passwords the plan sets: `secretsFor(loadConfig(...))`. */
  readonly secrets?: SecretResolver;
  readonly beforeExecute?: (client: Queryable) => Promise<void>;
}

/**
 * Applies a saved plan (`pgward plan --out`) exactly as saved, in one transaction holding the
 * apply lock, after checking that the database is still in the state the plan was computed
 * from (StalePlanError otherwise). Passwords are not in plan files: `secrets` supplies them.
 * (`planFromJson` has already checked that each step's SQL is what its operation renders.)
 *
 * @example
 * const plan = planFromJson(JSON.parse(readFileSync('plan.json', 'utf8')));
 * await applyPlanFile(client, plan, { lockTimeout: '10s', secrets: secretsFor(config) });
 */
export async function applyPlanFile(
  client: Queryable,
  plan: Plan,
  options: ApplyPlanFileOptions,
): Promise<ApplyResult> {
  if (plan.steps.length === 0) return { plan, applied: false, outcome: 'no_changes' };
  return inApplyTransaction(client, options, async (): Promise<ApplyResult> => {
    const current = await introspect(client);
    const fingerprint = fingerprintState(current);
    if (fingerprint !== plan.fingerprint) {
      const sameDatabase = current.server.currentDatabase === plan.database;
      const where = sameDatabase
        ? `database "${plan.database}" changed since it was planned`
        : `it was planned for database "${plan.database}", not "${current.server.currentDatabase}"`;
      const next = sameDatabase
        ? 'run pgward plan again'
        : `connect to "${plan.database}" to apply it, or run pgward plan here`;
      throw new StalePlanError(
        `plan is stale: ${where} (state ${plan.fingerprint.slice(0, 12)}, now ${fingerprint.slice(0, 12)}); nothing was changed, ${next}`,
      );
    }
    await options.beforeExecute?.(client);
    await runSteps(client, plan, options.secrets ?? NO_SECRETS);
    return { plan, applied: true, outcome: 'applied' };
  });
}
