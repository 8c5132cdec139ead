/**
 * The order in which a plan runs its operations — written once, here.
 *
 * 1. rename roles: every later statement names roles by their new names;
 * 2. create roles: grants and memberships below may name them;
 * 3. alter roles (attributes, passwords, comments, settings);
 * 4. grant memberships and change membership options;
 * 4½. change owners (`owns`): the new owner takes over the old owner's ACL entries (PostgreSQL
 *    rewrites them), so the grants and revokes below are computed for, and run against, the
 *    objects' new owners — a grant to the former owner comes after the change that took its
 *    owner's privileges away; it needs the memberships above when the connecting role acts
 *    through them;
 * 5. grant privileges, then default privileges;
 * 5½. row-level security (`tables`): drop policies, create, alter, then the tables' flags —
 *    after roles exist (a policy names them) and before roles are dropped (a policy naming a
 *    role keeps DROP ROLE from running); a policy whose command or kind changes is dropped
 *    and created again in the same transaction;
 * 6. revoke privileges, then default privileges: a role never holds less than it needs while
 *    its new grants are not yet in place, and a role to be dropped must hold none. A revoke
 *    made as the role that granted the privilege comes before any revoke from that role.
 *    Then grant column privileges: REVOKE on a table also revokes that privilege on each of
 *    its columns, so a column grant made before it would be undone;
 * 7. revoke memberships;
 * 8. drop roles, per role: REASSIGN OWNED, DROP OWNED, DROP ROLE — DROP ROLE fails while the
 *    role owns objects or holds privileges in the database. The grants that the heir's
 *    default privileges call for on the objects it inherits (see resolve/owners-after.ts) are
 *    made in 5 all the same: made on the old owner's behalf, they are handed to the heir by
 *    REASSIGN OWNED with the objects (ALTER ... OWNER rewrites the ACL's grantor).
 *
 * Within a phase the order is a stable key (role, object kind, object names, ...) compared by
 * code unit, never by locale, so that the same operations always give the same plan.
 */
import { OBJECT_KINDS, privilegePlace } from '../model/privileges.js';
import { objectKey } from '../model/objects.js';
import type { GrantTarget, Operation, OperationType } from '../model/operations.js';
import { canonicalJson } from './fingerprint.js';

const PHASE: Readonly<Record<OperationType, number>> = {
  rename_role: 1,
  create_role: 2,
  alter_role: 3,
  set_password: 3,
  comment_role: 3,
  set_role_config: 3,
  grant_membership: 4,
  alter_membership: 4,
  alter_owner: 4.5,
  grant_privileges: 5,
  grant_default_privileges: 5,
  grant_public: 5,
  drop_policy: 5.5,
  create_policy: 5.5,
  alter_policy: 5.5,
  set_row_security: 5.5,
  revoke_privileges: 6,
  revoke_default_privileges: 6,
  revoke_public: 6,
  revoke_membership: 7,
  reassign_owned: 8,
  drop_owned: 8,
  drop_role: 8,
};

/** What each phase does, for reports that show a long plan phase by phase. */
const PHASE_TITLE: Readonly<Record<number, string>> = {
  1: 'Rename roles',
  2: 'Create roles',
  3: 'Alter roles',
  4: 'Grant memberships',
  4.5: 'Change owners',
  5: 'Grant privileges',
  5.5: 'Row-level security',
  6: 'Revoke privileges',
  7: 'Revoke memberships',
  8: 'Drop roles',
};

/**
 * The phase an operation runs in (as above) and its title, for sorting and for reports that
 * show a long plan phase by phase: its type's, but column grants after every revoke (below).
 */
export function phaseOf(op: Operation): { readonly phase: number; readonly title: string } {
  const columnGrant = op.type === 'grant_privileges' && (op.columns ?? []).length > 0;
  if (columnGrant)
    return { phase: PHASE.revoke_default_privileges + 0.5, title: 'Grant column privileges' };
  const phase = PHASE[op.type];
  return { phase, title: PHASE_TITLE[phase] ?? `Phase ${phase}` };
}

/** Position of an operation type within its phase (e.g. a role's reassign before its drop). */
const RANK_IN_PHASE: Readonly<Record<OperationType, number>> = {
  rename_role: 0,
  create_role: 0,
  alter_role: 0,
  set_password: 1,
  comment_role: 2,
  set_role_config: 3,
  grant_membership: 0,
  alter_membership: 1,
  alter_owner: 0,
  grant_privileges: 0,
  grant_default_privileges: 1,
  grant_public: 2,
  drop_policy: 0,
  create_policy: 1,
  alter_policy: 2,
  set_row_security: 3,
  revoke_privileges: 0,
  revoke_default_privileges: 1,
  // First among revokes: one made as a grantor needs that grantor to still hold what it
  // granted with (its privilege, its USAGE on the schema), which the revokes after may take.
  revoke_public: -1,
  revoke_membership: 0,
  reassign_owned: 0,
  drop_owned: 1,
  drop_role: 2,
};

type Key = readonly (string | number)[];

function targetKey(target: GrantTarget): Key {
  const kind = OBJECT_KINDS.indexOf(target.kind);
  return target.scope === 'all_in_schema'
    ? [kind, 0, target.schema]
    : [kind, 1, target.objects.map(objectKey).join('\0')];
}

function privilegesKey(privileges: readonly string[]): string {
  return privileges
    .map(privilegePlace)
    .sort((a, b) => a - b)
    .join(',');
}

/** The key that orders an operation within its phase. */
function keyWithinPhase(op: Operation): Key {
  const rank = RANK_IN_PHASE[op.type];
  switch (op.type) {
    case 'rename_role':
      return [op.to, op.from];
    case 'create_role':
      return [op.role];
    case 'alter_role':
    case 'set_password':
    case 'comment_role':
      return [op.role, rank];
    case 'set_role_config':
      return [op.role, rank, op.database ?? '', op.name];
    case 'grant_membership':
    case 'alter_membership':
    case 'revoke_membership':
      return [op.role, op.member, rank];
    case 'alter_owner':
      // Schemas before what they hold, databases first: OBJECT_KINDS's order.
      return [OBJECT_KINDS.indexOf(op.object.kind), objectKey(op.object)];
    case 'grant_privileges':
    case 'revoke_privileges':
      return [
        rank,
        ...targetKey(op.target),
        (op.columns ?? []).join('\0'),
        op.grantees.join('\0'),
        privilegesKey(op.privileges),
      ];
    case 'set_row_security':
      return [rank, objectKey(op.table)];
    case 'create_policy':
      return [rank, objectKey(op.policy.table), op.policy.name];
    case 'alter_policy':
    case 'drop_policy':
      return [rank, objectKey(op.table), op.name];
    case 'grant_public':
    case 'revoke_public':
      return [
        rank,
        OBJECT_KINDS.indexOf(op.object.kind),
        objectKey(op.object),
        (op.columns ?? []).join('\0'),
        privilegesKey(op.privileges),
      ];
    case 'grant_default_privileges':
    case 'revoke_default_privileges':
      return [
        rank,
        op.forRole,
        op.schema ?? '',
        op.objectType,
        op.grantees.join('\0'),
        privilegesKey(op.privileges),
      ];
    case 'reassign_owned':
    case 'drop_owned':
    case 'drop_role':
      return [op.role, rank];
  }
}

function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

/** Sort comparator: phase first, then the key within the phase, then the whole content. */
export function compareOperations(a: Operation, b: Operation): number {
  return (
    phaseOf(a).phase - phaseOf(b).phase ||
    compareKeys(keyWithinPhase(a), keyWithinPhase(b)) ||
    // Two operations with the same key (e.g. a grant with and one without grant option):
    // their full content decides, so the input order never does.
    compareKeys([canonicalJson(a)], [canonicalJson(b)])
  );
}

/**
 * A rename whose new name is another rename's old name must wait for that one
 * (`b → c` before `a → b`). A cycle (swapping names) cannot be ordered; it keeps key order
 * and PostgreSQL reports the name clash.
 */
function orderRenames(renames: readonly Operation[]): Operation[] {
  const pending = [...renames];
  const ordered: Operation[] = [];
  while (pending.length > 0) {
    const ready = pending.findIndex(
      (op) =>
        op.type === 'rename_role' &&
        !pending.some(
          (other) => other !== op && other.type === 'rename_role' && other.from === op.to,
        ),
    );
    const [next] = pending.splice(ready === -1 ? 0 : ready, 1);
    if (next !== undefined) ordered.push(next);
  }
  return ordered;
}

type RevokePrivileges = Extract<Operation, { type: 'revoke_privileges' }>;

/**
 * A revoke made as a grantor (`asGrantor`) must run while that grantor still holds what it
 * granted with: before any revoke from it, which would take its grant option (and, with
 * CASCADE, the grants it made) or leave it with no privilege on the object, when PostgreSQL
 * refuses its REVOKE outright. Along a chain (lead → member → intern) the deepest grantor
 * revokes first. PostgreSQL refuses grants back to one's own grantor, so chains on one object
 * have no cycles; a cycle across objects keeps key order.
 */
function orderGrantorRevokes(revokes: readonly RevokePrivileges[]): RevokePrivileges[] {
  if (revokes.every((op) => op.asGrantor === undefined)) return [...revokes];
  const pending = [...revokes];
  const ordered: RevokePrivileges[] = [];
  while (pending.length > 0) {
    const performers = new Set(pending.flatMap((op) => op.asGrantor ?? []));
    const ready = pending.findIndex((op) => !op.grantees.some((role) => performers.has(role)));
    const [next] = pending.splice(ready === -1 ? 0 : ready, 1);
    if (next !== undefined) ordered.push(next);
  }
  return ordered;
}

/** Operations in plan order (see the top of this file). Does not modify its input. */
export function orderOperations(operations: readonly Operation[]): Operation[] {
  const sorted = [...operations].sort(compareOperations);
  const renames = sorted.filter((op) => op.type === 'rename_role');
  // Revokes of privileges are contiguous in the sorted list (phase 6, first in it).
  const revokes = orderGrantorRevokes(
    sorted.filter((op): op is RevokePrivileges => op.type === 'revoke_privileges'),
  );
  let nextRevoke = 0;
  return [
    ...orderRenames(renames),
    ...sorted
      .filter((op) => op.type !== 'rename_role')
      .map((op) => (op.type === 'revoke_privileges' ? (revokes[nextRevoke++] ?? op) : op)),
  ];
}
