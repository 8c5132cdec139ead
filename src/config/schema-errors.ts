/**
 * Turns ajv's errors into pgward's messages: one line that names the key or value in quotes,
 * says what was expected, and points at the YAML node (the unknown key itself, or the value).
 */
import type { ErrorObject } from 'ajv';
import type { Problem } from '../errors.js';
import { PRIVILEGES } from '../model/privileges.js';
import type { Path } from './describe.js';
import {
  describeKind,
  describeValue,
  didYouMean,
  inPlace,
  labelOf,
  listOr,
  placeOf,
  q,
  closest,
} from './describe.js';
import type { Anchor, SourceMap } from './source-map.js';

const TYPE_PHRASE: Readonly<Record<string, string>> = {
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

function decodePointer(pointer: string, data: unknown): { path: Path; value: unknown } {
  const path: (string | number)[] = [];
  let value = data;
  if (pointer === '') return { path, value };
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(value)) {
      const index = Number(segment);
      path.push(index);
      value = value[index];
    } else {
      path.push(segment);
      value =
        typeof value === 'object' && value !== null
          ? (value as Record<string, unknown>)[segment]
          : undefined;
    }
  }
  return { path, value };
}

function propertyNames(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: object } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

interface SchemaNode {
  readonly pattern?: string;
  readonly anyOf?: readonly SchemaNode[];
}

/**
 * Whether a `pattern` error is that of `definitions[name]` (or of one of its anyOf branches).
 * By the pattern's text: the validator generated at build time carries copies of the schema's
 * objects, so comparing parentSchema by identity fails there, and schemaPath restarts at "#"
 * in a definition Ajv compiles as a function of its own.
 */
function isDefinitionPattern(error: ErrorObject, schema: unknown, name: string): boolean {
  const definition = (schema as { definitions?: Record<string, SchemaNode> }).definitions?.[name];
  if (definition === undefined) return false;
  return [definition, ...(definition.anyOf ?? [])].some((node) => node.pattern === error.schema);
}

function isPasswordPath(path: Path): boolean {
  return path[0] === 'roles' && path[2] === 'password';
}

function expected(path: Path, types: readonly string[]): string {
  const last = path[path.length - 1];
  if (path[0] === 'roles') {
    if (path.length === 2) return 'a mapping of role settings (or nothing)';
    if (path.length === 4 && path[2] === 'member_of')
      return 'a role name or a mapping like { role: reader, admin: true }';
    if (path.length === 4 && path[2] === 'config') return 'a string, number or boolean';
    if (path.length === 3 && last === 'valid_until')
      return 'a date like "2026-12-31", "infinity" or null';
  }
  if (last === 'privileges') return 'a list of privileges like [SELECT] or "ALL"';
  return listOr(types.map((type) => TYPE_PHRASE[type] ?? type));
}

interface Located {
  readonly message: string;
  readonly path: Path;
  readonly anchor: Anchor;
}

function locate(error: ErrorObject, data: unknown, schema: unknown): Located | undefined {
  const { path, value } = decodePointer(error.instancePath, data);
  const shown = isPasswordPath(path) ? describeKind(value) : describeValue(value);
  const label = labelOf(path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = propertyNames(error);
      const hint = closest(key, allowed)
        ? didYouMean(key, allowed)
        : allowed.length > 0
          ? `; expected one of ${allowed.join(', ')}`
          : '';
      return {
        message: `unknown key ${q(key)} ${inPlace(path)}${hint}`,
        path: [...path, key],
        anchor: 'key',
      };
    }
    case 'type': {
      const types = Array.isArray(params.type) ? params.type.map(String) : [String(params.type)];
      return {
        message: `${label} must be ${expected(path, types)}, got ${shown}`,
        path,
        anchor: 'value',
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      return {
        message: `${label} must be one of ${allowed.join(', ')}, got ${shown}${hint}`,
        path,
        anchor: 'value',
      };
    }
    case 'const':
      return {
        message: `${label} must be ${JSON.stringify(params.allowedValue)}, got ${shown}`,
        path,
        anchor: 'value',
      };
    case 'required': {
      const missing = q(String(params.missingProperty));
      const message =
        path.length === 0
          ? `missing key ${missing} at the top level`
          : `${placeOf(path)} is missing ${missing}`;
      return { message, path, anchor: 'key' };
    }
    case 'minimum':
      return {
        message: `${label} must be ${String(params.limit)} or more, got ${shown}`,
        path,
        anchor: 'value',
      };
    case 'maximum':
      return {
        message: `${label} must be ${String(params.limit)} or less, got ${shown}`,
        path,
        anchor: 'value',
      };
    case 'minItems':
    case 'minLength':
      return { message: `${label} must not be empty`, path, anchor: 'value' };
    case 'minProperties':
    case 'maxProperties': {
      const keys = propertyNames(error);
      return {
        message: `${label} must have exactly one of ${listOr(keys.map(q))}`,
        path,
        anchor: 'value',
      };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      return {
        message: `invalid setting name ${q(name)} in ${placeOf(path)}; expected a name like "search_path" or "app.tenant_id"`,
        path: [...path, name],
        anchor: 'key',
      };
    }
    case 'pattern': {
      // Reported by the propertyNames error above, with the name.
      if (error.schemaPath.includes('/propertyNames/')) return undefined;
      if (isDefinitionPattern(error, schema, 'privilege')) {
        const word = String(value);
        const hint = closest(word, PRIVILEGES)
          ? didYouMean(word, PRIVILEGES)
          : `; expected one of ${PRIVILEGES.join(', ')} or ALL`;
        return {
          message: `unknown privilege ${shown} in ${labelOf(path.slice(0, -1))}${hint}`,
          path,
          anchor: 'value',
        };
      }
      if (isDefinitionPattern(error, schema, 'privileges'))
        return {
          message: `${label} must be ${expected(path, [])}, got ${shown}`,
          path,
          anchor: 'value',
        };
      return { message: `${label} has an invalid form, got ${shown}`, path, anchor: 'value' };
    }
    default:
      return { message: `${label} ${error.message ?? 'is invalid'}`, path, anchor: 'value' };
  }
}

const BRANCH_TYPE = /^\/\d+\/type$/;

/**
 * The schema writes "a list, \"*\" or a mapping" as an `anyOf` with one branch per type, not
 * as a union `type` (which Ajv's strict mode refuses). Ajv then reports every failed branch
 * and the anyOf itself; this gives back what the union type reported: with a value of none of
 * the branches' types, one `type` error naming them all, in order; else only the errors of
 * the branch of its type. Ajv lists a failed anyOf after its branches' errors.
 */
function unionTypeErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const result: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword !== 'anyOf') {
      result.push(error);
      continue;
    }
    const inBranch = (e: ErrorObject): boolean =>
      e.schemaPath.startsWith(`${error.schemaPath}/`) &&
      (e.instancePath === error.instancePath ||
        e.instancePath.startsWith(`${error.instancePath}/`));
    const first = result.findIndex(inBranch);
    const branchErrors = result.filter(inBranch);
    // A branch's own `type`, e.g. `#/definitions/privileges/anyOf` + `/1/type`.
    const typeErrors = branchErrors.filter(
      (e) =>
        e.instancePath === error.instancePath &&
        BRANCH_TYPE.test(e.schemaPath.slice(error.schemaPath.length)),
    );
    const branches = (error.parentSchema as { anyOf?: unknown[] } | undefined)?.anyOf?.length;
    const wrongType = typeErrors.length === branches;
    const kept = result.filter((e) => !(wrongType ? inBranch(e) : typeErrors.includes(e)));
    result.length = 0;
    result.push(...kept);
    if (wrongType && first >= 0) {
      const types = typeErrors.map((e) => String((e.params as { type: unknown }).type));
      result.splice(first, 0, {
        ...error,
        keyword: 'type',
        params: { type: types },
        message: `must be ${types.join(',')}`,
      });
    }
  }
  return result;
}

/** pgward problems for ajv's errors, each placed on its YAML node. */
export function schemaProblems(
  ajvErrors: readonly ErrorObject[],
  data: unknown,
  schema: unknown,
  source: SourceMap,
): Problem[] {
  const errors = unionTypeErrors(ajvErrors);
  // "Exactly one of env, file, hashed" says nothing more when the extra key is unknown anyway.
  const withUnknownKeys = new Set(
    errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath),
  );
  const problems: Problem[] = [];
  for (const error of errors) {
    if (
      (error.keyword === 'maxProperties' || error.keyword === 'minProperties') &&
      withUnknownKeys.has(error.instancePath)
    )
      continue;
    const located = locate(error, data, schema);
    if (located)
      problems.push({
        message: located.message,
        position: source.position(located.path, located.anchor),
      });
  }
  return problems;
}
