/**
 * Ownership (spec §9 `owns`): the `ALTER ... OWNER TO` operations for objects whose owner
 * differs from the declared one, and the state as PostgreSQL leaves it after them, which the
 * rest of the diff compares against.
 *
 * PostgreSQL's aclnewowner() rewrites an object's ACL on an owner change: the old owner's
 * entries (its implicit privileges) become the new owner's, and entries the old owner granted
 * are recorded as granted by the new owner. So grants made by the old owner survive, and the
 * old owner keeps nothing: if the config grants it privileges there, the grant phase (after
 * the owner change, plan/order.ts) gives them back.
 */
import { describeObjectRef, objectKey, SCHEMA_SCOPED_KINDS } from '../model/objects.js';
import type { CatalogObject, CurrentState, DesiredState, PrivilegeFact } from '../model/state.js';
import type { Operation } from '../model/operations.js';
import { withOwners } from '../resolve/desired-owners.js';
import { rolesActingAs, rolesMemberOf } from '../resolve/member-of.js';
import type { Problems } from '../resolve/problems.js';

type AlterOwner = Extract<Operation, { type: 'alter_owner' }>;

/** An `alter_owner` for each declared object whose owner differs (in catalog order). */
export function diffOwners(current: CurrentState, desired: DesiredState): AlterOwner[] {
  const wanted = new Map((desired.owners ?? []).map((entry) => [objectKey(entry.object), entry]));
  if (wanted.size === 0) return [];
  const operations: AlterOwner[] = [];
  for (const object of current.objects) {
    const entry = wanted.get(objectKey(object));
    if (entry === undefined || entry.owner === object.owner) continue;
    operations.push({
      type: 'alter_owner',
      object: entry.object,
      ...(object.relkind !== undefined && { relkind: object.relkind }),
      from: object.owner,
      owner: entry.owner,
    });
  }
  return operations;
}

/** `current` as it is once `changes` ran: new owners, ACL entries rewritten as aclnewowner does. */
export function afterOwnerChanges(
  current: CurrentState,
  changes: readonly AlterOwner[],
): CurrentState {
  if (changes.length === 0) return current;
  const objects = withOwners(current, changes);
  const before = new Map(current.objects.map((object) => [objectKey(object), object.owner]));
  const moved = new Map<string, { from: string; to: string }>();
  for (const object of objects) {
    const from = before.get(objectKey(object));
    if (from !== undefined && from !== object.owner)
      moved.set(objectKey(object), { from, to: object.owner });
  }
  const rename = (role: string, change: { from: string; to: string }): string =>
    role === change.from ? change.to : role;
  const privileges = current.privileges.map((fact): PrivilegeFact => {
    const change = moved.get(objectKey(fact.object));
    if (change === undefined) return fact;
    const { grantors, ...rest } = fact;
    const newGrantors =
      grantors === undefined ? [] : [...new Set(grantors.map((g) => rename(g, change)))].sort();
    return {
      ...rest,
      grantee: rename(fact.grantee, change),
      ...(newGrantors.some((grantor) => grantor !== change.to) && { grantors: newGrantors }),
    };
  });
  const publicPrivileges = current.publicPrivileges?.map((fact) => {
    const change = moved.get(objectKey(fact.object));
    return change === undefined ? fact : { ...fact, grantor: rename(fact.grantor, change) };
  });
  return {
    ...current,
    objects,
    privileges,
    ...(publicPrivileges !== undefined && { publicPrivileges }),
  };
}

/**
 * What a connecting role that is not a superuser needs for `ALTER ... OWNER TO`: to own the
 * object (be a member of its owner), to be able to become the new owner (a member of it; from
 * PostgreSQL 16 with SET), and CREATE on the object's schema (on the database for a schema;
 * CREATEDB for a database). https://www.postgresql.org/docs/current/sql-altertable.html
 */
export function checkOwnerChanges(
  current: CurrentState,
  changes: readonly AlterOwner[],
  problems: Problems,
): void {
  const { server } = current;
  if (server.currentUserIsSuperuser || changes.length === 0) return;
  const user = server.currentUser;
  const actingAs = rolesActingAs(current);
  // ALTER ... OWNER TO needs SET ROLE to the new owner: from 16 through rows with SET,
  // before 16 through any membership (is_member_of_role), INHERIT or not.
  const canSet = rolesMemberOf(
    current.memberships,
    user,
    server.versionNum >= 160000 ? (row) => row.set !== false : undefined,
  ).add(user);
  const createdb = current.roles.find((role) => role.name === user)?.attributes.createdb === true;
  const objects = new Map(current.objects.map((object) => [objectKey(object), object]));
  const hasCreate = (container: CatalogObject | undefined): boolean =>
    container !== undefined &&
    (actingAs.has(container.owner) ||
      current.privileges.some(
        (fact) =>
          objectKey(fact.object) === objectKey(container) &&
          fact.privilege === 'CREATE' &&
          fact.column === undefined &&
          actingAs.has(fact.grantee),
      ) ||
      (current.publicPrivileges ?? []).some(
        (fact) => objectKey(fact.object) === objectKey(container) && fact.privilege === 'CREATE',
      ));
  for (const change of changes) {
    const missing: string[] = [];
    if (!actingAs.has(change.from))
      missing.push(`it does not have the privileges of the owner "${change.from}"`);
    if (!canSet.has(change.owner))
      missing.push(`it cannot SET ROLE to the new owner "${change.owner}"`);
    const { object } = change;
    if (object.kind === 'database') {
      if (!createdb) missing.push('it lacks CREATEDB');
    } else {
      const container =
        object.kind === 'schema'
          ? objects.get(objectKey({ kind: 'database', schema: null, name: server.currentDatabase }))
          : SCHEMA_SCOPED_KINDS.has(object.kind) && object.schema !== null
            ? objects.get(objectKey({ kind: 'schema', schema: null, name: object.schema }))
            : undefined;
      if (container !== undefined && !hasCreate(container))
        missing.push(`it lacks CREATE on ${describeObjectRef(container)}`);
    }
    if (missing.length > 0)
      problems.add(
        `cannot change the owner of ${describeObjectRef(object)} to "${change.owner}": the connecting role "${user}" is not a superuser and ${missing.join(', ')}`,
      );
  }
}
