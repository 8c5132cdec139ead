/**
 * A plan's fingerprint: sha256 of the introspected state it was computed from. `apply
 * PLANFILE` recomputes it from the live catalog and refuses a plan whose fingerprint differs
 * (the database changed since the plan was reviewed).
 */
import { createHash } from 'node:crypto';
import type { CurrentState } from '../model/state.js';

/**
 * JSON with object keys sorted at every level, so that equal data always gives equal text.
 * `undefined` properties are left out, as JSON.stringify does; Sets become sorted arrays.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

function canonicalize(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(canonicalize).sort(compareJson);
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    // Keys in code-unit order (sort()'s default for strings), copied by assignment: a catalog
    // of thousands of tables has hundreds of thousands of small objects here, and the
    // entries/filter/fromEntries version spent twice as long on each.
    const record = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      // Assigning `__proto__` would set the prototype; the key is data like any other.
      if (key === '__proto__') {
        Object.defineProperty(sorted, key, {
          value: canonicalize(member),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        sorted[key] = canonicalize(member);
      }
    }
    return sorted;
  }
  return value;
}

function compareJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * sha256 (hex) of the state in canonical JSON. The collections of the state are sorted first,
 * so the fingerprint depends on what the catalog holds, not on the order a query returned it.
 */
export function fingerprintState(current: CurrentState): string {
  const sortedCollections = {
    ...current,
    roles: sortedByContent(current.roles),
    memberships: sortedByContent(current.memberships),
    objects: sortedByContent(current.objects),
    privileges: sortedByContent(current.privileges),
    defaultPrivileges: sortedByContent(current.defaultPrivileges),
    dependencies: sortedByContent(current.dependencies),
  };
  return createHash('sha256').update(canonicalJson(sortedCollections)).digest('hex');
}

function sortedByContent(items: readonly unknown[]): string[] {
  return items.map(canonicalJson).sort();
}
