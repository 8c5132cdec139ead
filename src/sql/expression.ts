/**
 * Row-level security expressions (`using`, `with_check`) are SQL written by the user and go
 * into statements as they are: they cannot be quoted like names or values. What keeps one from
 * becoming more than one expression is this check, run when the config is loaded and again
 * when a statement is rendered: outside string literals, quoted identifiers and dollar quotes,
 * no `;`, no comment (which could swallow the closing parenthesis pgward puts around it), and
 * parentheses that balance without ever closing more than they opened. Wrapped in parentheses,
 * such a text is one parenthesized expression or a syntax error, never a second statement.
 * The server then parses it at plan time (see introspect/row-security.ts).
 */

/** Why `text` cannot be used as one expression, or null when it can. */
export function expressionProblem(text: string): string | null {
  if (text.trim() === '') return 'is empty';
  if (text.includes('\0')) return 'contains a NUL character';
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === "'" || c === '"') {
      // standard_conforming_strings (on since 9.1): a quote inside is doubled; E'' strings
      // take backslash escapes, so a backslash skips the next character there.
      const escapes = c === "'" && i > 0 && /[eE]/.test(text[i - 1] as string);
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return `has an unterminated ${c === "'" ? 'string' : 'quoted name'}`;
        if (escapes && text[j] === '\\') {
          j += 2;
          continue;
        }
        if (text[j] === c) {
          if (text[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      i = j + 1;
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (tag !== null && !(i > 0 && /[A-Za-z0-9_]/.test(text[i - 1] as string))) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        if (end === -1) return 'has an unterminated dollar-quoted string';
        i = end + tag[0].length;
        continue;
      }
    }
    if (c === ';') return 'contains ";" (one expression, not statements)';
    if ((c === '-' && next === '-') || (c === '/' && next === '*')) return 'contains a comment';
    if (c === '(') depth++;
    if (c === ')') {
      depth--;
      if (depth < 0) return 'closes a parenthesis it did not open';
    }
    i++;
  }
  return depth === 0 ? null : 'has unbalanced parentheses';
}
