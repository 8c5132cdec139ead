/**
 * Secrets the action must never print: the database URL and its password, the GitHub token.
 * Every text the action writes — log, job summary, outputs, pull-request comment — passes
 * through one Redactor, so a server or driver message that quotes the connection string
 * cannot leak it (spec §3: passwords never appear in any output).
 */

/** What replaces a secret. GitHub's own masking prints the same. */
export const REDACTED = '***';

/** `postgres://user:password@host` anywhere in a text: the password part. */
const URI_PASSWORD = /(postgres(?:ql)?:\/\/[^:/?#@\s]*:)([^@\s]*)@/gi;

/**
 * The passwords a connection URI carries, as written: the userinfo's (split at the first and at
 * the last `@`, since an unencoded `@` in a password is ambiguous) and a `password` query
 * parameter's. Read from the text itself: a URI `new URL()` refuses (`100%sure`) still has one.
 */
function uriPasswords(url: string): string[] {
  const match = /^postgres(?:ql)?:\/\/([^?#]*)/i.exec(url.trim());
  if (match === null) return [];
  const authority = match[1] ?? '';
  const passwords = [authority.indexOf('@'), authority.lastIndexOf('@')].flatMap((at) => {
    const userinfo = at === -1 ? '' : authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    return colon === -1 ? [] : [userinfo.slice(colon + 1)];
  });
  for (const [, value] of url.matchAll(/[?&]password=([^&#]*)/gi)) passwords.push(value ?? '');
  return passwords.filter((password) => password !== '');
}

/** Each valid `%XX` decoded, anything else kept: a stray `%` does not stop the decoding. */
function percentDecoded(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const escape = /^%[0-9A-Fa-f]{2}/.exec(text.slice(i, i + 3));
    if (escape) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The forms a secret may take in someone else's output: as written, percent-decoded and
 * percent-encoded, in Unicode's composed and decomposed forms, and escaped inside a JSON string.
 */
function writtenForms(secret: string): string[] {
  const decoded = percentDecoded(secret);
  const forms = new Set([secret, decoded, encodeURIComponent(decoded)]);
  for (const form of Array.from(forms)) {
    forms.add(form.normalize('NFC'));
    forms.add(form.normalize('NFD'));
  }
  // A snapshot: escaping the escaped forms again would never end.
  for (const form of Array.from(forms)) forms.add(JSON.stringify(form).slice(1, -1));
  return [...forms];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Redactor {
  /** Longest first, so that a URL is replaced whole before its password inside it. */
  private readonly secrets: readonly string[];
  private readonly pattern: RegExp | undefined;

  constructor(secrets: readonly (string | undefined)[]) {
    const all = new Set<string>();
    for (const secret of secrets) {
      if (secret === undefined || secret.trim() === '') continue;
      for (const form of writtenForms(secret)) all.add(form);
      for (const password of uriPasswords(secret)) {
        for (const form of writtenForms(password)) all.add(form);
      }
    }
    this.secrets = [...all].sort((a, b) => b.length - a.length);
    // Case-insensitive: percent escapes may come back in either case (`%c3` / `%C3`), and
    // hiding a few more characters than needed costs nothing.
    this.pattern =
      this.secrets.length === 0
        ? undefined
        : new RegExp(this.secrets.map(escapeRegExp).join('|'), 'gi');
  }

  /** The values to hide from the log with `::add-mask::` (GitHub masks them from then on). */
  get values(): readonly string[] {
    return this.secrets;
  }

  redact(text: string): string {
    const result = this.pattern === undefined ? text : text.replace(this.pattern, REDACTED);
    return result.replace(URI_PASSWORD, `$1${REDACTED}@`);
  }
}
