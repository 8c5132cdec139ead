/**
 * Reads a role's password from where the config says it is. The secret goes into the
 * DesiredPassword and nowhere else: messages name the variable, the file or the role, never
 * the value.
 */
import { resolve } from 'node:path';
import type { DesiredPassword } from '../model/state.js';
import { isScramVerifier } from '../passwords/scram.js';
import { q } from './describe.js';
import { MAX_PASSWORD_FILE_BYTES, readTextFile } from './read-file.js';

export interface PasswordSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative password files are read from: the config file's. */
  readonly baseDir: string;
  /**
   * Whether an `env` or `file` password that cannot be read is allowed (read-only commands:
   * validate, plan, drift, inventory never need a secret, spec §10). It then stays unread.
   */
  readonly optional?: boolean;
}

/** Where a password problem is: under which key of the password mapping. */
export interface PasswordProblem {
  readonly key: 'env' | 'file' | 'hashed';
  readonly message: string;
  /** For env and file: why the secret is not there, without the role (`ALICE_PASSWORD is not set`). */
  readonly why?: string;
}

const MD5_HASH = /^md5[0-9a-f]{32}$/i;

/** Standard base64 with its padding, as PostgreSQL's decoder requires. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** SCRAM-SHA-256's StoredKey and ServerKey: 32 bytes, 44 base64 characters. */
const SCRAM_KEY_BYTES = 32;

/** PostgreSQL reads the iteration count as an int. */
const MAX_ITERATIONS = 2_147_483_647;

/**
 * What PostgreSQL would reject in a verifier of the right shape (`parse_scram_secret`): an
 * iteration count that is not a positive int, a salt or key that is not base64, keys that are
 * not 32 bytes. Caught here, at the config line, instead of as a failed ALTER ROLE at apply.
 */
function verifierProblem(verifier: string): string | undefined {
  const [, iterationsAndSalt = '', keys = ''] = verifier.split('$');
  const [iterations = '', salt = ''] = iterationsAndSalt.split(':');
  const [storedKey = '', serverKey = ''] = keys.split(':');
  if (!/^[1-9][0-9]*$/.test(iterations) || Number(iterations) > MAX_ITERATIONS)
    return `the iteration count must be 1 to ${MAX_ITERATIONS}, got ${iterations}`;
  if (!BASE64.test(salt)) return 'the salt is not base64';
  for (const [name, key] of [
    ['StoredKey', storedKey],
    ['ServerKey', serverKey],
  ] as const) {
    if (!BASE64.test(key)) return `the ${name} is not base64`;
    const bytes = Buffer.from(key, 'base64').length;
    if (bytes !== SCRAM_KEY_BYTES)
      return `the ${name} is ${bytes} bytes, not ${SCRAM_KEY_BYTES} (44 base64 characters)`;
  }
  return undefined;
}

/**
 * The password a `password:` mapping (already shape-checked: exactly one of env, file,
 * hashed, a string) stands for.
 */
export function readPassword(
  role: string,
  spec: { env?: string; file?: string; hashed?: string },
  sources: PasswordSources,
): DesiredPassword | PasswordProblem {
  const of = `password of role ${q(role)}`;
  if (spec.env !== undefined) {
    const value = sources.env[spec.env];
    if (value === undefined)
      return {
        key: 'env',
        message: `environment variable ${q(spec.env)} is not set (${of})`,
        why: `${spec.env} is not set`,
      };
    if (value === '')
      return {
        key: 'env',
        message: `environment variable ${q(spec.env)} is empty (${of})`,
        why: `${spec.env} is empty`,
      };
    return { source: { from: 'env', name: spec.env }, secret: value };
  }
  if (spec.file !== undefined) {
    const read = readTextFile(resolve(sources.baseDir, spec.file), MAX_PASSWORD_FILE_BYTES);
    if (!('text' in read))
      return {
        key: 'file',
        message: `cannot read password file ${q(spec.file)} (${of}): ${read.reason}`,
        why: `password file ${q(spec.file)} cannot be read (${read.reason})`,
      };
    // `echo secret > file` adds a newline that is not part of the password.
    const secret = read.text.replace(/[\r\n]+$/, '');
    if (secret === '')
      return {
        key: 'file',
        message: `password file ${q(spec.file)} is empty (${of})`,
        why: `password file ${q(spec.file)} is empty`,
      };
    return { source: { from: 'file', path: spec.file }, secret };
  }
  const hashed = spec.hashed ?? '';
  if (hashed === '') return { key: 'hashed', message: `"hashed" ${of} is empty` };
  if (MD5_HASH.test(hashed))
    return {
      key: 'hashed',
      message: `"hashed" ${of} is an MD5 hash; MD5 passwords are deprecated in PostgreSQL, use a SCRAM-SHA-256 verifier`,
    };
  const form = '(SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)';
  if (!isScramVerifier(hashed))
    return { key: 'hashed', message: `"hashed" ${of} is not a SCRAM-SHA-256 verifier ${form}` };
  const malformed = verifierProblem(hashed);
  if (malformed !== undefined)
    return {
      key: 'hashed',
      message: `"hashed" ${of} is not a valid SCRAM-SHA-256 verifier ${form}: ${malformed}`,
    };
  return { source: { from: 'hashed' }, secret: hashed };
}

export function isPasswordProblem(
  value: DesiredPassword | PasswordProblem,
): value is PasswordProblem {
  return 'message' in value;
}
