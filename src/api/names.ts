/**
 * Checks on the names a caller passes, made before any SQL is sent. PostgreSQL silently
 * truncates identifiers to 63 bytes (NAMEDATALEN - 1) with only a NOTICE, so
 * `createRole(longName)` would create a role that `roleExists(longName)` then cannot find:
 * refusing such names is the only way to keep the two consistent.
 */
import { declaredRoleNameProblem, MAX_IDENTIFIER_BYTES } from '../config/names.js';
import { InvalidArgumentError } from '../errors.js';

/** Throws InvalidArgumentError unless `value` is a usable identifier; `what` names it. */
export function checkName(what: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new InvalidArgumentError(`${what} must be a non-empty string`);
  if (value.includes('\0'))
    throw new InvalidArgumentError(
      `${what} "${value.replaceAll('\0', '\\0')}" contains a NUL byte`,
    );
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES)
    throw new InvalidArgumentError(
      `${what} "${value}" is ${bytes} bytes long; PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES} bytes`,
    );
  return value;
}

/**
 * Throws InvalidArgumentError unless `value` may name a new role: the checks a config's role
 * names get (no control characters, at most 63 bytes, not reserved, not `pg_`), so that a
 * newline cannot reach a role name through `createRole`, `renameTo` or `login create`.
 */
export function checkNewRoleName(what: string, value: unknown): string {
  const name = checkName(what, value);
  const problem = declaredRoleNameProblem(name);
  if (problem !== undefined) throw new InvalidArgumentError(`${what}: ${problem}`);
  return name;
}
