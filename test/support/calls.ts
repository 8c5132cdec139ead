/**
 * Watching calls under test: the error a call fails with, the SQL it sends, and waiting for
 * another session to reach a state.
 */
import pg from 'pg';
import { vi } from 'vitest';

/** The error `work` rejects with; fails the test if it resolves. */
export async function failure(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/** Every SQL text and bind parameter (as JSON) any pg.Client sends while `work` runs. */
export async function sentWhile(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const [first, second] = args;
    sent.push(typeof first === 'string' ? first : JSON.stringify(first));
    if (Array.isArray(second)) sent.push(JSON.stringify(second));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original);
  try {
    await work();
  } finally {
    vi.restoreAllMocks();
  }
  return sent;
}

/** Polls `condition` every 50 ms until it holds (fails after 20 s). */
export async function waitFor(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
