/**
 * From what a user types (`SELECT table public.orders`) to a privilege and an object of the
 * catalog read. Names are literal and written as in the config (model/objects.ts): a part with
 * a dot or a double quote in double quotes; a routine as `schema.name(argtypes)` with the types
 * as the server spells them, or `schema.name` for its only overload. Errors are returned as
 * messages naming the thing, for the caller to raise.
 */
import { parseObjectName } from '../model/objects.js';
import type { Privilege } from '../model/privileges.js';
import {
  EXPLAIN_KINDS,
  objectName,
  type ExplainCatalog,
  type ExplainKind,
  type ExplainObject,
} from '../model/explain-catalog.js';
import { findObject, privilegesOf, type ExplainTarget } from './privilege.js';

export type Resolved<T> = { readonly ok: T } | { readonly error: string };

const KIND_ALIASES: Readonly<Record<string, ExplainKind>> = {
  view: 'table',
  procedure: 'function',
  routine: 'function',
};

export function resolveKind(text: string): Resolved<ExplainKind> {
  const lower = text.toLowerCase();
  const kind = KIND_ALIASES[lower] ?? EXPLAIN_KINDS.find((k) => k === lower);
  if (kind === undefined)
    return { error: `object type "${text}" is not one explain knows: ${EXPLAIN_KINDS.join(', ')}` };
  return { ok: kind };
}

export function resolvePrivilege(
  catalog: ExplainCatalog,
  kind: ExplainKind,
  text: string,
): Resolved<Privilege> {
  const upper = text.toUpperCase() === 'TEMP' ? 'TEMPORARY' : text.toUpperCase();
  const allowed = privilegesOf(catalog, kind);
  const privilege = allowed.find((p) => p === upper);
  if (privilege === undefined)
    return {
      error: `privilege "${text}" does not apply to a ${kind} on this server: ${allowed.join(', ')}`,
    };
  return { ok: privilege };
}

/** Splits `schema.table.column` at the last dot outside double quotes. */
function splitColumn(text: string): { table: string; column: string } | null {
  let quoted = false;
  let lastDot = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '.' && !quoted) lastDot = i;
  }
  if (lastDot <= 0) return null;
  const column = parseObjectName('schema', text.slice(lastDot + 1));
  if ('error' in column) return null;
  return { table: text.slice(0, lastDot), column: column.name };
}

function normalizeArgs(args: string): string {
  return args
    .replace(/\s+/g, ' ')
    .replace(/\s*,\s*/g, ', ')
    .trim();
}

/**
 * The schema whose objects an explain of `text` needs read (`''`: none, for a database or a
 * schema), or undefined when the text does not parse: then everything is read and
 * {@link resolveTarget} reports the error.
 */
export function targetSchema(kind: ExplainKind, text: string): string | undefined {
  if (kind === 'database' || kind === 'schema') return '';
  const split = kind === 'column' ? splitColumn(text) : { table: text };
  if (split === null) return undefined;
  const parsed = parseQualified(kind === 'column' ? 'table' : kind, split.table);
  return 'error' in parsed ? undefined : (parsed.schema ?? undefined);
}

/** A schema-scoped name; without a schema it is looked up in public, as search_path would. */
function parseQualified(kind: 'table' | 'sequence' | 'function', text: string) {
  const parsed = parseObjectName(kind, text);
  if ('error' in parsed && !text.includes('.')) return parseObjectName(kind, `public.${text}`);
  return parsed;
}

export function resolveTarget(
  catalog: ExplainCatalog,
  kind: ExplainKind,
  text: string,
): Resolved<ExplainTarget> {
  let column: string | undefined;
  let objectText = text;
  if (kind === 'column') {
    const split = splitColumn(text);
    if (split === null) return { error: `column "${text}" must be written schema.table.column` };
    objectText = split.table;
    column = split.column;
  }
  const readKind = kind === 'column' ? 'table' : kind;
  const scoped = readKind !== 'database' && readKind !== 'schema';
  const parsed = scoped
    ? parseQualified(readKind, objectText)
    : parseObjectName(readKind, objectText);
  if ('error' in parsed) return { error: parsed.error };
  let candidates: ExplainObject[] = findObject(catalog, readKind, parsed.schema, parsed.name);
  if (parsed.args !== undefined) {
    const wanted = normalizeArgs(parsed.args);
    candidates = candidates.filter((object) => object.args === wanted);
  }
  if (candidates.length === 0)
    return { error: `${kind === 'column' ? 'table' : kind} "${objectText}" does not exist` };
  if (candidates.length > 1)
    return {
      error: `function "${objectText}" has several overloads: name one of ${candidates
        .map((object) => `"${objectName(object)}"`)
        .join(', ')}`,
    };
  const object = candidates[0] as ExplainObject;
  if (column !== undefined) {
    if (!(object.columns ?? []).includes(column))
      return { error: `column "${column}" of table "${objectName(object)}" does not exist` };
    return { ok: { kind, object, column } };
  }
  return { ok: { kind, object } };
}
