/**
 * Keys must be text as written. YAML turns a plain `1.10:` into the number 1.1, `0x1F:` into
 * 31, `1e3:` into 1000, `~:` into null, and `? [a, b]` makes a list a key; read back as object
 * keys those become "1.1", "31", "1000", "null", "a,b" — a role named otherwise than written,
 * or (`"1"` and `1`) two keys that silently collapse into one. Every such key is an error
 * at its position, saying to quote it.
 */
import type { Document, Node, Pair } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Problem, SourcePosition } from '../errors.js';
import type { SourceMap } from './source-map.js';

function readAs(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  if (value instanceof Uint8Array) return 'binary data';
  return `a ${typeof value}`;
}

/** One problem per mapping key that is not a string as written (merge keys `<<` aside). */
export function nonStringKeys(doc: Document.Parsed, source: SourceMap, text: string): Problem[] {
  const problems: Problem[] = [];
  const at = (node: Node | null): SourcePosition =>
    node?.range ? source.offset(node.range[0]) : source.offset(0);
  const written = (node: Node): string =>
    node.range ? text.slice(node.range[0], node.range[1]).trim() : '';
  // Each node once: an alias points at a node already visited where it was anchored.
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items as Pair[]) {
        const key = pair.key as Node | null;
        if (key === null) {
          problems.push({
            message: 'a mapping key is missing (": value" with nothing before the colon)',
            position: at(pair.value as Node | null),
          });
        } else if (isScalar(key)) {
          // `<<` (a merge key) is a symbol; `!!str 12` is the text "12", as its tag says.
          if (typeof key.value !== 'string' && typeof key.value !== 'symbol') {
            const source = key.source ?? written(key);
            problems.push({
              message: `key ${source} is read by YAML as ${readAs(key.value)}, not as the text "${source}"; quote it: "${source}"`,
              position: at(key),
            });
          }
        } else if (isAlias(key)) {
          problems.push({
            message: `key *${key.source} is an alias; write the name out, quoted`,
            position: at(key),
          });
        } else {
          problems.push({
            message: `key ${written(key)} is a ${isSeq(key) ? 'list' : 'mapping'}; a key must be a name: quote it`,
            position: at(key),
          });
        }
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  return problems;
}
