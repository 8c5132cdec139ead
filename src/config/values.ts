/**
 * Values of role attributes and settings, as the config writes them and as the model holds
 * them: `valid_until` as an ISO UTC timestamp, `config` values as strings.
 */

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * `valid_until` as the model holds it: ISO-8601 UTC, or null for no expiry (`infinity`, which
 * PostgreSQL treats as never expiring). A timestamp without a zone is taken as UTC, so the
 * result does not depend on the machine's or the server's time zone.
 */
export function parseValidUntil(text: string): string | null | { error: string } {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'infinity') return null;
  const match = TIMESTAMP.exec(trimmed);
  const invalid = { error: 'not a valid date or timestamp' };
  if (!match) return invalid;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = ''] = match as unknown as [
    string,
    string,
    string,
    string,
    string?,
    string?,
    string?,
    string?,
    string?,
  ];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return invalid;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return invalid;
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  let offsetMinutes = 0;
  const upperZone = zone.toUpperCase();
  if (upperZone !== '' && upperZone !== 'Z' && upperZone !== 'UTC') {
    const digits = upperZone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2) || '0');
    if (hours > 15 || minutes > 59) return invalid;
    offsetMinutes = (upperZone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  return new Date(date.getTime() - offsetMinutes * 60_000).toISOString();
}

/** The form of a setting name PostgreSQL accepts in `ALTER ROLE ... SET name`: `name` or `prefix.name`. */
export const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/** A `config` value as the string `ALTER ROLE ... SET` receives. */
export function settingValue(value: string | number | boolean): string | { error: string } {
  if (typeof value === 'number' && !Number.isFinite(value))
    return { error: 'must be a finite number' };
  return String(value);
}
