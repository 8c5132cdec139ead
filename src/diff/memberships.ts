/**
 * Memberships of managed roles (`member_of`): the config lists every role a managed role is a
 * member of, so memberships it lacks are revoked.
 *
 * PostgreSQL 16 changed memberships: each (role, member) may have several rows, one per
 * grantor, each with its own ADMIN, INHERIT and SET options, and REVOKE removes only the row of
 * the grantor it names (GRANTED BY, else the current user). The member gets a privilege
 * if any of its rows gives it, so options are compared on the rows taken together and each
 * change names the row's grantor. Before 16 there is one row and no INHERIT/SET options.
 */
import type { Operation } from '../model/operations.js';
import type {
  CurrentMembership,
  CurrentState,
  DesiredMembership,
  DesiredState,
} from '../model/state.js';
import { compareStrings, key } from '../model/order.js';

export function diffMemberships(
  current: CurrentState,
  desired: DesiredState,
  isProtected: (role: string) => boolean,
  dropped: ReadonlySet<string>,
): Operation[] {
  const since16 = current.server.versionNum >= 160000;
  const inScope = (member: string): boolean =>
    desired.managedRoles.has(member) &&
    !isProtected(member) &&
    member !== current.server.currentUser;
  const memberInherits = new Map(desired.roles.map((role) => [role.name, role.attributes.inherit]));
  const addOnly = desired.addOnlyMembershipsOf ?? new Set<string>();

  const rows = new Map<string, CurrentMembership[]>();
  for (const row of current.memberships) {
    if (!inScope(row.member)) continue;
    const rowKey = key(row.role, row.member);
    const list = rows.get(rowKey);
    if (list) list.push(row);
    else rows.set(rowKey, [row]);
  }
  const wanted = new Map<string, DesiredMembership>();
  for (const membership of desired.memberships)
    if (inScope(membership.member)) wanted.set(key(membership.role, membership.member), membership);

  // 16+: a role that granted a membership is recorded as its grantor, and dropping that role
  // (DROP OWNED) takes the row with it. A membership the config keeps must then stand on a
  // row of its own, granted in this plan before the drop.
  const survives = (row: CurrentMembership): boolean => !(since16 && dropped.has(row.grantor));
  const operations: Operation[] = [];
  for (const [membershipKey, membership] of sortedEntries(wanted)) {
    const existing = (rows.get(membershipKey) ?? []).filter(survives).sort(byGrantor);
    if (existing.length === 0) {
      operations.push({
        type: 'grant_membership',
        role: membership.role,
        member: membership.member,
        admin: membership.admin,
        ...(since16 && membership.inherit !== undefined ? { inherit: membership.inherit } : {}),
        ...(since16 && membership.set !== undefined ? { set: membership.set } : {}),
      });
    } else if (since16) {
      // Unwritten INHERIT follows the member's INHERIT attribute, as GRANT does on 16+.
      const inherit = membership.inherit ?? memberInherits.get(membership.member) ?? true;
      operations.push(
        ...alignRows(existing, { admin: membership.admin, inherit, set: membership.set ?? true }),
      );
    } else if (existing.some((row) => row.admin) !== membership.admin) {
      operations.push({
        type: 'alter_membership',
        role: membership.role,
        member: membership.member,
        admin: membership.admin,
      });
    }
  }
  for (const [membershipKey, existing] of sortedEntries(rows)) {
    const [first] = existing;
    if (first === undefined || wanted.has(membershipKey)) continue;
    // DROP ROLE takes the memberships in a dropped role with it.
    if (dropped.has(first.role) || addOnly.has(first.member)) continue;
    if (since16) {
      for (const row of existing.sort(byGrantor))
        operations.push({
          type: 'revoke_membership',
          role: row.role,
          member: row.member,
          grantor: row.grantor,
        });
    } else {
      operations.push({ type: 'revoke_membership', role: first.role, member: first.member });
    }
  }
  return operations;
}

type Options = { readonly admin: boolean; readonly inherit: boolean; readonly set: boolean };

/**
 * 16+: options that hold if any row grants them. A wanted option none of the rows has is added
 * to the first row; an unwanted one is taken from every row that has it.
 */
function alignRows(rows: readonly CurrentMembership[], wanted: Options): Operation[] {
  const changes = new Map<CurrentMembership, { -readonly [K in keyof Options]?: boolean }>();
  for (const option of ['admin', 'inherit', 'set'] as const) {
    const holding = rows.filter((row) => row[option] === true);
    if (wanted[option] && holding.length === 0) {
      const first = rows[0] as CurrentMembership;
      changes.set(first, { ...changes.get(first), [option]: true });
    }
    if (!wanted[option])
      for (const row of holding) changes.set(row, { ...changes.get(row), [option]: false });
  }
  return rows.flatMap((row) => {
    const change = changes.get(row);
    return change === undefined
      ? []
      : [
          {
            type: 'alter_membership',
            role: row.role,
            member: row.member,
            grantor: row.grantor,
            ...change,
          } as const,
        ];
  });
}

function byGrantor(a: CurrentMembership, b: CurrentMembership): number {
  return compareStrings(a.grantor, b.grantor);
}

function sortedEntries<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map].sort(([a], [b]) => compareStrings(a, b));
}
