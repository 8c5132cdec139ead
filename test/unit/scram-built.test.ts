/**
 * The convergence check after an apply that set passwords asks whether each role's verifier
 * in the catalog is the one for its configured password. For a verifier this process built,
 * the answer comes from what it built: PBKDF2 (4,096 rounds) runs once per password, not again
 * per check. Counted, not timed: pbkdf2Sync is wrapped to count its calls.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const pbkdf2Calls = vi.hoisted(() => ({ count: 0, inPool: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    pbkdf2Sync: (...args: Parameters<typeof crypto.pbkdf2Sync>) => {
      pbkdf2Calls.count++;
      return crypto.pbkdf2Sync(...args);
    },
    pbkdf2: (...args: Parameters<typeof crypto.pbkdf2>) => {
      pbkdf2Calls.inPool++;
      crypto.pbkdf2(...args);
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

describe('checkScramMatches: the checks of a plan, ahead and off the main thread', () => {
  beforeEach(() => {
    pbkdf2Calls.count = 0;
    pbkdf2Calls.inPool = 0;
  });

  /** A verifier this process did not build (as one read from the catalog): a fresh module's view. */
  async function freshModule(): Promise<typeof import('../../src/passwords/scram.js')> {
    vi.resetModules();
    return import('../../src/passwords/scram.js');
  }

  it('answers scramMatches without deriving a key on the main thread, right or wrong', async () => {
    const stored = scramVerifier('in the catalog');
    const fresh = await freshModule();
    pbkdf2Calls.count = 0;
    await fresh.checkScramMatches([
      ['in the catalog', stored],
      ['not it', stored],
    ]);
    expect(pbkdf2Calls.inPool).toBe(2);
    expect(fresh.scramMatches('in the catalog', stored)).toBe(true);
    expect(fresh.scramMatches('not it', stored)).toBe(false);
    expect(pbkdf2Calls.count).toBe(0);
  });

  it('derives on the main thread what it was not asked, with the same answer', async () => {
    const stored = scramVerifier('in the catalog');
    const fresh = await freshModule();
    await fresh.checkScramMatches([['in the catalog', stored]]);
    pbkdf2Calls.count = 0;
    expect(fresh.scramMatches('something else', stored)).toBe(false);
    expect(pbkdf2Calls.count).toBe(1);
  });

  it('skips what is not a SCRAM verifier and waits for a check already under way', async () => {
    const stored = scramVerifier('shared by two databases');
    const fresh = await freshModule();
    pbkdf2Calls.count = 0;
    await Promise.all([
      fresh.checkScramMatches([
        ['shared by two databases', stored],
        ['x', 'md5 0123456789abcdef0123456789abcdef'],
      ]),
      fresh.checkScramMatches([['shared by two databases', stored]]),
    ]);
    // One derivation, in the pool, for both calls; none on the main thread.
    expect(pbkdf2Calls.inPool).toBe(1);
    expect(fresh.scramMatches('shared by two databases', stored)).toBe(true);
    expect(pbkdf2Calls.count).toBe(0);
  });

  it('builds verifiers in the pool that PostgreSQL-format checks accept', async () => {
    const fresh = await freshModule();
    pbkdf2Calls.count = 0;
    const verifier = await fresh.scramVerifierInPool('built in the pool');
    expect(fresh.isScramVerifier(verifier)).toBe(true);
    expect([pbkdf2Calls.count, pbkdf2Calls.inPool]).toEqual([0, 1]);
    // Another module instance (no memory of it) derives the key and agrees.
    const other = await freshModule();
    expect(other.scramMatches('built in the pool', verifier)).toBe(true);
    expect(other.scramMatches('built in the pool!', verifier)).toBe(false);
  });
});
