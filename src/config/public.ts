/**
 * `public:` (spec §9): which object kinds' PUBLIC privileges pgward manages, and the grants
 * PUBLIC holds on them. Grants are read as a role's are; PostgreSQL gives PUBLIC no grant
 * option, and a grant on a kind not in `manage` would never be compared, so both are errors.
 */
import type { ObjectKind } from '../model/privileges.js';
import type { CheckContext } from './context.js';
import { isRecord, stringItems } from './context.js';
import { readGrant } from './grants.js';
import type { ConfigGrant, ConfigPublic, PublicManagedKind } from './types.js';
import { PUBLIC_MANAGED_KINDS } from './types.js';

/** The managed kind an object type of a grant falls under (procedures are functions, ...). */
export const PUBLIC_KIND_OF: Readonly<Partial<Record<ObjectKind, PublicManagedKind>>> = {
  database: 'database',
  schema: 'schema',
  table: 'table',
  sequence: 'sequence',
  function: 'function',
  procedure: 'function',
  routine: 'function',
  language: 'language',
  type: 'type',
  domain: 'type',
};

export function readPublic(raw: unknown, ctx: CheckContext): ConfigPublic | undefined {
  if (!isRecord(raw)) return undefined;
  const path = ['public'];
  const manage: PublicManagedKind[] = [];
  for (const { value } of stringItems(raw.manage))
    if (
      (PUBLIC_MANAGED_KINDS as readonly string[]).includes(value) &&
      !manage.includes(value as PublicManagedKind)
    )
      manage.push(value as PublicManagedKind);
  const grants: ConfigGrant[] = [];
  if (Array.isArray(raw.grants))
    raw.grants.forEach((item: unknown, index) => {
      const itemPath = [...path, 'grants', index];
      const grant = readGrant(item, itemPath, ctx);
      if (grant === undefined) return;
      if (grant.withGrantOption)
        ctx.report(
          [...itemPath, 'with_grant_option'],
          'PUBLIC cannot be given a grant option (PostgreSQL: "grant options can only be granted to roles")',
        );
      const kind = PUBLIC_KIND_OF[grant.objectType];
      if (kind === undefined || !manage.includes(kind)) {
        ctx.report(
          [...itemPath, 'object_type'],
          `grant to PUBLIC on ${grant.objectType} is not under public.manage${kind === undefined ? '' : `; add "${kind}" to manage`}`,
        );
        return;
      }
      grants.push(grant);
    });
  return { manage, grants, position: ctx.position(path) };
}
