/**
 * The membership graph as the server walks it (roles_is_member_of in
 * src/backend/utils/adt/acl.c): which roles' privileges a role uses without SET ROLE
 * (`has_privs_of_role`), which roles it may SET ROLE to, and the chains that lead there.
 *
 * Version difference (https://www.postgresql.org/docs/current/role-membership.html):
 * - PostgreSQL 16+: each grant carries INHERIT and SET options; one inheriting grant among
 *   several grantors is enough.
 * - PostgreSQL 14/15: a member inherits the privileges of every role it is a member of when the
 *   member itself has INHERIT (rolinherit, read at each link), and may SET ROLE to any of them.
 *
 * pg_database_owner has no pg_auth_members row: the owner of the current database is its
 * member implicitly. Before 16 that link, like any other, inherits only when the owner has
 * INHERIT; from 16 it always does.
 */
import type { ExplainCatalog, ExplainRole } from '../model/explain-catalog.js';

export const DATABASE_OWNER = 'pg_database_owner';

/** One membership link, its grants (one per grantor on 16+) merged. */
export interface MembershipEdge {
  readonly role: string;
  readonly member: string;
  readonly admin: boolean;
  /** The member uses the role's privileges without SET ROLE. */
  readonly inherit: boolean;
  /** The member may SET ROLE to the role. */
  readonly set: boolean;
  readonly grantors: readonly string[];
  /** The implicit membership of the database owner in pg_database_owner. */
  readonly implicit: boolean;
}

/** How a chain of memberships can be used. */
export type ChainUse =
  /** Every link inherits: the privileges are the member's own. */
  | { readonly use: 'inherited' }
  /** After `SET ROLE role` (the links up to `role` allow SET, the rest inherit). */
  | { readonly use: 'set_role'; readonly role: string }
  /** Neither: some link neither inherits nor allows SET ROLE on the way. */
  | { readonly use: 'unusable'; readonly blocking: MembershipEdge };

export interface MembershipGraph {
  readonly roles: ReadonlyMap<string, ExplainRole>;
  readonly edges: readonly MembershipEdge[];
  /** Memberships of `member` (the roles it is a member of). */
  memberOf(member: string): readonly MembershipEdge[];
  /** Direct members of `role`. */
  membersOf(role: string): readonly MembershipEdge[];
  /** Roles whose privileges `role` has without SET ROLE, `role` itself included. */
  holders(role: string): ReadonlySet<string>;
  /** Roles `role` may SET ROLE to, itself included. */
  settable(role: string): ReadonlySet<string>;
  /**
   * Simple chains of memberships from `role` to `target` (empty when they are the same),
   * shortest first, at most `limit`.
   */
  chains(role: string, target: string, limit?: number): readonly (readonly MembershipEdge[])[];
}

/** Classifies a chain: usable as the member's own, after SET ROLE, or not at all. */
export function chainUse(chain: readonly MembershipEdge[]): ChainUse {
  let lastNonInheriting = -1;
  chain.forEach((edge, index) => {
    if (!edge.inherit) lastNonInheriting = index;
  });
  if (lastNonInheriting === -1) return { use: 'inherited' };
  // SET ROLE reaches the end of the last non-inheriting link if every link up to it allows SET.
  for (let index = 0; index <= lastNonInheriting; index++) {
    const edge = chain[index] as MembershipEdge;
    if (!edge.set) return { use: 'unusable', blocking: edge };
  }
  return { use: 'set_role', role: (chain[lastNonInheriting] as MembershipEdge).role };
}

/** Every role reachable from `start` (included) by `next`, breadth first. */
export function reachable(
  start: readonly string[],
  next: (role: string) => readonly string[],
): Set<string> {
  const seen = new Set(start);
  const queue = [...start];
  for (let role = queue.shift(); role !== undefined; role = queue.shift())
    for (const other of next(role))
      if (!seen.has(other)) {
        seen.add(other);
        queue.push(other);
      }
  return seen;
}

/** `compute` once per role. */
function memoized(compute: (role: string) => Set<string>): (role: string) => Set<string> {
  const cache = new Map<string, Set<string>>();
  return (role) => {
    let found = cache.get(role);
    if (!found) {
      found = compute(role);
      cache.set(role, found);
    }
    return found;
  };
}

/** Builds the graph of a catalog read; `databaseOwner` is the current database's owner. */
export function membershipGraph(
  catalog: Pick<ExplainCatalog, 'versionNum' | 'roles' | 'memberships'>,
  databaseOwner: string | null,
): MembershipGraph {
  const roles = new Map(catalog.roles.map((role) => [role.name, role]));
  const options16 = catalog.versionNum >= 160000;
  const merged = new Map<string, MembershipEdge>();
  const inheritsBefore16 = (member: string): boolean => roles.get(member)?.inherit ?? true;
  for (const row of catalog.memberships) {
    const key = `${row.member}\u0000${row.role}`;
    const before = merged.get(key);
    const inherit = options16 ? row.inherit === true : inheritsBefore16(row.member);
    const set = options16 ? row.set === true : true;
    merged.set(key, {
      role: row.role,
      member: row.member,
      admin: (before?.admin ?? false) || row.admin,
      inherit: (before?.inherit ?? false) || inherit,
      set: (before?.set ?? false) || set,
      grantors: [...(before?.grantors ?? []), ...(row.grantor === null ? [] : [row.grantor])],
      implicit: false,
    });
  }
  if (databaseOwner !== null && roles.has(DATABASE_OWNER)) {
    merged.set(`${databaseOwner}\u0000${DATABASE_OWNER}`, {
      role: DATABASE_OWNER,
      member: databaseOwner,
      admin: false,
      inherit: options16 || inheritsBefore16(databaseOwner),
      set: true,
      grantors: [],
      implicit: true,
    });
  }
  const edges = [...merged.values()];
  const memberOf = new Map<string, MembershipEdge[]>();
  const membersOf = new Map<string, MembershipEdge[]>();
  for (const edge of edges) {
    memberOf.set(edge.member, [...(memberOf.get(edge.member) ?? []), edge]);
    membersOf.set(edge.role, [...(membersOf.get(edge.role) ?? []), edge]);
  }
  const up = (member: string): readonly MembershipEdge[] => memberOf.get(member) ?? [];
  const along = (follow: (edge: MembershipEdge) => boolean) =>
    memoized((role) =>
      reachable([role], (member) =>
        up(member).flatMap((edge) => (follow(edge) ? [edge.role] : [])),
      ),
    );
  return {
    roles,
    edges,
    memberOf: up,
    membersOf: (role) => membersOf.get(role) ?? [],
    holders: along((edge) => edge.inherit),
    settable: along((edge) => edge.set),
    chains(role, target, limit = 16) {
      const found: MembershipEdge[][] = [];
      const onPath = new Set<string>([role]);
      const path: MembershipEdge[] = [];
      // Depth-first over simple paths; a graph with many diamonds has exponentially many, so
      // the search stops after `limit` chains (and a bounded amount of work).
      let budget = 10_000;
      const walk = (at: string): void => {
        if (found.length >= limit || budget-- <= 0) return;
        if (at === target) {
          found.push([...path]);
          return;
        }
        for (const edge of up(at)) {
          if (onPath.has(edge.role)) continue;
          onPath.add(edge.role);
          path.push(edge);
          walk(edge.role);
          path.pop();
          onPath.delete(edge.role);
        }
      };
      walk(role);
      return found.sort((a, b) => a.length - b.length);
    },
  };
}
