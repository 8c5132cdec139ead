/**
 * Reads the catalog queries of `sql/*.sql`, which sit next to this module in `src/` and, once
 * built, in `dist/` (scripts/build.mjs copies them there).
 */
import { readFileSync } from 'node:fs';

export type CatalogQueryName =
  | 'server'
  | 'roles'
  | 'passwords'
  | 'memberships'
  | 'memberships-pre16'
  | 'objects'
  | 'parameters'
  | 'default-privileges'
  | 'dependencies';

const cache = new Map<CatalogQueryName, string>();

/** The text of `sql/<name>.sql`, read once per process. */
export function loadSql(name: CatalogQueryName): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}
