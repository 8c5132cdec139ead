/**
 * Reads the catalog queries kept in `sql/*.sql` files next to the modules that run them (in
 * `src/` and, once built, in `dist/`: scripts/build.mjs copies them there). Each file is read
 * on first use, not at import, so a command that never runs a query never reads its file.
 */
import { readFileSync } from 'node:fs';

export type CatalogQueryName =
  | 'server'
  | 'roles'
  | 'passwords'
  | 'memberships'
  | 'memberships-pre16'
  | 'role-database-settings'
  | 'objects'
  | 'named-objects'
  | 'table-columns'
  | 'parameters'
  | 'default-privileges'
  | 'dependencies'
  | 'linked-sequences'
  | 'row-security'
  | 'owned-objects'
  | 'explain';

const cache = new Map<string, string>();

/**
 * The text of a `.sql` file, read once per process. `file` is resolved by the caller against
 * its own module: `new URL('./sql/name.sql', import.meta.url)`.
 */
export function readSqlFile(file: URL): string {
  let text = cache.get(file.href);
  if (text === undefined) {
    text = readFileSync(file, 'utf8');
    cache.set(file.href, text);
  }
  return text;
}

/** The text of introspection's `sql/<name>.sql`. */
export function loadSql(name: CatalogQueryName): string {
  return readSqlFile(new URL(`./sql/${name}.sql`, import.meta.url));
}
