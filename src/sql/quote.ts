/**
 * The only ways a name or a value enters SQL text. Everything else in a statement comes
 * from closed sets of keywords (see `model/privileges.ts`).
 */

import type { ObjectRef } from '../model/objects.js';

/**
 * Quotes an identifier: always double-quoted, inner `"` doubled, so that case, dots, spaces and
 * reserved words are kept literally.
 *
 * @example quoteIdent('Mixed "Case"') // => '"Mixed ""Case"""'
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('identifier contains a NUL byte');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal. Uses the `E''` form when the value has a backslash, so the result
 * means the same whatever `standard_conforming_strings` says.
 *
 * @example quoteLiteral("it's") // => "'it''s'"
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('literal contains a NUL byte');
  const body = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/** SQL form: quoted identifiers, plus the catalog's argument list for routines. */
export function sqlObjectName(ref: ObjectRef): string {
  if (ref.kind === 'large_object') {
    if (!/^\d+$/.test(ref.name)) throw new Error(`large object "${ref.name}" is not an OID`);
    return ref.name;
  }
  const base =
    ref.schema === null
      ? quoteIdent(ref.name)
      : `${quoteIdent(ref.schema)}.${quoteIdent(ref.name)}`;
  return ref.args === undefined ? base : `${base}(${ref.args})`;
}
