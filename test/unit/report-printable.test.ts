/**
 * Human formats show what a reader cannot see: ESC and other control bytes, zero-width and
 * joiner characters, bidi embeddings/overrides/isolates, NBSP and other spaces, U+2028/2029.
 * The SQL format stays SQL: such names become U&"…" identifiers and U&'…' literals.
 */
import { describe, expect, it } from 'vitest';
import { printableStatement } from '../../src/report/printable-sql.js';
import { printable } from '../../src/report/terminal.js';

const INVISIBLE: [string, string][] = [
  ['\u001b', '\\x1b'],
  ['\n', '\\x0a'],
  ['\u007f', '\\x7f'],
  ['\u0085', '\\x85'],
  ['\u00a0', '\\xa0'],
  ['\u00ad', '\\xad'],
  ['\u200b', '\\u200b'],
  ['\u200c', '\\u200c'],
  ['\u200d', '\\u200d'],
  ['\u200e', '\\u200e'],
  ['\u200f', '\\u200f'],
  ['\u202a', '\\u202a'],
  ['\u202b', '\\u202b'],
  ['\u202c', '\\u202c'],
  ['\u202d', '\\u202d'],
  ['\u202e', '\\u202e'],
  ['\u2066', '\\u2066'],
  ['\u2067', '\\u2067'],
  ['\u2068', '\\u2068'],
  ['\u2069', '\\u2069'],
  ['\u2028', '\\u2028'],
  ['\u2029', '\\u2029'],
  ['\u2060', '\\u2060'],
  ['\u3000', '\\u3000'],
  ['\ufeff', '\\ufeff'],
];

describe('printable', () => {
  it.each(INVISIBLE)('escapes %j as %s', (char, shown) => {
    expect(printable(`adm${char}in`)).toBe(`adm${shown}in`);
  });

  it('keeps letters, accents, CJK, emoji and their variation selectors', () => {
    for (const name of ['admin', 'ünïcödé', '日本語', 'team😀', 'love❤️', 'a b']) {
      expect(printable(name)).toBe(name);
    }
  });
});

describe('printableStatement', () => {
  it('rewrites identifiers holding invisible characters as U& identifiers', () => {
    expect(printableStatement('DROP ROLE "adm\u200bin"')).toBe('DROP ROLE U&"adm\\200bin"');
    expect(printableStatement('GRANT "a""\u202eb" TO "plain"')).toBe(
      'GRANT U&"a""\\202eb" TO "plain"',
    );
    expect(printableStatement('DROP ROLE "back\\slash\u001b"')).toBe(
      'DROP ROLE U&"back\\\\slash\\001b"',
    );
  });

  it('rewrites literals, plain and E-strings, as U& literals', () => {
    expect(printableStatement(`COMMENT ON ROLE "r" IS 'line\nit''s'`)).toBe(
      `COMMENT ON ROLE "r" IS U&'line\\000ait''s'`,
    );
    expect(printableStatement(`COMMENT ON ROLE "r" IS E'a\\\\b\u00a0'`)).toBe(
      `COMMENT ON ROLE "r" IS U&'a\\\\b\\00a0'`,
    );
  });

  it('leaves every other statement byte for byte', () => {
    const statement = `ALTER ROLE "Ünïcödé ""x""" SET "search_path" TO 'a', E'b\\\\c', 'it''s'`;
    expect(printableStatement(statement)).toBe(statement);
  });
});
