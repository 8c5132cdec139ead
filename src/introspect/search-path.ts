/**
 * Every query pgward sends runs with `search_path` pinned to `pg_catalog, pg_temp`. Otherwise
 * a name pgward's SQL leaves unqualified — an operator such as `=` or `!~`, a cast, a function
 * — is looked up through the session's search_path, and `ALTER DATABASE … SET search_path =
 * public, pg_catalog` lets anyone with CREATE on `public` shadow it with a function that then
 * runs with the rights of the (superuser) role pgward connects as (CVE-2018-1058's pattern).
 * With pg_catalog first and pg_temp last nothing a user creates can come before the catalog.
 *
 * Where the pin comes from:
 * - connections pgward opens (CLI, `connect()`): a startup option, which outranks
 *   `ALTER DATABASE/ROLE … SET` and survives `RESET ALL`;
 * - transactions pgward runs on any client (apply, read-only snapshot): `SET LOCAL`;
 * - catalog reads on a caller's client outside those (`planConfig`, `takeInventory` …):
 *   `withPinnedSearchPath`, which puts the caller's value back afterwards.
 * Catalog functions are schema-qualified as well, so the SQL stays safe if read elsewhere.
 *
 * https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-PATTERNS
 */
import type { Queryable } from './queryable.js';

export const PINNED_SEARCH_PATH = 'pg_catalog, pg_temp';

/** The libpq `options` that pin it for a whole session (a space would need `\ ` there). */
export const PIN_SEARCH_PATH_OPTION = '-c search_path=pg_catalog,pg_temp';

/** Pins it for the rest of the current transaction; a utility statement, nothing to resolve. */
export const PIN_SEARCH_PATH_LOCAL = 'SET LOCAL search_path = pg_catalog, pg_temp';

function isPinned(value: string | undefined): boolean {
  return value?.replace(/\s+/g, '') === PINNED_SEARCH_PATH.replace(/\s+/g, '');
}

/**
 * Runs `work` with search_path pinned on `client`, then restores the caller's search_path
 * (session level, as it was read). Already pinned (pgward's own connections and
 * transactions): just runs `work`. Each statement here is safe under any search_path: one
 * qualified function call, no operator.
 */
export async function withPinnedSearchPath<T>(
  client: Queryable,
  work: () => Promise<T>,
): Promise<T> {
  const { rows } = await client.query<{ search_path: string }>(
    "SELECT pg_catalog.current_setting('search_path') AS search_path",
  );
  const previous = rows[0]?.search_path;
  if (previous === undefined || isPinned(previous)) return work();
  await client.query("SELECT pg_catalog.set_config('search_path', $1, false)", [
    PINNED_SEARCH_PATH,
  ]);
  try {
    return await work();
  } finally {
    // In a transaction the work aborted, this fails; the caller's ROLLBACK restores it then.
    await client
      .query("SELECT pg_catalog.set_config('search_path', $1, false)", [previous])
      .catch(() => undefined);
  }
}
