/**
 * Aligned text columns for a terminal. Columns are measured in the cells a terminal gives a
 * text (`string-width`, which follows Unicode's East Asian Width and emoji data and ignores
 * ANSI colours), not in UTF-16 units: `'名前'.length` is 2 but it takes 4 cells, `❤️` (heart +
 * emoji variation selector) takes 2, `ｶﾞ` (half-width katakana + half-width voiced mark) 2.
 * Only the modules that print tables import this one, so `--version` and `validate` do not
 * load it (test/integration/cli-startup.test.ts).
 */
import stringWidth from 'string-width';

/** `text` followed by spaces up to `width` terminal cells. */
function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/**
 * Rows as aligned columns, two spaces apart: every column but the last padded to its widest
 * cell, no trailing spaces. Cells are already printable (see terminal.ts); colour codes in
 * them take no width.
 *
 * @example
 * alignColumns([['名前', 'login'], ['bob', 'nologin']]);
 * // => ['名前  login', 'bob   nologin']
 */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, stringWidth(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : padToWidth(cell, widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
