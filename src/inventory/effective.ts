/**
 * Effective privileges computed in memory from one introspection: what a role can do through
 * its own grants, the roles it inherits from, PUBLIC, and the predefined roles that stand for
 * privileges on everything. This is what `has_table_privilege()` answers, without asking the
 * server once per role and object.
 *
 * https://www.postgresql.org/docs/current/role-membership.html
 * https://www.postgresql.org/docs/current/predefined-roles.html
 */
import { objectKey, type ObjectRef } from '../model/objects.js';
import type { Privilege } from '../model/privileges.js';
import type { CurrentMembership, CurrentRole, CurrentState } from '../model/state.js';

/** A privilege PUBLIC holds on an object (explicit or from `acldefault`). */
export interface PublicPrivilege {
  readonly object: ObjectRef;
  readonly privilege: Privilege;
}

/** Predefined roles whose members hold privileges on every object (PostgreSQL 14+). */
const READ_ALL_DATA = 'pg_read_all_data';
const WRITE_ALL_DATA = 'pg_write_all_data';
/** Its only member is, implicitly, the owner of the current database (no pg_auth_members row). */
const DATABASE_OWNER = 'pg_database_owner';

export interface EffectivePrivileges {
  /**
   * Roles whose privileges `role` uses without SET ROLE (itself included), per inheritance;
   * `stopAt` leaves out the roles it accepts and what they inherit.
   */
  holders(
    role: string,
    options?: { readonly stopAt?: (name: string) => boolean },
  ): ReadonlySet<string>;
  /** Whether `role` (through `holders`) can use `privilege` on `object`; PUBLIC counts. */
  has(role: string, object: ObjectRef, privilege: Privilege): boolean;
  /** Whether any of `holders` (not PUBLIC) owns or holds a privilege on `object`. */
  touches(holders: ReadonlySet<string>, object: ObjectRef): boolean;
  isSuperuser(role: string): boolean;
}

/**
 * Builds the lookup. Inheritance follows the server version: before PostgreSQL 16 a member
 * inherits a role's privileges when the member has INHERIT (`rolinherit`, read at each step of
 * the chain); from 16 each grant carries its own INHERIT option (`inherit_option`), and one
 * inheriting grant among several grantors is enough.
 */
export function effectivePrivileges(
  current: CurrentState,
  publicPrivileges: readonly PublicPrivilege[] = [],
): EffectivePrivileges {
  const roles = new Map<string, CurrentRole>(current.roles.map((role) => [role.name, role]));
  const memberOf = new Map<string, CurrentMembership[]>();
  for (const membership of current.memberships) {
    const list = memberOf.get(membership.member) ?? [];
    list.push(membership);
    memberOf.set(membership.member, list);
  }
  const databaseOwner = current.objects.find(
    (object) => object.kind === 'database' && object.name === current.server.currentDatabase,
  )?.owner;

  const granted = new Map<string, Map<string, Set<Privilege>>>();
  for (const fact of current.privileges) {
    // A column privilege does not give the privilege on the whole table.
    if (fact.column !== undefined) continue;
    const key = objectKey(fact.object);
    const byGrantee = granted.get(key) ?? new Map<string, Set<Privilege>>();
    const privileges = byGrantee.get(fact.grantee) ?? new Set<Privilege>();
    privileges.add(fact.privilege);
    byGrantee.set(fact.grantee, privileges);
    granted.set(key, byGrantee);
  }
  const touched = new Map<string, Set<string>>();
  const touch = (key: string, role: string): void => {
    const set = touched.get(key) ?? new Set<string>();
    set.add(role);
    touched.set(key, set);
  };
  for (const fact of current.privileges) touch(objectKey(fact.object), fact.grantee);
  for (const object of current.objects) touch(objectKey(object), object.owner);
  const publicGranted = new Map<string, Set<Privilege>>();
  for (const { object, privilege } of publicPrivileges) {
    const key = objectKey(object);
    const set = publicGranted.get(key) ?? new Set<Privilege>();
    set.add(privilege);
    publicGranted.set(key, set);
  }

  const inherits = (membership: CurrentMembership): boolean =>
    membership.inherit ?? roles.get(membership.member)?.attributes.inherit ?? false;

  const holders = (
    role: string,
    options: { readonly stopAt?: (name: string) => boolean } = {},
  ): Set<string> => {
    const seen = new Set<string>([role]);
    const queue = [role];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      const next = (memberOf.get(name) ?? []).filter(inherits).map((m) => m.role);
      if (name === databaseOwner) next.push(DATABASE_OWNER);
      for (const parent of next) {
        if (seen.has(parent) || options.stopAt?.(parent)) continue;
        seen.add(parent);
        queue.push(parent);
      }
    }
    return seen;
  };
  const holdersCache = new Map<string, Set<string>>();
  const cachedHolders = (role: string): Set<string> => {
    let set = holdersCache.get(role);
    if (!set) {
      set = holders(role);
      holdersCache.set(role, set);
    }
    return set;
  };

  const isSuperuser = (role: string): boolean => roles.get(role)?.attributes.superuser ?? false;

  const grantedByPredefinedRole = (
    roleHolders: ReadonlySet<string>,
    object: ObjectRef,
    privilege: Privilege,
  ): boolean => {
    const read = roleHolders.has(READ_ALL_DATA);
    const write = roleHolders.has(WRITE_ALL_DATA);
    switch (object.kind) {
      case 'schema':
        return privilege === 'USAGE' && (read || write);
      case 'table':
        return (
          (read && privilege === 'SELECT') ||
          (write && (privilege === 'INSERT' || privilege === 'UPDATE' || privilege === 'DELETE'))
        );
      case 'sequence':
        // pg_read_all_data reads sequences (SELECT) but does not give nextval (USAGE).
        return (read && privilege === 'SELECT') || (write && privilege === 'UPDATE');
      default:
        return false;
    }
  };

  const has = (role: string, object: ObjectRef, privilege: Privilege): boolean => {
    if (!roles.has(role)) return false;
    if (isSuperuser(role)) return true;
    const key = objectKey(object);
    if (publicGranted.get(key)?.has(privilege)) return true;
    const roleHolders = cachedHolders(role);
    const byGrantee = granted.get(key);
    if (byGrantee) {
      for (const holder of roleHolders) if (byGrantee.get(holder)?.has(privilege)) return true;
    }
    return grantedByPredefinedRole(roleHolders, object, privilege);
  };

  const touches = (roleHolders: ReadonlySet<string>, object: ObjectRef): boolean => {
    const who = touched.get(objectKey(object));
    if (who) for (const holder of roleHolders) if (who.has(holder)) return true;
    if (object.kind === 'schema' || object.kind === 'table' || object.kind === 'sequence')
      return roleHolders.has(READ_ALL_DATA) || roleHolders.has(WRITE_ALL_DATA);
    return false;
  };

  return {
    holders: (role, options) => (options?.stopAt ? holders(role, options) : cachedHolders(role)),
    has,
    touches,
    isSuperuser,
  };
}
