/**
 * Password verifiers for an apply. Plans and plan files only say `(sensitive)`; the statements
 * actually sent carry a SCRAM-SHA-256 verifier computed here, on the client, so the plaintext
 * never reaches the server or its logs.
 */
import { ApplyError } from '../errors.js';
import type { DesiredPassword, DesiredState } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import { scramVerifier, scramVerifierInPool } from '../passwords/scram.js';
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
export function secretsFor(
  desired: DesiredState,
  built: ReadonlyMap<string, string> = new Map(),
): SecretResolver {
  const passwords = passwordsOf(desired);
  const verifiers = new Map(built);
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

function passwordsOf(desired: DesiredState): Map<string, DesiredPassword> {
  const passwords = new Map<string, DesiredPassword>();
  for (const role of desired.roles) if (role.password) passwords.set(role.name, role.password);
  return passwords;
}

/**
 * secretsFor, with the verifiers of the passwords `operations` set built ahead, all at once
 * in libuv's thread pool (4,096 rounds of PBKDF2 each: 50 new roles with passwords took
 * ~0.1 s of the main thread, issue 13). Errors (a password not read) are left to the
 * resolver, which raises them at the statement that needs the secret, as before.
 */
export async function secretsForOperations(
  desired: DesiredState,
  operations: readonly Operation[],
): Promise<SecretResolver> {
  const passwords = passwordsOf(desired);
  const built = new Map<string, string>();
  const roles = new Set(
    operations.flatMap((operation) =>
      operation.type === 'set_password' ||
      (operation.type === 'create_role' && operation.password !== undefined)
        ? [operation.role]
        : [],
    ),
  );
  await Promise.all(
    [...roles].map(async (role) => {
      const password = passwords.get(role);
      if (password === undefined || password.secret === null || password.source.from === 'hashed')
        return;
      built.set(role, await scramVerifierInPool(password.secret));
    }),
  );
  return secretsFor(desired, built);
}
