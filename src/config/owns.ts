/**
 * `owns` of a role (spec §9): which objects the role owns, explicit or every object of a kind
 * in some schemas. `view` is accepted as another name for `table` (a view is a relation).
 */
import type { ObjectKind } from '../model/privileges.js';
import type { CheckContext } from './context.js';
import { isRecord, stringItems } from './context.js';
import type { Path } from './describe.js';
import { placeOf } from './describe.js';
import { checkSchemaName, readObjectName } from './grants.js';
import type { ConfigObjectName, ConfigOwn, OwnedObjectType } from './types.js';

/** Object types `owns` takes, and the catalog kind each names. */
export const OWNED_OBJECT_TYPES: Readonly<Record<string, OwnedObjectType>> = {
  database: 'database',
  schema: 'schema',
  table: 'table',
  view: 'table',
  sequence: 'sequence',
  function: 'function',
  procedure: 'procedure',
  type: 'type',
};

/** Types whose objects live in schemas, so that `all_in_schemas` applies. */
const IN_SCHEMAS: ReadonlySet<OwnedObjectType> = new Set<OwnedObjectType>([
  'table',
  'sequence',
  'function',
  'procedure',
  'type',
]);

/** One entry of `owns`. */
export function readOwn(raw: unknown, path: Path, ctx: CheckContext): ConfigOwn | undefined {
  if (!isRecord(raw) || typeof raw.object_type !== 'string') return undefined;
  const objectType = OWNED_OBJECT_TYPES[raw.object_type];
  if (objectType === undefined) return undefined;
  const hasObjects = raw.objects !== undefined;
  const hasAllInSchemas = raw.all_in_schemas !== undefined;
  const place = placeOf(path);
  if (hasObjects && hasAllInSchemas) {
    ctx.report(
      [...path, 'all_in_schemas'],
      `${place} has both "objects" and "all_in_schemas"; use one of them`,
      'key',
    );
    return undefined;
  }
  if (!hasObjects && !hasAllInSchemas) {
    ctx.report(path, `${place} needs "objects" or "all_in_schemas"`);
    return undefined;
  }
  if (hasAllInSchemas && !IN_SCHEMAS.has(objectType)) {
    ctx.report(
      [...path, 'all_in_schemas'],
      `"all_in_schemas" cannot be used with object_type ${raw.object_type} in owns`,
      'key',
    );
    return undefined;
  }
  const objects: ConfigObjectName[] = [];
  if (Array.isArray(raw.objects))
    raw.objects.forEach((item: unknown, index) => {
      if (typeof item !== 'string') return;
      const kind: ObjectKind = objectType;
      const object = readObjectName(kind, item, [...path, 'objects', index], ctx);
      if (object) objects.push(object);
    });
  const allInSchemas: string[] = [];
  for (const { value, index } of stringItems(raw.all_in_schemas))
    if (checkSchemaName(value, [...path, 'all_in_schemas', index], ctx)) allInSchemas.push(value);
  return {
    objectType,
    ...(hasObjects ? { objects } : { allInSchemas }),
    position: ctx.position(path),
  };
}
