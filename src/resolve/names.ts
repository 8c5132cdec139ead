/**
 * The one place where a role's config name becomes its database name.
 *
 * With `--suffix S` (PUM's database-specific roles, spec §4) every declared role `R` is created
 * as `R_S`, and every reference to a declared role follows it; a reference to a role the config
 * does not declare (`member_of: [pg_read_all_data]`) keeps its name. The generic role `R` that
 * suffix mode also creates (a member of `R_S`, with no privileges of its own) is added on top
 * of this mapping, in `desired.ts`, not here.
 */

export interface RoleNames {
  /** The suffix in effect, if any. */
  readonly suffix?: string;
  /** Whether the config declares a role of this (config) name. */
  isDeclared(configName: string): boolean;
  /** Database name of a role named anywhere in the config. */
  toDatabase(configName: string): string;
  /**
   * Database name of a role the config used to declare (`renamed_from`): it was created with
   * the suffix too, though the config no longer declares it.
   */
  formerToDatabase(configName: string): string;
}

/** Builds the name mapping for a config's declared roles. */
export function roleNames(declared: Iterable<string>, suffix?: string): RoleNames {
  const declaredSet = new Set(declared);
  const withSuffix = (name: string): string => (suffix === undefined ? name : `${name}_${suffix}`);
  return {
    ...(suffix === undefined ? {} : { suffix }),
    isDeclared: (name) => declaredSet.has(name),
    toDatabase: (name) => (declaredSet.has(name) ? withSuffix(name) : name),
    formerToDatabase: withSuffix,
  };
}
