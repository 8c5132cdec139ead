/**
 * collectGarbage (execute/collect-garbage.ts) must really collect: an apply relies on it to
 * let go of the state it planned from before its convergence check builds another.
 */
import { expect, it } from 'vitest';
import { collectGarbage } from '../../src/execute/collect-garbage.js';

it('reclaims an object nothing refers to any more', async () => {
  let state: { facts: number[] } | undefined = {
    facts: Array.from({ length: 100_000 }, (_, i) => i),
  };
  const weak = new WeakRef(state);
  state = undefined;
  // A WeakRef keeps its target until the current job ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
  expect(weak.deref()).toBeUndefined();
  expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
});
