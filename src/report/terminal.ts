/**
 * Names from the catalog as a terminal shows them: escaped so that they cannot control it, and
 * measured in columns so that tables stay aligned with accents, CJK names and emoji.
 */

/**
 * A name as shown on a terminal: control characters become `\x1b`, so that a role named with
 * an escape sequence cannot rewrite the screen, and one with a newline stays on its line.
 *
 * @example
 * printable('evil\u001b[2J'); // => 'evil\\x1b[2J'
 */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
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
