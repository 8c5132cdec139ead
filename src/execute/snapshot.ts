/**
 * Catalog reads in one snapshot. Introspection runs several queries one after another; inside
 * a REPEATABLE READ transaction they all see the catalog as it was at the first one, so a plan
 * (and its fingerprint) never mixes states from before and after someone else's change.
 * READ ONLY makes sure nothing in here can write.
 */
import type { Queryable } from '../introspect/queryable.js';
import { inTransaction } from './transaction.js';

export function inReadOnlySnapshot<T>(
  client: Queryable,
  work: (client: Queryable) => Promise<T>,
): Promise<T> {
  return inTransaction(client, 'read-only snapshot', () => work(client));
}
