/**
 * Reads a role's password from where the config says it is. The secret goes into the
 * DesiredPassword and nowhere else: messages name the variable, the file or the role, never
 * the value.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DesiredPassword } from '../model/state.js';
import { isScramVerifier } from '../passwords/scram.js';
import { q } from './describe.js';

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

function fileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? 'unreadable';
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
    let text: string;
    try {
      text = readFileSync(resolve(sources.baseDir, spec.file), 'utf8');
    } catch (error) {
      return {
        key: 'file',
        message: `cannot read password file ${q(spec.file)} (${of}): ${fileError(error)}`,
        why: `password file ${q(spec.file)} cannot be read (${fileError(error)})`,
      };
    }
    // `echo secret > file` adds a newline that is not part of the password.
    const secret = text.replace(/[\r\n]+$/, '');
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
  if (!isScramVerifier(hashed))
    return {
      key: 'hashed',
      message: `"hashed" ${of} is not a SCRAM-SHA-256 verifier (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)`,
    };
  return { source: { from: 'hashed' }, secret: hashed };
}

export function isPasswordProblem(
  value: DesiredPassword | PasswordProblem,
): value is PasswordProblem {
  return 'message' in value;
}
