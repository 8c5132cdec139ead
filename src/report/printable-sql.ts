/**
 * Statements for the SQL and markdown reports: still SQL that runs, but with no character a
 * reader cannot see (terminal.ts UNPRINTABLE: ESC, newlines, zero-width, bidi overrides, NBSP
 * …). An identifier or literal holding one is rewritten in PostgreSQL's Unicode-escape form,
 * `U&"adm\200bin"`, `U&'line\000aone'`, which names the same thing: what the reviewer reads is
 * what runs. (U&'…' literals need standard_conforming_strings, on by default since 9.1.)
 *
 * https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS-UESCAPE
 */
import { UNPRINTABLE } from './terminal.js';

const HAS_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

/** `text` in a U& body: `\` doubled, the quote doubled, unprintable characters as `\XXXX`. */
function unicodeEscaped(text: string, quote: '"' | "'"): string {
  let body = '';
  for (const char of text) {
    if (char === '\\') body += '\\\\';
    else if (char === quote) body += quote + quote;
    else if (HAS_UNPRINTABLE.test(char))
      body += `\\${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
    else body += char;
  }
  return body;
}

/** Index of the quote that closes a token opened before `from` (doubled quotes stay inside). */
function closingQuote(sql: string, from: number, quote: string, backslashes: boolean): number {
  let i = from;
  while (i < sql.length) {
    if (backslashes && sql[i] === '\\') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i;
    else i++;
  }
  return sql.length;
}

/**
 * `statement` (built by sql/render.ts from keywords, quoteIdent and quoteLiteral) with each
 * identifier or literal that holds an unprintable character in U& form; the rest unchanged.
 *
 * @example
 * printableStatement('DROP ROLE "adm\u200bin"'); // => 'DROP ROLE U&"adm\\200bin"'
 */
export function printableStatement(statement: string): string {
  let out = '';
  let i = 0;
  while (i < statement.length) {
    const char = statement[i] as string;
    const escapeString =
      char === 'E' && statement[i + 1] === "'" && !/\w/.test(statement[i - 1] ?? '');
    if (char === '"') {
      const end = closingQuote(statement, i + 1, '"', false);
      const token = statement.slice(i, end + 1);
      const name = statement.slice(i + 1, end).replaceAll('""', '"');
      out += HAS_UNPRINTABLE.test(name) ? `U&"${unicodeEscaped(name, '"')}"` : token;
      i = end + 1;
    } else if (char === "'" || escapeString) {
      const start = escapeString ? i + 2 : i + 1;
      const end = closingQuote(statement, start, "'", escapeString);
      const token = statement.slice(i, end + 1);
      let value = statement.slice(start, end).replaceAll("''", "'");
      if (escapeString) value = value.replaceAll('\\\\', '\\');
      out += HAS_UNPRINTABLE.test(value) ? `U&'${unicodeEscaped(value, "'")}'` : token;
      i = end + 1;
    } else {
      out += char;
      i++;
    }
  }
  return out;
}
