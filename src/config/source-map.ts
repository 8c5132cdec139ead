/**
 * Finds where a piece of config data was written, so each problem points at its line and
 * column. Data paths (`roles/alice/login`) are walked through the YAML syntax tree, following
 * aliases and `<<` merge keys the way `toJS` did.
 */
import type { Document, LineCounter, Node, Pair, YAMLMap } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { SourcePosition } from '../errors.js';
import type { Path } from './describe.js';

/** Whether a problem is about a key (unknown, duplicate) or about the value under it. */
export type Anchor = 'key' | 'value';

interface Found {
  readonly key?: Node;
  readonly value?: Node;
  /** Whether the whole path was found (else this is its nearest existing ancestor). */
  readonly complete?: boolean;
}

function hasRange(node: unknown): node is Node & { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as Node).range);
}

/** `key:` with nothing after it parses as an empty null scalar positioned after the colon. */
function isEmptyValue(node: Node): boolean {
  return isScalar(node) && node.value === null && (node.source ?? '') === '';
}

export class SourceMap {
  private readonly pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    private readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** The position of a character offset in the file. */
  offset(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /**
   * Where the data at `path` was written: its key (for problems about the key itself) or its
   * value. When the path does not exist as written (a default, say), the nearest enclosing
   * node that does.
   */
  position(path: Path, anchor: Anchor = 'value'): SourcePosition {
    const found = this.find(path);
    const preferred =
      anchor === 'key'
        ? (found.key ?? found.value)
        : found.value && !isEmptyValue(found.value)
          ? found.value
          : (found.key ?? found.value);
    return hasRange(preferred) ? this.offset(preferred.range[0]) : this.offset(0);
  }

  /** The key and value nodes at `path`, or those of its nearest existing ancestor. */
  private find(path: Path): Found {
    let found: Found = hasRange(this.doc.contents) ? { value: this.doc.contents } : {};
    for (const segment of path) {
      const container = this.deref(found.value);
      let next: Found | undefined;
      if (isMap(container)) {
        const pair = this.findPair(container, String(segment), 0);
        if (pair) next = { key: pair.key as Node, value: pair.value as Node };
      } else if (isSeq(container) && typeof segment === 'number') {
        const item = container.items[segment];
        if (hasRange(item)) next = { value: item };
      }
      if (!next) return found;
      found = next;
    }
    return { ...found, complete: true };
  }

  private deref(node: Node | undefined): Node | undefined {
    // An alias stands for its anchor's node; positions inside it are the anchor's.
    return isAlias(node) ? (node.resolve(this.doc) ?? undefined) : node;
  }

  /** The pair for `key` in a mapping, own keys first, then those brought in by `<<`. */
  private findPair(map: YAMLMap, key: string, depth: number): Pair | undefined {
    const own = this.indexOf(map).get(key);
    if (own || depth > 20) return own;
    for (const pair of map.items as Pair[]) {
      if (!this.isMerge(pair)) continue;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) {
        const target = this.deref(source as Node | undefined);
        if (!isMap(target)) continue;
        const merged = this.findPair(target, key, depth + 1);
        if (merged) return merged;
      }
    }
    return undefined;
  }

  /** Pairs of a mapping by key, built once: looking keys up one by one would be quadratic. */
  private indexOf(map: YAMLMap): Map<string, Pair> {
    let index = this.pairIndexes.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items as Pair[])
        if (isScalar(pair.key) && !this.isMerge(pair) && !index.has(String(pair.key.value)))
          index.set(String(pair.key.value), pair);
      this.pairIndexes.set(map, index);
    }
    return index;
  }

  private isMerge(pair: Pair): boolean {
    return isScalar(pair.key) && pair.key.source === '<<' && pair.value !== null;
  }

  /** The keys of the mapping at `path` in the order written (keys brought in by `<<` last). */
  keysInOrder(path: Path): string[] {
    const keys: string[] = [];
    const collect = (node: Node | undefined, depth: number): void => {
      const map = this.deref(node);
      if (!isMap(map) || depth > 20) return;
      for (const pair of map.items as Pair[]) {
        if (this.isMerge(pair)) continue;
        if (isScalar(pair.key)) keys.push(String(pair.key.value));
      }
      for (const pair of map.items as Pair[]) {
        if (!this.isMerge(pair)) continue;
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const source of sources) collect(source as Node | undefined, depth + 1);
      }
    };
    const found = this.find(path);
    if (found.complete) collect(found.value, 0);
    return keys;
  }

  /** The first alias (`*name`, or any) in the document, for problems about aliases. */
  firstAlias(name?: string): SourcePosition | undefined {
    let first: number | undefined;
    const visit = (node: unknown): void => {
      if (isAlias(node)) {
        const wanted = name === undefined || node.source === name;
        if (wanted && hasRange(node) && (first === undefined || node.range[0] < first))
          first = node.range[0];
      } else if (isMap(node)) {
        for (const pair of node.items as Pair[]) {
          visit(pair.key);
          visit(pair.value);
        }
      } else if (isSeq(node)) {
        for (const item of node.items) visit(item);
      }
    };
    visit(this.doc.contents);
    return first === undefined ? undefined : this.offset(first);
  }

  /**
   * Every key written twice in the same mapping, with the mapping's path and the repeat's
   * position; one pass with a set per mapping, so linear in the size of the document.
   */
  duplicateKeys(): { key: string; path: Path; position: SourcePosition }[] {
    const duplicates: { key: string; path: Path; position: SourcePosition }[] = [];
    const visit = (node: unknown, path: Path): void => {
      if (isMap(node)) {
        const seen = new Set<string>();
        for (const pair of node.items as Pair[]) {
          if (!isScalar(pair.key) || !hasRange(pair.key) || this.isMerge(pair)) continue;
          const key = String(pair.key.value);
          // A key that is not text (`1`, `~`) is an error of its own (yaml-keys.ts).
          if (typeof pair.key.value === 'string') {
            if (seen.has(key))
              duplicates.push({ key, path, position: this.offset(pair.key.range[0]) });
            seen.add(key);
          }
          visit(pair.value, [...path, key]);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => visit(item, [...path, index]));
      }
    };
    visit(this.doc.contents, []);
    return duplicates;
  }
}
