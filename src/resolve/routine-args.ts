/**
 * Comparing a routine's argument list as a person writes it (`calc(int, varchar)`) with the
 * way the server prints it (`oidvectortypes(proargtypes)`: `integer, character varying`).
 * The config's spelling is only ever compared; SQL always uses the catalog's.
 */

/** SQL type aliases, mapped to the names `format_type` prints. */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: 'integer',
  int4: 'integer',
  int8: 'bigint',
  int2: 'smallint',
  bool: 'boolean',
  varchar: 'character varying',
  char: 'character',
  float8: 'double precision',
  float: 'double precision',
  float4: 'real',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
  decimal: 'numeric',
  varbit: 'bit varying',
};

/** Normalizes an argument list for comparison: aliases, case, whitespace, type modifiers. */
export function normalizeArgs(args: string): string {
  return splitTopLevel(args)
    .map(normalizeType)
    .filter((type) => type !== '')
    .join(', ');
}

function normalizeType(text: string): string {
  let type = '';
  // Unquoted words fold to lower case, as SQL does; quoted identifiers stay literal unless
  // quoting was unnecessary (`"mytype"` is `mytype`).
  for (const token of text.match(/"(?:[^"]|"")*"|[^"]+/g) ?? []) {
    if (token.startsWith('"')) {
      const inner = token.slice(1, -1);
      type += /^[a-z_][a-z0-9_$]*$/.test(inner) ? inner : token;
    } else {
      type += token.toLowerCase();
    }
  }
  type = type
    .replace(/\s+/g, ' ')
    // Type modifiers do not take part in a routine's signature: numeric(10,2) is numeric.
    .replace(/\s*\([^)]*\)/g, '')
    .replace(/\s*(\[\s*\d*\s*\])/g, '[]')
    .replace(/\s*\.\s*/g, '.')
    .trim();
  const array = /^(.*?)((?:\[\])*)$/.exec(type);
  const base = array?.[1] ?? type;
  const brackets = array?.[2] ?? '';
  return (TYPE_ALIASES[base] ?? base) + brackets;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth++;
    else if (!quoted && char === ')') depth--;
    else if (!quoted && depth === 0 && char === ',') {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}
