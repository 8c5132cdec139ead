/**
 * Password verifiers for an apply. Plans and plan files only say `(sensitive)`; the statements
 * actually sent carry a SCRAM-SHA-256 verifier computed here, on the client, so the plaintext
 * never reaches the server or its logs.
 */
import type { Config } from '../config/types.js';
import { ApplyError } from '../errors.js';
import type { DesiredPassword, DesiredState } from '../model/state.js';
import { scramVerifier } from '../passwords/scram.js';
import type { SecretResolver } from '../sql/render.js';

function verifierOf(role: string, password: DesiredPassword): string {
  // Only a config loaded for reading leaves a secret unread; apply loads with every secret.
  if (password.secret === null)
    throw new ApplyError(`the password of role "${role}" was not read: it cannot be set`);
  return password.source.from === 'hashed' ? password.secret : scramVerifier(password.secret);
}

function isConfig(source: DesiredState | Config): source is Config {
  return 'settings' in source;
}

/**
 * Passwords by role name. From a Config, each role's password also answers for its
 * DB-specific name `<role>_<suffix>` (a role literally named so wins).
 */
function passwordsOf(
  source: DesiredState | Config,
  suffix: string | undefined,
): Map<string, DesiredPassword> {
  const passwords = new Map<string, DesiredPassword>();
  if (isConfig(source) && suffix !== undefined) {
    for (const role of source.roles) {
      if (role.password) passwords.set(`${role.name}_${suffix}`, role.password);
    }
  }
  for (const role of source.roles) {
    if (role.password) passwords.set(role.name, role.password);
  }
  return passwords;
}

/**
 * The SecretResolver of an apply: role name → the SCRAM verifier to send. A `hashed` password
 * is sent as written; a plaintext one (env, file) is turned into a verifier once per role, so
 * every statement of one apply sends the same verifier.
 *
 * @example
 * const secrets = secretsFor(desired);
 * renderOperation(op, serverVersionNum, secrets); // ... PASSWORD 'SCRAM-SHA-256$4096:...'
 */
export function secretsFor(
  source: DesiredState | Config,
  options: { readonly suffix?: string | undefined } = {},
): SecretResolver {
  const passwords = passwordsOf(source, options.suffix);
  const verifiers = new Map<string, string>();
  return (role) => {
    const known = verifiers.get(role);
    if (known !== undefined) return known;
    const password = passwords.get(role);
    if (!password) {
      throw new ApplyError(`the plan sets a password for role "${role}" but the config has none`);
    }
    const verifier = verifierOf(role, password);
    verifiers.set(role, verifier);
    return verifier;
  };
}
