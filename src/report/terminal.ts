/**
 * Names from the catalog as a terminal shows them: escaped so that they cannot control it.
 * (Their width in terminal columns, for tables, is columns.ts's.)
 */

/**
 * Characters a reader cannot see for what they are: control characters (an escape sequence
 * could rewrite the screen, a newline forge a line), and the invisible or look-alike ones that
 * make two different names look the same or reorder what is shown — NBSP and the other
 * Unicode spaces, zero-width characters and joiners, soft hyphen, bidi embeddings, overrides
 * and isolates (U+202A–U+202E, U+2066–U+2069, the "Trojan Source" characters), line and
 * paragraph separators (U+2028, U+2029), the BOM. Variation selectors stay: emoji need them.
 */
// eslint-disable-next-line no-control-regex
export const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u00a0\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufeff\ufff9-\ufffb]|\u034f/g;

/** `\xNN` up to U+00FF, `\uNNNN` beyond: how {@link printable} shows a character. */
export function escapedChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A name as shown on a terminal, in markdown or in a SQL comment: every {@link UNPRINTABLE}
 * character escaped, so that a role named with an escape sequence cannot rewrite the screen,
 * one with a newline stays on its line, and `admin` and `adm\u200bin` look different.
 *
 * @example
 * printable('evil\u001b[2J'); // => 'evil\\x1b[2J'
 * printable('adm\u200bin'); // => 'adm\\u200bin'
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapedChar);
}

/** Lines of a message for a terminal: each line {@link printable}, the line breaks kept. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
