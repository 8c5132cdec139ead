/**
 * The objects of the grantable system schemas (pg_catalog, information_schema) that a config's
 * grants name. Introspection reads a system object only when something beyond PostgreSQL's
 * initial privileges is granted on it, or when the config names it: reading all of them
 * (thousands of relations and routines) on every plan would cost more than the rest of the
 * catalog read on a small database.
 */
import { GRANTABLE_SYSTEM_SCHEMAS } from '../model/privileges.js';
import type { Config } from './types.js';

/**
 * `schema.name` of every system object a grant names (routines by name: every overload is
 * read, which is harmless).
 *
 * @example
 * systemObjectNames(config); // ['pg_catalog.pg_ls_dir']
 */
export function systemObjectNames(config: Config): string[] {
  const names = new Set<string>();
  for (const role of config.roles) {
    for (const grant of role.grants) {
      for (const object of grant.objects ?? []) {
        if (object.schema !== null && GRANTABLE_SYSTEM_SCHEMAS.includes(object.schema))
          names.add(`${object.schema}.${object.name}`);
      }
    }
  }
  return [...names].sort();
}
