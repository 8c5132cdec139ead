/**
 * What the semantic checks share: a place to report problems at data paths, and guards for
 * reading data that the schema check may already have found malformed (those parts are
 * skipped here, since the schema problem is reported already).
 */
import type { Problem, SourcePosition } from '../errors.js';
import type { Path } from './describe.js';
import type { Anchor, SourceMap } from './source-map.js';

export class CheckContext {
  readonly problems: Problem[] = [];

  constructor(readonly source: SourceMap) {}

  position(path: Path, anchor: Anchor = 'value'): SourcePosition {
    return this.source.position(path, anchor);
  }

  report(path: Path, message: string, anchor: Anchor = 'value'): void {
    this.problems.push({ message, position: this.position(path, anchor) });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string items of a list, with their indexes (non-strings are schema problems). */
export function stringItems(value: unknown): { value: string; index: number }[] {
  if (!Array.isArray(value)) return [];
  const items: { value: string; index: number }[] = [];
  value.forEach((item: unknown, index) => {
    if (typeof item === 'string') items.push({ value: item, index });
  });
  return items;
}

/** Own entries of a mapping, in file order (none if it is not a mapping). */
export function entries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value) : [];
}
