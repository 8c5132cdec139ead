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

/**
 * Lists PostgreSQL stores with each element quoted as an identifier where needed
 * (GUC_LIST_QUOTE): `"MyApp", public`, `""` for the empty list. pg_dump's
 * `variable_is_guc_list_quote` names the same ones.
 */
const QUOTED_LIST_SETTINGS: ReadonlySet<string> = new Set([
  'search_path',
  'temp_tablespaces',
  'session_preload_libraries',
  'local_preload_libraries',
  'shared_preload_libraries',
  'unix_socket_directories',
]);

/** Settings whose value is a list (GUC_LIST_INPUT); names compare case-insensitively. */
export const LIST_SETTINGS: ReadonlySet<string> = new Set([...QUOTED_LIST_SETTINGS, 'datestyle']);

/**
 * The one spelling of a setting name pgward uses: PostgreSQL's setting names ignore case
 * (`Work_Mem` and `work_mem` are one setting, stored under its own spelling, `work_mem`), so
 * the config's keys, the catalog's and the diff's are compared in lower case.
 */
export function settingKey(name: string): string {
  return name.toLowerCase();
}

/** Whether a setting takes a list, one literal per element (`search_path`, `DateStyle`, ...). */
export function isListSetting(name: string): boolean {
  return LIST_SETTINGS.has(settingKey(name));
}

/**
 * Whether a config value and a stored one (`pg_db_role_setting.setconfig`) are the same
 * setting. Lists compare element by element, so `MyApp, public` equals what PostgreSQL
 * stores for it, `"MyApp", public`; and a quoted list's empty value, stored as `""` (one
 * empty identifier), equals `''`. Other values compare as written: PostgreSQL stores the
 * string it was given (`8MB` stays `8MB`).
 */
export function sameSettingValue(name: string, wanted: string, stored: string): boolean {
  if (!isListSetting(name)) return wanted === stored;
  const a = listElements(name, wanted);
  const b = listElements(name, stored);
  return a.length === b.length && a.every((element, i) => element === b[i]);
}

function listElements(name: string, value: string): string[] {
  const elements = splitListValue(value);
  // `SET temp_tablespaces TO ''` is stored as `""`: both mean the empty list.
  if (QUOTED_LIST_SETTINGS.has(settingKey(name)) && elements.length === 1 && elements[0] === '')
    return [];
  return elements;
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
