/**
 * `default_privileges` of exported roles, and the privileges on existing objects they imply.
 *
 * The resolver reads a default-privilege entry as also describing the objects that already
 * exist (spec §4; resolve/desired-privileges.ts): an object owned by `for_role` in the entry's
 * schema is expected to carry the entry's privileges. Export follows the same rule, so those
 * privileges are not listed again under `grants`, and an existing object that lacks them is
 * reported (applying the export would grant them: the config cannot say otherwise).
 */
import { roleReferenceProblem } from '../config/names.js';
import type { Catalog } from '../resolve/catalog.js';
import { DEFAULT_PRIVILEGE_COVERS } from '../resolve/desired-privileges.js';
import { compareStrings, key, sortedPrivileges } from '../model/order.js';
import { objectKey } from '../model/objects.js';
import {
  DEFAULT_PRIVILEGE_OBJECT_TYPES,
  isSystemSchema,
  type DefaultPrivilegeObjectType,
  type Privilege,
} from '../model/privileges.js';
import type { CatalogObject, CurrentState, DefaultPrivilegeFact } from '../model/state.js';

export interface ExportedDefaultPrivilege {
  readonly for_role: string;
  readonly schema?: string;
  readonly object_type: DefaultPrivilegeObjectType;
  readonly privileges: readonly Privilege[];
  readonly with_grant_option?: true;
}

/** A privilege on an existing object that a default-privilege entry implies. */
export interface ImpliedPrivilege {
  readonly object: CatalogObject;
  readonly grantee: string;
  readonly privilege: Privilege;
  /** Granted WITH GRANT OPTION by at least one implying entry. */
  readonly grantable: boolean;
  /** The entry that implies it (the first one, for messages). */
  readonly source: DefaultPrivilegeFact;
}

/** Key of a privilege of one grantee on one object (table level). */
export function impliedKey(grantee: string, object: CatalogObject, privilege: Privilege): string {
  return key(grantee, objectKey(object), privilege);
}

export interface ExportedDefaults {
  readonly byGrantee: Map<string, ExportedDefaultPrivilege[]>;
  readonly implied: Map<string, ImpliedPrivilege>;
}

/** Default-privilege facts of exported grantees that the config can hold. */
function exportableFacts(
  current: CurrentState,
  exported: ReadonlySet<string>,
  warnings: string[],
): DefaultPrivilegeFact[] {
  const facts: DefaultPrivilegeFact[] = [];
  const reported = new Set<string>();
  for (const fact of current.defaultPrivileges) {
    if (!exported.has(fact.grantee)) continue;
    // A creator's own entries are its ownership privileges: PostgreSQL's, never the config's.
    if (fact.forRole === fact.grantee) continue;
    if (fact.schema !== null && isSystemSchema(fact.schema)) continue;
    const problem = roleReferenceProblem(fact.forRole, 'for_role');
    if (problem !== undefined) {
      if (!reported.has(fact.forRole))
        warnings.push(`default privileges for role "${fact.forRole}" are not exported: ${problem}`);
      reported.add(fact.forRole);
      continue;
    }
    facts.push(fact);
  }
  return facts;
}

/**
 * The default_privileges entries of each exported grantee, one per (for_role, schema, object
 * type, grant option), and every privilege they imply on existing objects.
 */
export function exportDefaultPrivileges(
  current: CurrentState,
  catalog: Catalog,
  exported: ReadonlySet<string>,
  warnings: string[],
): ExportedDefaults {
  const facts = exportableFacts(current, exported, warnings);

  const grouped = new Map<
    string,
    { grantee: string; fact: DefaultPrivilegeFact; privileges: Privilege[] }
  >();
  for (const fact of facts) {
    const groupKey = key(fact.grantee, fact.forRole, fact.schema, fact.objectType, fact.grantable);
    const group = grouped.get(groupKey) ?? { grantee: fact.grantee, fact, privileges: [] };
    group.privileges.push(fact.privilege);
    grouped.set(groupKey, group);
  }
  const byGrantee = new Map<string, ExportedDefaultPrivilege[]>();
  const sorted = [...grouped.values()].sort(
    (a, b) =>
      compareStrings(a.grantee, b.grantee) ||
      compareStrings(a.fact.forRole, b.fact.forRole) ||
      // In every schema (null) before the per-schema entries.
      compareStrings(a.fact.schema ?? '', b.fact.schema ?? '') ||
      Number(a.fact.schema !== null) - Number(b.fact.schema !== null) ||
      DEFAULT_PRIVILEGE_OBJECT_TYPES.indexOf(a.fact.objectType) -
        DEFAULT_PRIVILEGE_OBJECT_TYPES.indexOf(b.fact.objectType) ||
      Number(a.fact.grantable) - Number(b.fact.grantable),
  );
  for (const { grantee, fact, privileges } of sorted) {
    const entry: ExportedDefaultPrivilege = {
      for_role: fact.forRole,
      ...(fact.schema === null ? {} : { schema: fact.schema }),
      object_type: fact.objectType,
      privileges: sortedPrivileges(privileges),
      ...(fact.grantable ? { with_grant_option: true as const } : {}),
    };
    byGrantee.set(grantee, [...(byGrantee.get(grantee) ?? []), entry]);
  }

  const implied = new Map<string, ImpliedPrivilege>();
  for (const fact of facts) {
    for (const object of coveredObjects(catalog, fact)) {
      const factKey = impliedKey(fact.grantee, object, fact.privilege);
      const seen = implied.get(factKey);
      if (seen !== undefined && (seen.grantable || !fact.grantable)) continue;
      implied.set(factKey, {
        object,
        grantee: fact.grantee,
        privilege: fact.privilege,
        grantable: fact.grantable,
        source: seen?.source ?? fact,
      });
    }
  }
  return { byGrantee, implied };
}

/** Existing objects an entry covers, as the resolver computes them: owned by for_role. */
function coveredObjects(catalog: Catalog, fact: DefaultPrivilegeFact): CatalogObject[] {
  const kinds = DEFAULT_PRIVILEGE_COVERS[fact.objectType];
  const candidates =
    fact.objectType === 'schema'
      ? catalog.schemas()
      : fact.schema === null
        ? catalog.objectsInEverySchema(kinds)
        : catalog.objectsIn(kinds, fact.schema);
  return candidates.filter((object) => object.owner === fact.forRole);
}
