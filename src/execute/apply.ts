/**
 * Executing a plan: each step's statements, rendered again with the real password verifiers,
 * in plan order, inside the apply transaction the caller opened (see transaction.ts).
 */
import { ApplyError, StepFailure } from '../errors.js';
import type { Queryable } from '../introspect/queryable.js';
import type { Plan } from '../model/operations.js';
import { renderOperation, type SchemaListing, type SecretResolver } from '../sql/render.js';
import { runStatements, type BatchStatement } from './batch.js';
import { checkOwnsNothing } from './owned-guard.js';

/**
 * Runs every step of `plan` on `client`, in order, in the current transaction (checking,
 * before each DROP OWNED, that the role owns nothing it would drop). Statements go several
 * per round trip (batch.ts); a failing statement throws a StepFailure that names its step by
 * the display SQL, never by the secret-bearing statement that was sent.
 */
export async function runSteps(
  client: Queryable,
  plan: Plan,
  secrets: SecretResolver,
  listing?: SchemaListing,
): Promise<void> {
  const total = plan.steps.length;
  let pending: BatchStatement[] = [];
  for (const [index, step] of plan.steps.entries()) {
    const statements = renderOperation(step.operation, plan.serverVersionNum, secrets, listing);
    const failed = (shown: string, error: unknown): StepFailure =>
      new StepFailure(`step ${index + 1} of ${total} (${shown})`, shown, error);
    if (step.operation.type === 'drop_owned') {
      // DROP OWNED must only take privileges: see owned-guard.ts. The check reads the catalog
      // as the statements before it left it, so those are sent first.
      await runStatements(client, pending);
      pending = [];
      await checkOwnsNothing(client, step.operation.role).catch((error: unknown) => {
        throw failed(step.sql[0] ?? step.summary, error);
      });
    }
    for (const [position, sql] of statements.entries()) {
      pending.push({ sql, failure: (error) => failed(step.sql[position] ?? step.summary, error) });
    }
  }
  await runStatements(client, pending);
}

/** A resolver for plans that set no password: asking it is a bug in the caller. */
export const NO_SECRETS: SecretResolver = (role) => {
  throw new ApplyError(`no password is known for role "${role}"`);
};
