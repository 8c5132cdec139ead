/**
 * Checks on the names the config gives to PostgreSQL: roles, schemas, objects, columns.
 */
import { q } from './describe.js';

/**
 * NAMEDATALEN - 1. PostgreSQL silently truncates longer identifiers (with a NOTICE), so a
 * longer name in the config would never match the catalog and every plan would recreate it.
 */
export const MAX_IDENTIFIER_BYTES = 63;

/**
 * Role names PostgreSQL refuses for a role (`role name "public" is reserved`, or keywords
 * standing for a role): compared case-insensitively, as pgward cannot create any of them.
 */
export const RESERVED_ROLE_NAMES: readonly string[] = [
  'public',
  'none',
  'current_user',
  'session_user',
  'current_role',
];

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/** Why `name` cannot be a PostgreSQL identifier, or undefined if it can. `what` names it: "role name". */
export function identifierProblem(name: string, what: string): string | undefined {
  if (name === '') return `${what} is empty`;
  if (CONTROL_CHARACTER.test(name))
    return `${what} ${q(name)} contains a control character, which pgward does not accept in names`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES)
    return `${what} ${q(name)} is ${bytes} bytes long; PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES} bytes`;
  return undefined;
}

/** Why `pattern` (an ignore_roles glob) cannot match a role name, or undefined. */
export function globProblem(pattern: string): string | undefined {
  if (pattern === '') return 'pattern is empty';
  if (CONTROL_CHARACTER.test(pattern))
    return `pattern ${q(pattern)} contains a control character, which role names cannot hold`;
  return undefined;
}

function isReservedWord(name: string): boolean {
  return RESERVED_ROLE_NAMES.includes(name.toLowerCase());
}

/** Why a declared role cannot have this name (reserved by PostgreSQL), or undefined. */
export function declaredRoleNameProblem(name: string): string | undefined {
  const identifier = identifierProblem(name, 'role name');
  if (identifier) return identifier;
  if (isReservedWord(name))
    return `role name ${q(name)} is reserved by PostgreSQL and cannot be declared`;
  // PostgreSQL reserves the pg_ prefix for its predefined roles (pg_read_all_data, ...).
  if (name.startsWith('pg_'))
    return `role name ${q(name)} starts with "pg_", which PostgreSQL reserves for its predefined roles`;
  return undefined;
}

/** Why a role named in member_of, for_role, ... cannot be a role, or undefined. */
export function roleReferenceProblem(name: string, what: string): string | undefined {
  const identifier = identifierProblem(name, what);
  if (identifier) return identifier;
  if (isReservedWord(name))
    return `${what} ${q(name)} is not a role: PostgreSQL reserves that name`;
  return undefined;
}
