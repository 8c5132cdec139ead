/**
 * The tables whose columns a config's grants name. Introspection reads a table's column
 * names only for these and for tables with a column privilege: the column list of every
 * relation was half the server time of the catalog read at 40,000 tables (issue 13), and
 * only column privileges need it (to check that a column exists, to order columns in SQL).
 */
import type { Config, ConfigGrant } from './types.js';

export interface TableName {
  readonly schema: string;
  readonly name: string;
}

/**
 * Schema and name of every table a grant with `columns` names, in `roles` and in `public`
 * (column grants need explicit objects: no `all_in_schemas`).
 *
 * @example
 * tablesWithColumnGrants(config); // [{ schema: 'public', name: 'customers' }]
 */
export function tablesWithColumnGrants(config: Config): TableName[] {
  const tables = new Map<string, TableName>();
  const add = (grant: ConfigGrant): void => {
    if (grant.objectType !== 'table' || grant.columns === undefined || grant.columns.length === 0)
      return;
    for (const object of grant.objects ?? [])
      if (object.schema !== null)
        tables.set(JSON.stringify([object.schema, object.name]), {
          schema: object.schema,
          name: object.name,
        });
  };
  for (const role of config.roles) for (const grant of role.grants) add(grant);
  for (const grant of config.public?.grants ?? []) add(grant);
  return [...tables.values()];
}
