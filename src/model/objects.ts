/**
 * Names of database objects, as config writes them and as SQL needs them.
 *
 * Config form: `schema.name`, literal and case-sensitive; a part containing a dot or a double
 * quote is written in double quotes with inner quotes doubled (`public."Mixed.Case"`);
 * routines carry their argument types: `public.calc(integer, text)`.
 */
import type { ObjectKind } from './privileges.js';

/** Kinds whose objects live in a schema. */
export const SCHEMA_SCOPED_KINDS: ReadonlySet<ObjectKind> = new Set<ObjectKind>([
  'table',
  'sequence',
  'function',
  'procedure',
  'routine',
  'type',
  'domain',
]);

export const ROUTINE_KINDS: ReadonlySet<ObjectKind> = new Set<ObjectKind>([
  'function',
  'procedure',
  'routine',
]);

export interface ObjectRef {
  readonly kind: ObjectKind;
  /** Schema of schema-scoped kinds, null for the others (database, schema, language, ...). */
  readonly schema: string | null;
  /** The object's name; for a large object, its OID in decimal. */
  readonly name: string;
  /**
   * Routines only: the argument types exactly as the server formats them
   * (`oidvectortypes(proargtypes)`, e.g. `integer, text`). This text goes into SQL unquoted,
   * so it must always come from the catalog, never from the config: the planner resolves a
   * config's `calc(int)` to the catalog's routine and uses the catalog's spelling.
   */
  readonly args?: string;
}

function formatPart(part: string): string {
  // indexOf, not a regular expression: object keys are formatted for every privilege fact.
  return part.indexOf('.') < 0 && part.indexOf('"') < 0 ? part : `"${part.replaceAll('"', '""')}"`;
}

/** Config form of an object name, e.g. `public."Mixed.Case"` or `public.calc(integer, text)`. */
export function formatObjectName(ref: ObjectRef): string {
  const base =
    ref.schema === null
      ? formatPart(ref.name)
      : `${formatPart(ref.schema)}.${formatPart(ref.name)}`;
  return ref.args === undefined ? base : `${base}(${ref.args})`;
}

/** An object kind in words, for messages: `foreign_server` → `foreign server`. */
export function kindLabel(kind: ObjectKind): string {
  return kind.replaceAll('_', ' ');
}

/** An object for messages: `table "public.orders"`. */
export function describeObjectRef(ref: ObjectRef): string {
  return `${kindLabel(ref.kind)} "${formatObjectName(ref)}"`;
}

/** A stable identity for maps and sorting: kind and config-form name. */
export function objectKey(ref: ObjectRef): string {
  return `${ref.kind}:${formatObjectName(ref)}`;
}

/**
 * objectKey, remembered per ref while the returned function is kept: for one pass over many
 * facts that share their object's ref (introspection and resolve share one per object).
 * Local to the pass: nothing outlives it.
 */
export function objectKeysOnce(): (ref: ObjectRef) => string {
  const keys = new Map<ObjectRef, string>();
  return (ref) => {
    let found = keys.get(ref);
    if (found === undefined) {
      found = objectKey(ref);
      keys.set(ref, found);
    }
    return found;
  };
}

export interface ParsedObjectName {
  readonly schema: string | null;
  readonly name: string;
  /** Argument types as written in the config (to be resolved against the catalog). */
  readonly args?: string;
}

/**
 * Parses a config-form name. Schema-scoped kinds need `schema.name`; others take one part.
 * Returns an error message instead of throwing, for the config loader to place.
 */
export function parseObjectName(
  kind: ObjectKind,
  text: string,
): ParsedObjectName | { error: string } {
  const parts: string[] = [];
  let i = 0;
  let args: string | undefined;
  while (i < text.length) {
    let part = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return { error: `unterminated double quote in "${text}"` };
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i];
        i++;
      }
    } else {
      while (i < text.length && text[i] !== '.' && text[i] !== '(') {
        part += text[i];
        i++;
      }
    }
    if (part === '') return { error: `empty name part in "${text}"` };
    parts.push(part);
    if (i >= text.length) break;
    if (text[i] === '.') {
      i++;
      if (i >= text.length) return { error: `name "${text}" ends with a dot` };
      continue;
    }
    if (text[i] === '(') {
      if (!text.endsWith(')')) return { error: `argument list of "${text}" is not closed` };
      args = text.slice(i + 1, -1).trim();
      break;
    }
    return { error: `unexpected character after quoted part in "${text}"` };
  }
  const scoped = SCHEMA_SCOPED_KINDS.has(kind);
  if (args !== undefined && !ROUTINE_KINDS.has(kind))
    return { error: `only routines take an argument list: "${text}"` };
  if (scoped) {
    if (parts.length !== 2) return { error: `"${text}" must be written schema.name` };
    const [schema, name] = parts as [string, string];
    // A routine written without parentheses matches its only overload (or is ambiguous).
    return args === undefined ? { schema, name } : { schema, name, args };
  }
  if (parts.length !== 1)
    return { error: `"${text}" must be a single name (quote a name that contains a dot)` };
  return { schema: null, name: parts[0] as string };
}
