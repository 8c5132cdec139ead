/**
 * Password verifiers for an apply. Plans and plan files only say `(sensitive)`; the statements
 * actually sent carry a SCRAM-SHA-256 verifier computed here, on the client, so the plaintext
 * never reaches the server or its logs.
 */
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

/**
 * The SecretResolver of an apply: role name → the SCRAM verifier to send, from the desired
 * state the plan was made from (with `--suffix`, its roles already carry their DB-specific
 * names). A `hashed` password is sent as written; a plaintext one (env, file) is turned into
 * a verifier once per role, so every statement of one apply sends the same verifier.
 *
 * @example
 * const secrets = secretsFor(desired);
 * renderOperation(op, serverVersionNum, secrets); // ... PASSWORD 'SCRAM-SHA-256$4096:...'
 */
export function secretsFor(desired: DesiredState): SecretResolver {
  const passwords = new Map<string, DesiredPassword>();
  for (const role of desired.roles) if (role.password) passwords.set(role.name, role.password);
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
