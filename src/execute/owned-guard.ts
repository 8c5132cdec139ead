/**
 * `DROP OWNED` never drops an object. It runs after `REASSIGN OWNED` gave away everything the
 * role owned when the plan was made, so all it has left to remove are privileges, default
 * privileges and policy entries. But the role may still be logged in while the apply runs:
 * while `REASSIGN OWNED` waits for a lock, it can create a table and fill it, and that table,
 * missed by REASSIGN OWNED's scan, would be dropped by DROP OWNED with its data.
 *
 * So, inside the transaction and right before each DROP OWNED, the role's objects in this
 * database are read again; if it owns any, the apply stops (and rolls back) instead of
 * dropping them. Making the role unable to create first would not do: `ALTER ROLE ...
 * NOLOGIN` is invisible to other sessions until COMMIT and never stops an open session, and
 * terminating its sessions cannot be undone when the apply rolls back. The next plan sees the
 * new object and reassigns it.
 */
import { loadSql } from '../introspect/load-sql.js';
import type { Queryable } from '../introspect/queryable.js';

/** Throws, naming them, if `role` owns objects in the connected database. */
export async function checkOwnsNothing(client: Queryable, role: string): Promise<void> {
  const { rows } = await client.query<{ object: string | null }>(loadSql('owned-objects'), [role]);
  if (rows.length === 0) return;
  const objects = rows.map((row) => row.object ?? 'an object dropped meanwhile');
  const shown = objects.slice(0, 5).join(', ') + (objects.length > 5 ? ', ...' : '');
  throw new Error(
    `role "${role}" owns ${objects.length === 1 ? '1 object' : `${objects.length} objects`} that REASSIGN OWNED did not take (${shown}), created while pgward was dropping it; DROP OWNED would drop ${objects.length === 1 ? 'it and its' : 'them and their'} data, so pgward stopped`,
  );
}
