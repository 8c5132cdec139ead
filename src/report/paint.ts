/**
 * The one terminal painter: ANSI colours and weights, chosen per report rather than globally.
 * Whether to colour (TTY, NO_COLOR, FORCE_COLOR, --no-color) is the CLI's decision, passed in
 * as a boolean: a library caller asking for colour gets it whatever its environment says.
 */

export type Paint = 'green' | 'yellow' | 'red' | 'dim' | 'bold';

/** Select Graphic Rendition: `open` turns the style on, `close` turns only that style off. */
const wrap =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const ANSI: Readonly<Record<Paint, (text: string) => string>> = {
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

const identity = (text: string): string => text;
const PLAIN: Readonly<Record<Paint, (text: string) => string>> = {
  green: identity,
  yellow: identity,
  red: identity,
  dim: identity,
  bold: identity,
};

/**
 * The painter for one report: escape codes with `color`, the text unchanged without.
 *
 * @example
 * painter(true).green('✓'); // => '\u001b[32m✓\u001b[39m'
 * painter(false).green('✓'); // => '✓'
 */
export function painter(color: boolean): Readonly<Record<Paint, (text: string) => string>> {
  return color ? ANSI : PLAIN;
}
