/**
 * ACL entries as the server prints them (`aclitem` text): `grantee=privileges/grantor`, e.g.
 * `reader=r*w/owner` or `=U/owner` (PUBLIC). Reading the ACL as text and exploding it here
 * ships a fraction of the bytes `aclexplode` with a role name per entry does (8 MB against
 * 44 MB at 40,000 tables), and costs the server almost nothing.
 */
import { compareStrings } from '../model/order.js';

/**
 * The privilege letters, in the order the server prints them (its ACL_ALL_RIGHTS_STR, which
 * is also aclexplode's order), with aclexplode's names.
 */
const LETTERS: Readonly<Record<string, string>> = {
  a: 'INSERT',
  r: 'SELECT',
  w: 'UPDATE',
  d: 'DELETE',
  D: 'TRUNCATE',
  x: 'REFERENCES',
  t: 'TRIGGER',
  X: 'EXECUTE',
  U: 'USAGE',
  C: 'CREATE',
  T: 'TEMPORARY',
  c: 'CONNECT',
  s: 'SET',
  A: 'ALTER SYSTEM',
  m: 'MAINTAIN',
};

/** One exploded entry: [grantee (null = PUBLIC), privilege, grantable, grantor]. */
export type AclEntry = [string | null, string, boolean, string];

/**
 * A role name at `at` in `text`, as the server's putid() writes it: bare when it is only
 * letters, digits and underscores, else in double quotes with `"` doubled. Returns the name
 * and where it ends.
 */
function readName(text: string, at: number, stops: string): [string, number] {
  if (text[at] !== '"') {
    let end = at;
    while (end < text.length && !stops.includes(text[end] ?? '')) end += 1;
    return [text.slice(at, end), end];
  }
  let name = '';
  let i = at + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) throw new Error(`unterminated name in ACL entry ${text}`);
    name += text.slice(i, quote);
    if (text[quote + 1] === '"') {
      name += '"';
      i = quote + 2;
    } else return [name, quote + 1];
  }
}

/**
 * The privileges of an entry's letters (`r*w`) in the server's order, with their grant
 * option; or the first letter that names no privilege.
 */
function decodeLetters(letters: string): [string, boolean][] | { readonly unknown: string } {
  const privileges: [string, boolean][] = [];
  for (let i = 0; i < letters.length; i += 1) {
    const privilege = LETTERS[letters[i] ?? ''];
    if (privilege === undefined) return { unknown: letters[i] ?? '' };
    const grantable = letters[i + 1] === '*';
    if (grantable) i += 1;
    privileges.push([privilege, grantable]);
  }
  return privileges;
}

/** The entries of one aclitem's text, as aclexplode would list them. */
export function explodeAclItem(item: string): AclEntry[] {
  const [grantee, equals] = readName(item, 0, '=');
  if (item[equals] !== '=') throw new Error(`malformed ACL entry ${item}`);
  const slash = item.indexOf('/', equals + 1);
  if (slash < 0) throw new Error(`ACL entry without a grantor: ${item}`);
  const [grantor] = readName(item, slash + 1, '');
  const privileges = decodeLetters(item.slice(equals + 1, slash));
  if ('unknown' in privileges)
    throw new Error(`unknown privilege "${privileges.unknown}" in ACL entry ${item}`);
  return privileges.map(([privilege, grantable]) => [
    grantee === '' ? null : grantee,
    privilege,
    grantable,
    grantor,
  ]);
}

/**
 * The privileges of an ACL entry's letters (`r*w`), by name as compareStrings orders them,
 * with their grant option; null when a letter is unknown. Remembered per text: a catalog
 * repeats the same few (`r`, `arwdDxtm`, `U`) on thousands of objects.
 */
const decoded = new Map<string, readonly (readonly [string, boolean])[] | null>();

export function privilegesOfLetters(
  letters: string,
): readonly (readonly [string, boolean])[] | null {
  let known = decoded.get(letters);
  if (known === undefined) {
    const privileges = decodeLetters(letters);
    known = 'unknown' in privileges ? null : privileges.sort(([a], [b]) => compareStrings(a, b));
    decoded.set(letters, known);
  }
  return known;
}

/**
 * An entry whose names the server did not quote, as [grantee ('' = PUBLIC), letters, grantor];
 * undefined for any other (quoted names: explodeAclItem reads those).
 */
export function splitPlainAclItem(item: string): [string, string, string] | undefined {
  if (item.charCodeAt(0) === 34) return undefined; // "
  const equals = item.indexOf('=');
  const slash = item.indexOf('/', equals + 1);
  if (equals < 0 || slash < 0 || item.charCodeAt(slash + 1) === 34) return undefined;
  return [item.slice(0, equals), item.slice(equals + 1, slash), item.slice(slash + 1)];
}

/** Every entry of an ACL (`aclitem[]` read as `text[]`). */
export function explodeAcl(items: readonly string[]): AclEntry[] {
  return items.flatMap(explodeAclItem);
}
