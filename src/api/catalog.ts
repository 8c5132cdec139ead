/**
 * The catalog reads of the library API. The listing queries live in commented `.sql` files
 * next to this module (the build copies them into dist/); the one-line lookups stay here.
 * Names travel as bind parameters, never in the SQL text.
 */
import { readSqlFile } from '../introspect/load-sql.js';
import { quoteIdent } from '../sql/quote.js';

/** The text of `sql/<name>.sql`, read once. */
export function catalogQuery(
  name:
    | 'list-roles'
    | 'list-role-members'
    | 'list-role-grants'
    | 'list-role-scope-grants'
    | 'login-owned-objects',
): string {
  return readSqlFile(new URL(`./sql/${name}.sql`, import.meta.url));
}

export const ROLE_EXISTS_SQL =
  'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1) AS exists';

/**
 * `regrole` and `regprocedure` parse their input as SQL names (unquoted = folded to lower
 * case), so a literal name is passed quoted.
 */
export function regName(name: string): string {
  return quoteIdent(name);
}

/**
 * Routines of a schema with a name, with the argument list as the server spells it
 * (`oidvectortypes`): that spelling, not the caller's, goes into the GRANT. `$3` is the
 * caller's `schema.name(args)` text for `to_regprocedure`, or NULL to match every overload.
 * `to_regprocedure` resolves type aliases (`int` → `integer`) the way the server does.
 */
export const FIND_ROUTINES_SQL = `
SELECT pg_catalog.oidvectortypes(p.proargtypes) AS args, p.prokind AS prokind
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = $1 AND p.proname = $2
  AND ($3::text IS NULL OR p.oid = pg_catalog.to_regprocedure($3::text))
ORDER BY pg_catalog.oidvectortypes(p.proargtypes) COLLATE "C"`;
