/**
 * PUBLIC's privileges (spec §9 `public`): resolving the config's grants to PUBLIC, and the
 * GRANT / REVOKE ... PUBLIC that make PUBLIC's privileges on the managed kinds exactly those.
 *
 * The current side is `CurrentState.publicPrivileges`, PUBLIC's ACL entries with acldefault
 * spelled out: PostgreSQL's built-in CONNECT/TEMPORARY on databases, EXECUTE on routines and
 * USAGE on languages and types count as held, so they are revoked unless listed. Only the
 * connected database is managed among databases (the others are other databases' business).
 * `REVOKE ... FROM PUBLIC` removes PUBLIC's entry only: owners and other roles keep theirs.
 */
import type { ObjectKind, Privilege } from '../model/privileges.js';
import type { CurrentState, DesiredPublic, DesiredPublicFact } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import { toRef, type Catalog } from '../resolve/catalog.js';
import { sortedPrivileges } from '../model/order.js';
import type { Problems } from '../resolve/problems.js';
import { rolesActingAs } from '../resolve/member-of.js';
import { publicFactKey } from '../resolve/public.js';

type PublicOperation = Extract<Operation, { type: 'grant_public' | 'revoke_public' }>;

/**
 * GRANT ... TO PUBLIC for what `desired` lists and PUBLIC lacks, REVOKE ... FROM PUBLIC for
 * what PUBLIC holds on a managed object and `desired` does not list — as the grantor when a
 * role other than the owner granted it (only a grantor can revoke its own entry).
 */
export function diffPublic(
  current: CurrentState,
  desired: DesiredPublic | undefined,
  catalog: Catalog,
): PublicOperation[] {
  if (desired === undefined) return [];
  const managed = (object: { kind: ObjectKind; name: string }): boolean =>
    desired.kinds.has(object.kind) &&
    (object.kind !== 'database' || object.name === current.server.currentDatabase);
  const held = new Map<string, Set<Privilege>>();
  const revokes = new Map<
    string,
    {
      fact: NonNullable<CurrentState['publicPrivileges']>[number];
      privileges: Set<Privilege>;
      grantor: string;
    }
  >();
  const wanted = new Set(
    desired.privileges.map(
      (fact) => `${publicFactKey(fact.object, fact.column)}\0${fact.privilege}`,
    ),
  );
  for (const fact of current.publicPrivileges ?? []) {
    if (!managed(fact.object) || catalog.get(fact.object) === undefined) continue;
    const id = publicFactKey(fact.object, fact.column);
    const privileges = held.get(id) ?? new Set<Privilege>();
    privileges.add(fact.privilege);
    held.set(id, privileges);
    if (wanted.has(`${id}\0${fact.privilege}`)) continue;
    const revokeKey = `${id}\0${fact.grantor}`;
    const entry = revokes.get(revokeKey) ?? {
      fact,
      privileges: new Set<Privilege>(),
      grantor: fact.grantor,
    };
    entry.privileges.add(fact.privilege);
    revokes.set(revokeKey, entry);
  }
  const operations: PublicOperation[] = [];
  const grants = new Map<string, { fact: DesiredPublicFact; privileges: Privilege[] }>();
  for (const fact of desired.privileges) {
    const id = publicFactKey(fact.object, fact.column);
    if (held.get(id)?.has(fact.privilege) === true) continue;
    const entry = grants.get(id) ?? { fact, privileges: [] };
    entry.privileges.push(fact.privilege);
    grants.set(id, entry);
  }
  for (const { fact, privileges } of grants.values())
    operations.push({
      type: 'grant_public',
      object: fact.object,
      privileges: sortedPrivileges(privileges),
      ...(fact.column !== undefined && { columns: [fact.column] }),
    });
  for (const { fact, privileges, grantor } of revokes.values()) {
    const owner = catalog.owner(fact.object);
    operations.push({
      type: 'revoke_public',
      object: toRef(fact.object),
      privileges: sortedPrivileges([...privileges]),
      ...(fact.column !== undefined && { columns: [fact.column] }),
      ...(grantor !== owner && { asGrantor: grantor }),
    });
  }
  return operations;
}

/**
 * A connecting role that is not a superuser and connects only thanks to PUBLIC's CONNECT
 * would lock itself out if the plan revoked it: refused at plan time.
 */
export function checkPublicLockout(
  current: CurrentState,
  operations: readonly Operation[],
  problems: Problems,
): void {
  const { server } = current;
  if (server.currentUserIsSuperuser) return;
  const revokesConnect = operations.some(
    (op) =>
      op.type === 'revoke_public' &&
      op.object.kind === 'database' &&
      op.object.name === server.currentDatabase &&
      op.privileges.includes('CONNECT'),
  );
  if (!revokesConnect) return;
  const actingAs = rolesActingAs(current);
  const database = current.objects.find(
    (object) => object.kind === 'database' && object.name === server.currentDatabase,
  );
  const connects =
    (database !== undefined && actingAs.has(database.owner)) ||
    current.privileges.some(
      (fact) =>
        fact.object.kind === 'database' &&
        fact.object.name === server.currentDatabase &&
        fact.privilege === 'CONNECT' &&
        actingAs.has(fact.grantee),
    );
  if (!connects)
    problems.add(
      `revoking CONNECT on database "${server.currentDatabase}" from PUBLIC would lock out the connecting role "${server.currentUser}", which connects through PUBLIC only; grant it CONNECT first`,
    );
}
