/**
 * `grants` and `default_privileges` of a role: which objects, which privileges, and whether
 * PostgreSQL can express the combination at all.
 */
import { parseObjectName } from '../model/objects.js';
import {
  ALL_IN_SCHEMA_KEYWORD,
  COLUMN_PRIVILEGES,
  DEFAULT_PRIVILEGE_OBJECT_TYPES,
  isGrantableSystemObject,
  isSystemSchema,
  OBJECT_KINDS,
  PRIVILEGES_BY_KIND,
} from '../model/privileges.js';
import type { DefaultPrivilegeObjectType, ObjectKind } from '../model/privileges.js';
import type { ConfigDefaultPrivilege, ConfigGrant, ConfigObjectName } from './types.js';
import type { CheckContext } from './context.js';
import { isRecord, stringItems } from './context.js';
import type { Path } from './describe.js';
import { labelOf, listOr, placeOf, q } from './describe.js';
import { hasControlCharacter, identifierProblem, roleReferenceProblem } from './names.js';
import { checkPrivilegesApply, privilegeList, readPrivileges } from './privileges.js';
import { SETTING_NAME } from './values.js';

/** Largest OID: large objects are named by their 32-bit unsigned OID. */
const MAX_OID = 4294967295;

function isObjectKind(value: unknown): value is ObjectKind {
  return (OBJECT_KINDS as readonly unknown[]).includes(value);
}

/** Checks a schema name: a valid identifier, and not a system schema (pgward never manages those). */
export function checkSchemaName(name: string, path: Path, ctx: CheckContext): boolean {
  const problem = identifierProblem(name, 'schema name');
  if (problem) {
    ctx.report(path, problem);
    return false;
  }
  if (isSystemSchema(name)) {
    ctx.report(path, `schema ${q(name)} is a system schema, which pgward never manages`);
    return false;
  }
  return true;
}

function readObjectName(
  kind: ObjectKind,
  written: string | number,
  path: Path,
  ctx: CheckContext,
): ConfigObjectName | undefined {
  const text = String(written);
  const position = ctx.position(path);
  const where = labelOf(path.slice(0, -2));
  if (kind === 'large_object') {
    if (!/^\d+$/.test(text) || Number(text) > MAX_OID) {
      ctx.report(path, `large object ${q(text)} in ${where} must be an OID (a number)`);
      return undefined;
    }
    return { schema: null, name: String(Number(text)), text, position };
  }
  if (kind === 'parameter') {
    // Parameter names are written as in SET (`plpgsql.extra_warnings`), dots included.
    if (!SETTING_NAME.test(text)) {
      ctx.report(path, `invalid parameter name ${q(text)} in ${where}`);
      return undefined;
    }
    return { schema: null, name: text, text, position };
  }
  if (hasControlCharacter(text)) {
    ctx.report(path, `object name ${q(text)} in ${where} contains a control character`);
    return undefined;
  }
  const parsed = parseObjectName(kind, text);
  if ('error' in parsed) {
    ctx.report(path, `invalid object name in ${where}: ${parsed.error}`);
    return undefined;
  }
  let valid = true;
  // Objects of pg_catalog and information_schema may be named one by one (spec §10).
  if (parsed.schema !== null && !isGrantableSystemObject(kind, parsed.schema))
    valid = checkSchemaName(parsed.schema, path, ctx);
  const nameProblem = identifierProblem(parsed.name, `${kind} name`);
  if (nameProblem) {
    ctx.report(path, nameProblem);
    valid = false;
  } else if (kind === 'schema') {
    valid = checkSchemaName(parsed.name, path, ctx) && valid;
  }
  if (!valid) return undefined;
  return { ...parsed, text, position };
}

/** One entry of `grants`. */
export function readGrant(raw: unknown, path: Path, ctx: CheckContext): ConfigGrant | undefined {
  if (!isRecord(raw)) return undefined;
  const kind = raw.object_type;
  const privileges = readPrivileges(raw.privileges, [...path, 'privileges'], ctx);
  const hasObjects = raw.objects !== undefined;
  const hasAllInSchemas = raw.all_in_schemas !== undefined;
  const hasColumns = raw.columns !== undefined;
  const place = placeOf(path);

  if (hasObjects && hasAllInSchemas)
    ctx.report(
      [...path, 'all_in_schemas'],
      `${place} has both "objects" and "all_in_schemas"; use one of them`,
      'key',
    );
  else if (!hasObjects && !hasAllInSchemas)
    ctx.report(path, `${place} needs "objects" or "all_in_schemas"`);

  if (!isObjectKind(kind)) return undefined;

  const allInSchemaKinds = Object.keys(ALL_IN_SCHEMA_KEYWORD);
  if (hasAllInSchemas && !allInSchemaKinds.includes(kind))
    ctx.report(
      [...path, 'all_in_schemas'],
      `"all_in_schemas" cannot be used with object_type ${kind} (only ${listOr(allInSchemaKinds)})`,
      'key',
    );
  if (hasColumns && kind !== 'table')
    ctx.report(
      [...path, 'columns'],
      `"columns" applies only to object_type table, not ${kind}`,
      'key',
    );
  else if (hasColumns && !hasObjects)
    ctx.report(
      [...path, 'columns'],
      `"columns" needs explicit "objects", not "all_in_schemas"`,
      'key',
    );

  const objects: ConfigObjectName[] = [];
  if (Array.isArray(raw.objects)) {
    raw.objects.forEach((item: unknown, index) => {
      if (typeof item !== 'string' && typeof item !== 'number') return;
      const object = readObjectName(kind, item, [...path, 'objects', index], ctx);
      if (object) objects.push(object);
    });
  }
  const allInSchemas: string[] = [];
  for (const { value, index } of stringItems(raw.all_in_schemas)) {
    if (
      checkSchemaName(value, [...path, 'all_in_schemas', index], ctx) &&
      !allInSchemas.includes(value)
    )
      allInSchemas.push(value);
  }
  const columns: string[] = [];
  for (const { value, index } of stringItems(raw.columns)) {
    const problem = identifierProblem(value, 'column name');
    if (problem) ctx.report([...path, 'columns', index], problem);
    else if (!columns.includes(value)) columns.push(value);
  }

  if (privileges === undefined) return undefined;
  if (hasColumns && kind === 'table')
    checkPrivilegesApply(
      privileges,
      COLUMN_PRIVILEGES,
      'columns',
      'column',
      [...path, 'privileges'],
      ctx,
    );
  else
    checkPrivilegesApply(
      privileges,
      PRIVILEGES_BY_KIND[kind],
      kind,
      kind,
      [...path, 'privileges'],
      ctx,
    );

  return {
    privileges: privilegeList(privileges),
    objectType: kind,
    ...(hasObjects ? { objects } : { allInSchemas }),
    ...(hasColumns ? { columns } : {}),
    withGrantOption: raw.with_grant_option === true,
    position: ctx.position(path),
  };
}

/** One entry of `default_privileges`. */
export function readDefaultPrivilege(
  raw: unknown,
  path: Path,
  ctx: CheckContext,
): ConfigDefaultPrivilege | undefined {
  if (!isRecord(raw)) return undefined;
  const privileges = readPrivileges(raw.privileges, [...path, 'privileges'], ctx);
  if (typeof raw.for_role === 'string') {
    const problem = roleReferenceProblem(raw.for_role, 'for_role');
    if (problem) ctx.report([...path, 'for_role'], problem);
  }
  const schema = typeof raw.schema === 'string' ? raw.schema : null;
  if (schema !== null) checkSchemaName(schema, [...path, 'schema'], ctx);
  // One default ACL covers functions and procedures alike: PostgreSQL calls it FUNCTIONS
  // (ROUTINES is accepted as a synonym), so `routine` is stored as `function`.
  const written = raw.object_type === 'routine' ? 'function' : raw.object_type;
  if (!(DEFAULT_PRIVILEGE_OBJECT_TYPES as readonly unknown[]).includes(written)) return undefined;
  const objectType = written as DefaultPrivilegeObjectType;
  if (objectType === 'schema' && schema !== null)
    ctx.report(
      [...path, 'schema'],
      `"schema" cannot be set with object_type schema: PostgreSQL's default privileges on schemas apply to the whole database (IN SCHEMA cannot be used with ON SCHEMAS)`,
      'key',
    );
  if (privileges === undefined || typeof raw.for_role !== 'string') return undefined;
  checkPrivilegesApply(
    privileges,
    PRIVILEGES_BY_KIND[objectType],
    objectType,
    objectType,
    [...path, 'privileges'],
    ctx,
  );
  return {
    forRole: raw.for_role,
    schema,
    objectType,
    privileges: privilegeList(privileges),
    withGrantOption: raw.with_grant_option === true,
    position: ctx.position(path),
  };
}
