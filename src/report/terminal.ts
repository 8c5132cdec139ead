/**
 * Names from the catalog as a terminal shows them: escaped so that they cannot control it, and
 * measured in columns so that tables stay aligned with accents, CJK names and emoji.
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

// East Asian Wide and Fullwidth blocks (Unicode's EastAsianWidth.txt, W and F, by block) and
// emoji shown as pictures: terminals give them two columns.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{16fe4}\u{17000}-\u{18aff}\u{1b000}-\u{1b2ff}\u{20000}-\u{2fffd}\u{30000}-\u{3fffd}]|\p{Emoji_Presentation}/u;
// Combining marks and format characters (zero-width space, joiners) take no column of their own.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Columns `text` takes on a terminal: per grapheme (`e` + combining accent is one), two for
 * CJK and emoji, none for a lone combining or format character. Code points are not columns:
 * `'日本語'.length` is 3 but it takes 6.
 *
 * @example
 * displayWidth('ünïcödé'); // => 7
 * displayWidth('日本語ロール'); // => 12
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (WIDE.test(segment)) width += 2;
    else if (!ZERO_WIDTH.test(segment)) width += 1;
  }
  return width;
}

/** `text` followed by spaces up to `width` columns. */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
