/**
 * Values of `ALTER ROLE ... SET name TO ...`.
 *
 * List-valued settings take their elements as separate literals: `SET search_path TO 'app,
 * public'` sets ONE schema named "app, public", while `SET search_path TO 'app', 'public'` sets
 * two. PostgreSQL stores such a list flattened, with elements in double quotes where needed
 * (`"$user", public, "App"`), which is also how a config writes it (postgresql.conf syntax);
 * so splitting honours double quotes and a stored value renders back to itself.
 * pg_dump does the same (`variable_is_guc_list_quote`, `SplitGUCList`).
 */
import { quoteLiteral } from './quote.js';

/** Settings whose value is a list (GUC_LIST_INPUT); names compare case-insensitively. */
export const LIST_SETTINGS: ReadonlySet<string> = new Set([
  'search_path',
  'temp_tablespaces',
  'session_preload_libraries',
  'local_preload_libraries',
  'shared_preload_libraries',
  'datestyle',
]);

/** Whether a setting takes a list, one literal per element (`search_path`, `DateStyle`, ...). */
export function isListSetting(name: string): boolean {
  return LIST_SETTINGS.has(name.toLowerCase());
}

/**
 * Splits a list value on commas outside double quotes; a double-quoted element loses its
 * quotes (inner `""` becomes `"`), others are trimmed.
 *
 * @example splitListValue('"$user", public') // => ['$user', 'public']
 */
export function splitListValue(value: string): string[] {
  const elements: string[] = [];
  let current = '';
  let quoted = false;
  let inQuotes = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    if (inQuotes) {
      if (char === '"' && value[i + 1] === '"') {
        current += '"';
        i++;
      } else if (char === '"') {
        inQuotes = false;
      } else {
        current += char;
      }
    } else if (char === '"') {
      inQuotes = true;
      quoted = true;
    } else if (char === ',') {
      elements.push(quoted ? current : current.trim());
      current = '';
      quoted = false;
    } else if (char.trim() === '' && (quoted || current === '')) {
      // Whitespace around an element is not part of it (inside an unquoted one, it is).
    } else {
      current += char;
    }
  }
  if (value.trim() !== '' || elements.length > 0) elements.push(quoted ? current : current.trim());
  return elements;
}

/**
 * The SQL after `SET name TO`: one literal, or one literal per element for list settings.
 * An empty list value renders as `''`, which PostgreSQL stores as an empty list (`""`).
 */
export function renderSettingValue(name: string, value: string): string {
  if (!isListSetting(name)) return quoteLiteral(value);
  const elements = splitListValue(value);
  return elements.length === 0 ? quoteLiteral('') : elements.map(quoteLiteral).join(', ');
}
