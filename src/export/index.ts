/**
 * Export: the live roles, memberships and privileges as a pgward config (spec §3,
 * `pgward export`). Pure: a CurrentState in, YAML text out, the same bytes for the same
 * catalog. What it writes is what the resolver reads back to this very state, so that
 * `plan` with the export is a no-op; whatever the config cannot express is in `warnings`.
 */
import { Catalog } from '../resolve/catalog.js';
import type { CurrentState } from '../model/state.js';
import { exportDefaultPrivileges, type ExportedDefaultPrivilege } from './default-privileges.js';
import { exportGrants, type ExportedGrant } from './grants.js';
import { exportOwns, exportPublic, type ExportedOwn, type ExportedPublic } from './owns.js';
import { exportTables, type ExportedTable } from './row-security.js';
import { exportMemberships, exportRoleBase, type ExportedRoleBase } from './roles.js';
import { selectRoles } from './select.js';
import { exportedYaml } from './yaml.js';

export interface ExportOptions {
  /** Globs (`*`, `?`) of role names to export; none = every role pgward may manage. */
  readonly include?: readonly string[];
}

/** One role of the exported config, keys in the config's names and order. */
export interface ExportedRole extends ExportedRoleBase {
  grants?: ExportedGrant[];
  default_privileges?: ExportedDefaultPrivilege[];
  owns?: ExportedOwn[];
}

export interface ExportedConfig {
  readonly version: 1;
  /** PUBLIC's privileges where they differ from a fresh database's (spec §9). */
  readonly public?: ExportedPublic;
  /** Cluster scope (`exportCluster`): the databases the config describes. */
  readonly settings?: { readonly databases: readonly string[] };
  /** Role name -> role, sorted by name (a Map: a role may be called `__proto__`). */
  readonly roles: ReadonlyMap<string, ExportedRole>;
  /** Tables with row-level security or policies (spec §9), absent when there are none. */
  readonly tables?: ReadonlyMap<string, ExportedTable>;
}

export interface ExportResult {
  /** The config as YAML, ending in a newline. */
  readonly yaml: string;
  /** The same config as data. */
  readonly config: ExportedConfig;
  /** What the export could not describe exactly (applying it would change these). */
  readonly warnings: readonly string[];
}

/**
 * Describes the current state as a config. Roles pgward may not manage (pg_*, the bootstrap
 * superuser, the connecting role, managed-cloud admin roles and their members) are left out;
 * passwords are never exported.
 *
 * @example
 * const { yaml, warnings } = exportConfig(await introspect(client), { include: ['app_*'] });
 * // version: 1
 * // roles:
 * //   app_reader:
 * //     grants:
 * //       - privileges: [SELECT]
 * //         object_type: table
 * //         all_in_schemas: [app]
 */
export function exportConfig(current: CurrentState, options: ExportOptions = {}): ExportResult {
  const warnings: string[] = [];
  const { roles, names } = selectRoles(current, options.include ?? [], warnings);
  const catalog = Catalog.of(current);
  const memberships = exportMemberships(current, names, warnings);
  const defaults = exportDefaultPrivileges(current, catalog, names, warnings);
  const grants = exportGrants(current, catalog, names, defaults.implied, warnings);

  const owns = exportOwns(current, new Set(roles.map((role) => role.name)));
  const exported = new Map<string, ExportedRole>();
  for (const role of roles) {
    const entry: ExportedRole = exportRoleBase(role, current.server.currentDatabase);
    const memberOf = memberships.get(role.name);
    if (memberOf !== undefined) entry.member_of = memberOf;
    const roleGrants = grants.get(role.name);
    if (roleGrants !== undefined) entry.grants = roleGrants;
    const roleDefaults = defaults.byGrantee.get(role.name);
    if (roleDefaults !== undefined) entry.default_privileges = roleDefaults;
    const roleOwns = owns.get(role.name);
    if (roleOwns !== undefined) entry.owns = roleOwns;
    exported.set(role.name, entry);
  }
  const tables = exportTables(current);
  const publicSpec = exportPublic(current);
  const config: ExportedConfig = {
    version: 1,
    ...(publicSpec !== undefined && { public: publicSpec }),
    roles: exported,
    ...(tables.size > 0 && { tables }),
  };
  return { yaml: exportedYaml(config), config, warnings };
}
