/**
 * Catalog reads in one snapshot. Introspection runs several queries one after another; inside
 * a REPEATABLE READ transaction they all see the catalog as it was at the first one, so a plan
 * (and its fingerprint) never mixes states from before and after someone else's change.
 * READ ONLY makes sure nothing in here can write.
 */
import type { Queryable } from '../introspect/queryable.js';
import { PIN_SEARCH_PATH_LOCAL } from '../introspect/search-path.js';

export async function inReadOnlySnapshot<T>(
  client: Queryable,
  work: (client: Queryable) => Promise<T>,
): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(PIN_SEARCH_PATH_LOCAL);
    return await work(client);
  } finally {
    // Nothing was written; ROLLBACK also ends a transaction an error left aborted. A lost
    // connection makes it fail too: the original error is the one worth reporting.
    await client.query('ROLLBACK').catch(() => undefined);
  }
}
