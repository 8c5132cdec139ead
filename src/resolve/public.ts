/**
 * PUBLIC's privileges (spec §9 `public`): the config's grants to PUBLIC, resolved to facts
 * (diff/public.ts makes PUBLIC's privileges exactly these).
 */
import type { Config } from '../config/types.js';
import { formatObjectName, objectKey } from '../model/objects.js';
import type { ObjectKind } from '../model/privileges.js';
import type { DesiredPublic, DesiredPublicFact } from '../model/state.js';
import { catalogKindsFor, toRef } from './catalog.js';
import { grantPrivileges, resolveTargets, type ResolveContext } from './desired-privileges.js';

/** Catalog kinds each managed kind covers. */
const CATALOG_KINDS: Readonly<Record<string, readonly ObjectKind[]>> = {
  database: ['database'],
  schema: ['schema'],
  table: ['table'],
  sequence: ['sequence'],
  function: ['function', 'procedure'],
  language: ['language'],
  type: ['type', 'domain'],
};

/** The key of one PUBLIC fact, shared with diff/public.ts. */
export function publicFactKey(
  object: { kind: ObjectKind; schema: string | null; name: string },
  column?: string,
): string {
  return `${objectKey(object)}\0${column ?? ''}`;
}

/** The config's `public` on this database; undefined when the config has none. */
export function resolvePublic(ctx: ResolveContext, config: Config): DesiredPublic | undefined {
  const spec = config.public;
  if (spec === undefined) return undefined;
  const kinds = new Set(spec.manage.flatMap((kind) => CATALOG_KINDS[kind] ?? []));
  const facts = new Map<string, DesiredPublicFact>();
  for (const grant of spec.grants) {
    const positions = [grant.position, spec.position];
    const columns =
      grant.columns !== undefined && grant.columns.length > 0 ? grant.columns : undefined;
    const privileges = grantPrivileges(
      ctx,
      grant.objectType,
      grant.privileges,
      columns !== undefined,
      positions,
    );
    const objects = resolveTargets(
      ctx,
      {
        kind: grant.objectType,
        objects: grant.objects,
        allInSchemas: grant.allInSchemas,
        kinds: catalogKindsFor(grant.objectType),
      },
      'public.grants',
      positions,
    );
    for (const object of objects)
      for (const column of columns ?? [undefined]) {
        if (column !== undefined && !(object.columns ?? []).includes(column)) {
          ctx.problems.add(
            `column "${column}" of table "${formatObjectName(object)}" does not exist`,
            ...positions,
          );
          continue;
        }
        for (const privilege of privileges)
          facts.set(`${publicFactKey(object, column)}\0${privilege}`, {
            object: toRef(object),
            ...(column !== undefined && { column }),
            privilege,
          });
      }
  }
  return { kinds, privileges: [...facts.values()] };
}
