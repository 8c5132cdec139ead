/** secretsFor: which verifier an apply sends for each role's password. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ApplyError } from '../../src/errors.js';
import { secretsFor } from '../../src/execute/secrets.js';
import type { DesiredState } from '../../src/model/state.js';
import { isScramVerifier, scramMatches } from '../../src/passwords/scram.js';
import { resolveDesired } from '../../src/resolve/desired.js';
import { state } from './diff-builders.js';

const HASHED =
  'SCRAM-SHA-256$4096:U7vG1p/sg4WZfhDJcTdzfw==$1dBwyKP2G2VsIV9i00N9L3h83nFTa2CKGP3V847jf3I=:ImrTik8rjKRKR/3Zbm7RM4ivzK8XLlkzY86QsrJnocI=';

const desired = {
  roles: [
    { name: 'app', password: { source: { from: 'env', name: 'APP_PW' }, secret: 's3cret app' } },
    { name: 'analyst', password: { source: { from: 'hashed' }, secret: HASHED } },
    { name: 'group' },
  ],
} as unknown as DesiredState;

describe('secretsFor', () => {
  it('sends a hashed password as written', () => {
    expect(secretsFor(desired)('analyst')).toBe(HASHED);
  });

  it('turns a plaintext password into a SCRAM verifier, once per role', () => {
    const secrets = secretsFor(desired);
    const verifier = secrets('app');
    expect(isScramVerifier(verifier)).toBe(true);
    expect(verifier).not.toContain('s3cret');
    expect(scramMatches('s3cret app', verifier)).toBe(true);
    expect(secrets('app')).toBe(verifier);
    // Another apply salts afresh.
    expect(secretsFor(desired)('app')).not.toBe(verifier);
  });

  it('refuses a role without a password', () => {
    expect(() => secretsFor(desired)('group')).toThrow(ApplyError);
    expect(() => secretsFor(desired)('nobody')).toThrow(
      'the plan sets a password for role "nobody" but the config has none',
    );
  });

  it('answers for the DB-specific names of a desired state resolved with --suffix', () => {
    const config = parseConfig(
      'version: 1\nroles:\n  app:\n    login: true\n    password: { env: APP_PW }\n',
      'pgward.yaml',
      { env: { APP_PW: 'from env' } },
    );
    const { desired } = resolveDesired(config, state({}), { suffix: 'prod' });
    expect(scramMatches('from env', secretsFor(desired)('app_prod'))).toBe(true);
  });
});
