/**
 * Assembles a Plan from the diff's operations: plan order, display SQL, summaries, actions,
 * counts; and, for a plan to save, the fingerprints of what it depends on. Pure.
 */
import { compareStrings, sortedPrivileges, sortedStrings } from '../model/order.js';
import type { Finding } from '../model/findings.js';
import { objectKey } from '../model/objects.js';
import type { CurrentState, DesiredState } from '../model/state.js';
import { renderOperation } from '../sql/render.js';
import { fingerprintsOf, planScope } from './fingerprint.js';
import type { GrantTarget, Operation, Plan, PlanStep, PlanSummary } from '../model/operations.js';
import { orderOperations } from './order.js';
import { actionOf, summarizeOperation } from '../model/summary.js';

export interface BuildPlanOptions {
  readonly findings?: readonly Finding[];
  readonly warnings?: readonly string[];
  readonly suffix?: string;
}

/**
 * Orders the operations (see `plan/order.ts`) and turns each into a step with its summary,
 * action and display SQL (passwords as `(sensitive)`).
 *
 * @example
 * const { operations, warnings } = diff(current, desired);
 * const plan = buildPlan(current, operations, { warnings });
 * plan.summary // => { add: 2, change: 1, destroy: 0 }
 */
export function buildPlan(
  current: CurrentState,
  operations: readonly Operation[],
  options: BuildPlanOptions = {},
): Plan {
  const serverVersionNum = current.server.versionNum;
  const steps = orderOperations(operations.map(normalizeOperation)).map((operation) =>
    planStep(operation, serverVersionNum),
  );
  return {
    formatVersion: 1,
    steps,
    summary: summarizeSteps(steps),
    database: current.server.currentDatabase,
    serverVersionNum,
    ...(options.suffix !== undefined && { suffix: options.suffix }),
    findings: [...(options.findings ?? [])],
    warnings: [...(options.warnings ?? [])],
  };
}

/**
 * The plan with the fingerprints of what it depends on (see plan/fingerprint.ts), from the
 * states it was computed from: what a saved plan carries, for `apply PLANFILE` to compare.
 */
export function withFingerprints(plan: Plan, current: CurrentState, desired: DesiredState): Plan {
  const scope = planScope(
    current,
    desired,
    plan.steps.map((step) => step.operation),
  );
  return { ...plan, fingerprints: fingerprintsOf(current, scope) };
}

/** One step: the operation with its action, summary and display SQL. */
export function planStep(operation: Operation, serverVersionNum: number): PlanStep {
  return {
    operation,
    action: actionOf(operation),
    summary: summarizeOperation(operation),
    sql: renderOperation(operation, serverVersionNum),
  };
}

/** Counts steps per action, as terraform's "N to add, M to change, K to destroy". */
export function summarizeSteps(steps: readonly PlanStep[]): PlanSummary {
  const count = (action: PlanStep['action']): number =>
    steps.filter((step) => step.action === action).length;
  return { add: count('create'), change: count('update'), destroy: count('delete') };
}

/**
 * Lists inside an operation in canonical order (privileges as PRIVILEGES lists them, grantees
 * and objects by name), so that the same change always reads and renders the same.
 */
export function normalizeOperation(op: Operation): Operation {
  switch (op.type) {
    case 'grant_privileges':
    case 'revoke_privileges':
      return {
        ...op,
        target: normalizeTarget(op.target),
        privileges: sortedPrivileges(op.privileges),
        grantees: sortedStrings(op.grantees),
      };
    case 'grant_default_privileges':
    case 'revoke_default_privileges':
      return {
        ...op,
        privileges: sortedPrivileges(op.privileges),
        grantees: sortedStrings(op.grantees),
      };
    default:
      return op;
  }
}

function normalizeTarget(target: GrantTarget): GrantTarget {
  if (target.scope === 'all_in_schema') return target;
  const byKey = new Map(target.objects.map((object) => [objectKey(object), object]));
  const keys = [...byKey.keys()].sort(compareStrings);
  return { ...target, objects: keys.flatMap((key) => byKey.get(key) ?? []) };
}
