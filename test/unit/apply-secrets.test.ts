/** secretsFor: which verifier an apply sends for each role's password. */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import { ApplyError } from '../../src/errors.js';
import { secretsFor } from '../../src/execute/secrets.js';
import type { DesiredState } from '../../src/model/state.js';
import { isScramVerifier, scramMatches } from '../../src/passwords/scram.js';

const HASHED =
  'SCRAM-SHA-256$4096:U7vG1p/sg4WZfhDJcTdzfw==$1dBwyKP2G2VsIV9i00N9L3h83nFTa2CKGP3V847jf3I=:ImrTik8rjKRKR/3Zbm7RM4ivzK8XLlkzY86QsrJnocI=';

const desired = {
  roles: [
    { name: 'app', password: { source: { from: 'env', name: 'APP_PW' }, secret: 's3cret app' } },
    { name: 'analyst', password: { source: { from: 'hashed' }, secret: HASHED } },
    { name: 'group' },
  ],
} as unknown as DesiredState;

const config = {
  settings: {},
  roles: [
    { name: 'app', password: { source: { from: 'file', path: 'pw' }, secret: 'from file' } },
    { name: 'app_prod', password: { source: { from: 'env', name: 'P' }, secret: 'its own' } },
    { name: 'web', password: { source: { from: 'env', name: 'W' }, secret: 'web pw' } },
  ],
} as unknown as Config;

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

  it('answers for DB-specific names from a config, a role literally so named first', () => {
    const secrets = secretsFor(config, { suffix: 'prod' });
    expect(scramMatches('from file', secrets('app'))).toBe(true);
    expect(scramMatches('its own', secrets('app_prod'))).toBe(true);
    expect(scramMatches('web pw', secrets('web_prod'))).toBe(true);
    expect(() => secretsFor(config)('web_prod')).toThrow(ApplyError);
  });
});
