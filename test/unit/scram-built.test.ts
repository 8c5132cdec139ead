/**
 * The convergence check after an apply that set passwords asks whether each role's verifier
 * in the catalog is the one for its configured password. For a verifier this process built,
 * the answer comes from what it built: PBKDF2 (4,096 rounds) runs once per password, not again
 * per check. Counted, not timed: pbkdf2Sync is wrapped to count its calls.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const pbkdf2Calls = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    pbkdf2Sync: (...args: Parameters<typeof crypto.pbkdf2Sync>) => {
      pbkdf2Calls.count++;
      return crypto.pbkdf2Sync(...args);
    },
  };
});

const { scramMatches, scramVerifier } = await import('../../src/passwords/scram.js');

describe('scramMatches on a verifier this process built', () => {
  beforeEach(() => {
    pbkdf2Calls.count = 0;
  });

  it('answers from what scramVerifier built, deriving no key again', () => {
    const verifier = scramVerifier('set by this apply');
    expect(pbkdf2Calls.count).toBe(1);
    for (let i = 0; i < 5; i++) expect(scramMatches('set by this apply', verifier)).toBe(true);
    expect(pbkdf2Calls.count).toBe(1);
  });

  it('still derives the key for any other password, and refuses it', () => {
    const verifier = scramVerifier('set by this apply');
    expect(scramMatches('set by this apply!', verifier)).toBe(false);
    expect(pbkdf2Calls.count).toBe(2);
  });
});
