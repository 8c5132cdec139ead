/**
 * Wording of config problems: how names are quoted and how a place in the config is named
 * (`"login" in role "alice"`, `grant #2 of role "bob"`), so every message reads the same.
 */

/** A place in the config data: keys of mappings and indexes of lists, from the top. */
export type Path = readonly (string | number)[];

/**
 * A name or value in double quotes, escaped so the message stays on one line whatever the
 * name contains (newlines, NUL, DEL, Unicode line separators).
 */
export function q(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function ordinal(index: number): string {
  return `#${index + 1}`;
}

/** Names that read better than the generic form, for the containers users think in. */
function specialName(path: Path): string | undefined {
  const [top, name, key, index] = path;
  if (path.length === 1 && typeof top === 'string') return q(top);
  if (typeof name !== 'string') return undefined;
  if (top === 'profiles' && path.length === 2) return `profile ${q(name)}`;
  if (top !== 'roles') return undefined;
  if (path.length === 2) return `role ${q(name)}`;
  if (path.length === 3 && (key === 'password' || key === 'config'))
    return `${q(key)} of role ${q(name)}`;
  if (path.length === 4 && typeof index === 'number') {
    if (key === 'member_of') return `member_of entry ${ordinal(index)} of role ${q(name)}`;
    if (key === 'permissions') return `permission ${ordinal(index)} of role ${q(name)}`;
    if (key === 'grants') return `grant ${ordinal(index)} of role ${q(name)}`;
    if (key === 'default_privileges')
      return `default privilege ${ordinal(index)} of role ${q(name)}`;
  }
  return undefined;
}

/** Names the value at `path`: `"login" in role "alice"`, `item #2 of "objects" in grant #1 of role "bob"`. */
export function labelOf(path: Path): string {
  if (path.length === 0) return 'the config';
  const special = specialName(path);
  if (special !== undefined) return special;
  const parent = path.slice(0, -1);
  const last = path[path.length - 1] as string | number;
  if (typeof last === 'number') return `item ${ordinal(last)} of ${labelOf(parent)}`;
  return parent.length === 0 ? q(last) : `${q(last)} in ${placeOf(parent)}`;
}

/** Names the mapping or list at `path` as the place something is in: `role "alice"`, `"settings"`. */
export function placeOf(path: Path): string {
  if (path.length === 0) return 'the top level';
  return specialName(path) ?? labelOf(path);
}

/** `in role "alice"`, or `at the top level`. */
export function inPlace(path: Path): string {
  return path.length === 0 ? 'at the top level' : `in ${placeOf(path)}`;
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The closest candidate to a misspelt word, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.min(2, Math.floor(lower.length / 3)));
  return bestDistance <= tolerance ? best : undefined;
}

/** ` (did you mean "login"?)`, or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` (did you mean ${q(match)}?)`;
}

/** `a, b or c`. */
export function listOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** What a YAML value is, for `got ...`: short values are shown, containers are named. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string')
    return value.length > 60 ? `${q(value.slice(0, 57))}...` : q(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

/** Like describeValue, but never shows the value itself (passwords). */
export function describeKind(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}
