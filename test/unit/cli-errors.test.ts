/**
 * The CLI's wording of engine errors: the engine says what happened, with data (why a plan is
 * stale, what an apply left behind); formatError adds what to run next, on the message's last
 * line, and shows the server's detail and hint once.
 */
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/cli/errors.js';
import { ApplyError, StalePlanError } from '../../src/errors.js';

const lines = (error: Error): string[] => formatError(error, { debug: false });

/** What node-postgres throws for a server error: a message and the server's fields. */
function serverFailure(): Error {
  return Object.assign(new Error('grants are frozen'), {
    code: 'P0001',
    detail: 'a change freeze is on',
    hint: 'wait for Monday',
  });
}

describe('formatError words what to run next', () => {
  it('after a stale plan, by the reason the engine gives', () => {
    const changes = [{ action: 'create', summary: 'create role "x"' }] as const;
    expect(
      lines(
        new StalePlanError(
          'plan is stale: other changes:\n  + create role "x"\nnothing was changed',
          {
            kind: 'changed_while_confirming',
            changes,
          },
        ),
      ),
    ).toEqual([
      'error: plan is stale: other changes:',
      '  + create role "x"',
      'nothing was changed; run pgward apply again to review the new plan',
    ]);
    expect(
      lines(
        new StalePlanError('plan is stale: planned for "a"; nothing was changed', {
          kind: 'other_database',
          database: 'a',
        }),
      ),
    ).toEqual([
      'error: plan is stale: planned for "a"; nothing was changed, connect to "a" to apply it, or run pgward plan here',
    ]);
    expect(
      lines(
        new StalePlanError('plan is stale: x changed; nothing was changed', {
          kind: 'changed_since_planned',
        }),
      ),
    ).toEqual(['error: plan is stale: x changed; nothing was changed, run pgward plan again']);
    expect(
      lines(new StalePlanError('the plan has no fingerprints', { kind: 'no_fingerprints' })),
    ).toEqual(['error: the plan has no fingerprints']);
  });

  it('after an apply, by what it left behind', () => {
    expect(lines(new ApplyError('lost at COMMIT', 'COMMIT', { changed: 'unknown' }))).toEqual([
      'error: lost at COMMIT; run pgward plan to see where the database stands',
    ]);
    expect(
      lines(
        new ApplyError('failed at COMMIT in "b"', undefined, { changed: 'partly', database: 'b' }),
      ),
    ).toEqual([
      'error: failed at COMMIT in "b"; run pgward plan to see where they stand, and pgward apply to complete the work',
    ]);
    expect(
      lines(
        new ApplyError('DROP ROLE failed', 'DROP ROLE "x"', { changed: 'partly', database: null }),
      ),
    ).toEqual(['error: DROP ROLE failed; run pgward apply again to complete the work']);
    expect(lines(new ApplyError('rolled back, nothing was changed'))).toEqual([
      'error: rolled back, nothing was changed',
    ]);
  });

  it("shows an apply's server failure with its SQLSTATE once, then the detail and hint", () => {
    const error = new ApplyError(
      'apply failed at step 1 of 1 (GRANT ...): grants are frozen (SQLSTATE P0001); rolled back, nothing was changed',
      'GRANT ...',
      { cause: serverFailure() },
    );
    expect(error).toMatchObject({ code: 'P0001', hint: 'wait for Monday' });
    expect(lines(error)).toEqual([
      'error: apply failed at step 1 of 1 (GRANT ...): grants are frozen (SQLSTATE P0001); rolled back, nothing was changed',
      'detail: a change freeze is on',
      'hint: wait for Monday',
    ]);
  });
});
