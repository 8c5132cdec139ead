/**
 * The role inventory (spec §5), after PUM's `roles_inventory`: for each configured role,
 * whether it exists and whether it holds what its `permissions` promise on each schema; which
 * roles outside the config reach those schemas; and which login roles reach none of them.
 *
 * Pure: everything comes from one introspection (`CurrentState`) plus the privileges PUBLIC
 * holds in the configured schemas (see `public-privileges.ts`).
 */
import type { Config, Profile, ProfileObjectType } from '../config/types.js';
import { compareStrings } from '../model/order.js';
import { matchesGlob } from '../resolve/protection.js';
import type { ObjectRef } from '../model/objects.js';
import type { ObjectKind, Privilege } from '../model/privileges.js';
import type { CatalogObject, CurrentState } from '../model/state.js';
import {
  effectivePrivileges,
  type EffectivePrivileges,
  type PublicPrivilege,
} from './effective.js';

export interface SchemaPermissionStatus {
  readonly schema: string;
  /** The permission type (profile name) the config gives the role on this schema. */
  readonly expected: string;
  /** USAGE on the schema and SELECT on every table, view and materialized view in it. */
  readonly has_read: boolean;
  /** USAGE on the schema and INSERT, UPDATE and DELETE on every table that stores rows. */
  readonly has_write: boolean;
  /** Every privilege of the expected profile is held, on the schema and each object it covers. */
  readonly satisfied: boolean;
}

export interface ConfiguredRoleStatus {
  readonly name: string;
  readonly exists: boolean;
  /** LOGIN and SUPERUSER, as PUM's listing shows them; null when the role does not exist. */
  readonly login: boolean | null;
  readonly superuser: boolean | null;
  readonly schema_permissions: readonly SchemaPermissionStatus[];
}

export interface UnknownRole {
  readonly name: string;
  /** Configured schemas the role reaches, sorted. */
  readonly schemas: readonly string[];
  readonly login: boolean;
}

/** The inventory; its field names are the JSON form of spec §5. */
export interface Inventory {
  readonly missing_roles: readonly string[];
  readonly configured_roles: readonly ConfiguredRoleStatus[];
  readonly unknown_roles: readonly UnknownRole[];
  readonly other_login_roles: readonly string[];
}

export interface InventoryOptions {
  /** DB-specific roles (spec §4): each configured role R is reported as R and as R_suffix. */
  readonly suffix?: string | undefined;
  /**
   * Privileges PUBLIC holds on the configured schemas and their objects. CurrentState leaves
   * PUBLIC out; without these, what every role gets through PUBLIC does not count.
   */
  readonly publicPrivileges?: readonly PublicPrivilege[];
}

/** Relation kinds that hold rows one can INSERT into: tables, partitioned and foreign tables. */
const WRITABLE_RELKINDS = new Set(['r', 'p', 'f']);

const PROFILE_OBJECT_KINDS: Readonly<Record<ProfileObjectType, readonly ObjectKind[]>> = {
  schema: ['schema'],
  table: ['table'],
  sequence: ['sequence'],
  // As the resolver expands profiles: FUNCTIONS default privileges cover procedures too.
  function: ['function', 'procedure'],
  type: ['type', 'domain'],
};

/**
 * Configured schemas: those named in `permissions`. Explicit `grants` are not PUM permissions
 * and do not make a schema part of the inventory.
 */
export function configuredSchemas(config: Config): string[] {
  const schemas = new Set<string>();
  for (const role of config.roles)
    for (const permission of role.permissions) for (const s of permission.schemas) schemas.add(s);
  return [...schemas].sort();
}

/**
 * Computes the inventory.
 *
 * - `configured_roles`: every configured role in file order (with a suffix: R, then R_suffix;
 *   without one: R, then the variants `suffixedVariants` finds), one entry per (permission,
 *   schema). A generic role under `--suffix` is expected to reach
 *   its permissions through its membership of R_suffix.
 * - `unknown_roles`: roles outside the config that own or hold privileges in a configured
 *   schema themselves or through roles they inherit that are not configured (a member of a
 *   configured role has the access the config gives, not an unknown one). PUBLIC does not
 *   count: it would make every role "known" to the `public` schema.
 * - `other_login_roles`: login roles outside the config with no access at all, configured
 *   roles' access included.
 *
 * Never listed as unknown or other: superusers (they reach everything without grants),
 * `pg_*` roles, the bootstrap superuser, `ignore_roles`, and with a suffix every role named
 * `<configured>_<anything>` (another database's DB-specific roles).
 *
 * @example
 * const inventory = computeInventory(config, await introspect(client), { suffix: 'lausanne' });
 * inventory.missing_roles; // ['reader_lausanne']
 */
export function computeInventory(
  config: Config,
  current: CurrentState,
  options: InventoryOptions = {},
): Inventory {
  const effective = effectivePrivileges(current, options.publicPrivileges);
  const existing = new Map(current.roles.map((role) => [role.name, role.attributes]));
  const schemas = configuredSchemas(config);
  const objectsBySchema = new Map<string, CatalogObject[]>();
  const schemaObjects = new Map<string, CatalogObject>();
  for (const object of current.objects) {
    if (object.kind === 'schema') schemaObjects.set(object.name, object);
    if (object.schema === null) continue;
    const list = objectsBySchema.get(object.schema) ?? [];
    list.push(object);
    objectsBySchema.set(object.schema, list);
  }

  const reaches = (holders: ReadonlySet<string>): string[] =>
    schemas.filter((schema) => {
      const schemaObject = schemaObjects.get(schema);
      if (!schemaObject) return false;
      return (
        effective.touches(holders, schemaObject) ||
        (objectsBySchema.get(schema) ?? []).some((object) => effective.touches(holders, object))
      );
    });

  const suffix = options.suffix;
  const variants =
    suffix === undefined ? suffixedVariants(config, current) : new Map<string, string[]>();
  // Only this database's instance is reported: another database's R_T holds nothing here.
  const discovered = new Map(
    [...variants].map(([role, names]) => [
      role,
      names.filter((name) => reaches(new Set([name])).length > 0),
    ]),
  );
  const variantNames = new Set([...variants.values()].flat());
  const reported: { name: string; configured: Config['roles'][number] }[] = [];
  for (const role of config.roles) {
    reported.push({ name: role.name, configured: role });
    if (suffix !== undefined) reported.push({ name: `${role.name}_${suffix}`, configured: role });
    for (const variant of discovered.get(role.name) ?? [])
      reported.push({ name: variant, configured: role });
  }

  const checker = schemaChecker(effective, schemaObjects, objectsBySchema);
  const configured_roles: ConfiguredRoleStatus[] = reported.map(({ name, configured }) => {
    const attributes = existing.get(name);
    const exists = attributes !== undefined;
    return {
      name,
      exists,
      login: attributes?.login ?? null,
      superuser: attributes?.superuser ?? null,
      schema_permissions: configured.permissions.flatMap((permission) =>
        permission.schemas.map((schema) => {
          const profile = config.profiles[permission.type] ?? {};
          return exists
            ? checker(name, schema, permission.type, profile)
            : {
                schema,
                expected: permission.type,
                has_read: false,
                has_write: false,
                satisfied: false,
              };
        }),
      ),
    };
  });
  const missing_roles = reported.filter(({ name }) => !existing.has(name)).map(({ name }) => name);

  const configuredNames = new Set(reported.map(({ name }) => name));
  const suffixedPrefixes = config.roles.map((role) => `${role.name}_`);
  const isConfigured = (name: string): boolean =>
    configuredNames.has(name) ||
    variantNames.has(name) ||
    (suffix !== undefined && suffixedPrefixes.some((prefix) => name.startsWith(prefix)));
  const isKnown = (name: string): boolean =>
    isConfigured(name) ||
    name.startsWith('pg_') ||
    name === current.server.bootstrapSuperuser ||
    config.settings.ignoreRoles.some((glob) => matchesGlob(name, glob));

  const unknown_roles: UnknownRole[] = [];
  const other_login_roles: string[] = [];
  for (const role of [...current.roles].sort((a, b) => compareStrings(a.name, b.name))) {
    if (isKnown(role.name) || role.attributes.superuser) continue;
    const unexplained = reaches(effective.holders(role.name, { stopAt: isConfigured }));
    if (unexplained.length > 0) {
      unknown_roles.push({ name: role.name, schemas: unexplained, login: role.attributes.login });
    } else if (role.attributes.login && reaches(effective.holders(role.name)).length === 0) {
      other_login_roles.push(role.name);
    }
  }

  return { missing_roles, configured_roles, unknown_roles, other_login_roles };
}

/**
 * The DB-specific variants of configured roles that exist, found without `--suffix` (as PUM's
 * listing finds them): role `X` is a variant of configured role `R` when `X` is not
 * configured itself, is named `R_<something>`, and `R` is a member of `X` — the shape
 * `--suffix` gives them (the generic R is granted R_S). When several configured roles fit
 * (`app` and `app_read` for `app_read_x`), the longest name wins. A role named `R_x` that R is
 * not a member of is not a variant: it stays an unknown or other role. Returns, per configured
 * role, its variants sorted by name. `computeInventory` reports those that reach a configured
 * schema in the connected database themselves (this database's instance) like `--suffix`
 * does, and never lists the others (other databases' instances) as unknown or other roles.
 */
export function suffixedVariants(config: Config, current: CurrentState): Map<string, string[]> {
  const configured = new Set(config.roles.map((role) => role.name));
  const memberOf = new Map<string, Set<string>>();
  for (const { role, member } of current.memberships)
    memberOf.set(member, (memberOf.get(member) ?? new Set()).add(role));
  const variants = new Map<string, string[]>();
  for (const { name } of [...current.roles].sort((a, b) => compareStrings(a.name, b.name))) {
    if (configured.has(name)) continue;
    const generic = config.roles
      .map((role) => role.name)
      .filter((r) => name.length > r.length + 1 && name.startsWith(`${r}_`))
      .filter((r) => memberOf.get(r)?.has(name) === true)
      .sort((a, b) => b.length - a.length)[0];
    if (generic !== undefined) variants.set(generic, [...(variants.get(generic) ?? []), name]);
  }
  return variants;
}

/**
 * Whether every configured role exists and holds every permission the config gives it (no ✗
 * in the text form): `inventory --detailed-exitcode` exits 2 otherwise.
 */
export function inventorySatisfied(inventory: Inventory): boolean {
  return (
    inventory.missing_roles.length === 0 &&
    inventory.configured_roles.every(
      (role) => role.exists && role.schema_permissions.every((permission) => permission.satisfied),
    )
  );
}

function schemaChecker(
  effective: EffectivePrivileges,
  schemaObjects: ReadonlyMap<string, CatalogObject>,
  objectsBySchema: ReadonlyMap<string, readonly CatalogObject[]>,
): (role: string, schema: string, expected: string, profile: Profile) => SchemaPermissionStatus {
  return (role, schema, expected, profile) => {
    const schemaObject = schemaObjects.get(schema);
    if (!schemaObject)
      return { schema, expected, has_read: false, has_write: false, satisfied: false };
    const objects = objectsBySchema.get(schema) ?? [];
    const holdsAll = (targets: readonly ObjectRef[], privileges: readonly Privilege[]): boolean =>
      targets.every((object) => privileges.every((p) => effective.has(role, object, p)));
    const tables = objects.filter((object) => object.kind === 'table');
    const usage = effective.has(role, schemaObject, 'USAGE');
    const has_read = usage && holdsAll(tables, ['SELECT']);
    const has_write =
      usage &&
      holdsAll(
        tables.filter((table) => WRITABLE_RELKINDS.has(table.relkind ?? 'r')),
        ['INSERT', 'UPDATE', 'DELETE'],
      );
    const satisfied = (Object.keys(PROFILE_OBJECT_KINDS) as ProfileObjectType[]).every((type) => {
      const privileges = profile[type] ?? [];
      if (privileges.length === 0) return true;
      const kinds = PROFILE_OBJECT_KINDS[type];
      const targets =
        type === 'schema'
          ? [schemaObject]
          : objects.filter((object) => kinds.includes(object.kind));
      return holdsAll(targets, privileges);
    });
    return { schema, expected, has_read, has_write, satisfied };
  };
}
