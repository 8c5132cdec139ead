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

/** The password of a connection URI, as written and percent-decoded; none if there is none. */
function uriPasswords(url: string): string[] {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return [];
    return [parsed.password, decodeURIComponent(parsed.password)];
  } catch {
    return [];
  }
}

export class Redactor {
  /** Longest first, so that a URL is replaced whole before its password inside it. */
  private readonly secrets: readonly string[];

  constructor(secrets: readonly (string | undefined)[]) {
    const all = new Set<string>();
    for (const secret of secrets) {
      if (secret === undefined || secret.trim() === '') continue;
      all.add(secret);
      for (const password of uriPasswords(secret)) all.add(password);
    }
    this.secrets = [...all].sort((a, b) => b.length - a.length);
  }

  /** The values to hide from the log with `::add-mask::` (GitHub masks them from then on). */
  get values(): readonly string[] {
    return this.secrets;
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.replaceAll(secret, REDACTED);
    return result.replace(URI_PASSWORD, `$1${REDACTED}@`);
  }
}
