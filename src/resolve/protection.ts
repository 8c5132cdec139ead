/**
 * Roles pgward must never create, alter, rename, drop or revoke from, and why.
 *
 * Managed PostgreSQL services ship their own admin roles (RDS `rds_superuser`, Cloud SQL
 * `cloudsqlsuperuser`, Azure `azure_pg_admin`, ...) and make the customer's master user a
 * member of them; touching either breaks the service's own access, so both are protected.
 */
import type { CurrentState } from '../model/state.js';

export const MANAGED_CLOUD_ADMIN_ROLES: readonly string[] = [
  'rds_superuser',
  'rdsadmin',
  'rds_password',
  'rds_replication',
  'cloudsqlsuperuser',
  'cloudsqladmin',
  'cloudsqlagent',
  'azure_pg_admin',
  'azuresu',
  'azure_superuser',
];

export interface ProtectionRules {
  readonly currentUser: string;
  readonly sessionUser: string;
  readonly bootstrapSuperuser: string;
  readonly ignoreRoles: readonly string[];
  /** Member → the managed-cloud admin role it is a (direct) member of. */
  readonly cloudAdminMembers: ReadonlyMap<string, string>;
}

export function protectionRules(
  current: CurrentState,
  ignoreRoles: readonly string[],
): ProtectionRules {
  const cloudAdminMembers = new Map<string, string>();
  for (const membership of current.memberships) {
    if (
      MANAGED_CLOUD_ADMIN_ROLES.includes(membership.role) &&
      !cloudAdminMembers.has(membership.member)
    )
      cloudAdminMembers.set(membership.member, membership.role);
  }
  return {
    currentUser: current.server.currentUser,
    sessionUser: current.server.sessionUser,
    bootstrapSuperuser: current.server.bootstrapSuperuser,
    ignoreRoles,
    cloudAdminMembers,
  };
}

/** Why a role is protected (for messages), or null if pgward may manage it. */
export function protectionReason(name: string, rules: ProtectionRules): string | null {
  // PostgreSQL reserves the prefix: CREATE ROLE pg_x fails, and pg_* roles are its own.
  if (name.startsWith('pg_')) return 'pg_ roles belong to PostgreSQL';
  if (name === rules.bootstrapSuperuser) return 'bootstrap superuser';
  if (name === rules.currentUser) return 'connecting role';
  if (name === rules.sessionUser) return `session user: pgward logs in as it`;
  const glob = rules.ignoreRoles.find((pattern) => matchesGlob(name, pattern));
  if (glob !== undefined) return `matches ignore_roles "${glob}"`;
  if (MANAGED_CLOUD_ADMIN_ROLES.includes(name)) return 'managed-cloud admin role';
  const adminRole = rules.cloudAdminMembers.get(name);
  if (adminRole !== undefined) return `member of managed-cloud admin role "${adminRole}"`;
  return null;
}

/**
 * Every existing role that is protected, plus the bootstrap superuser, the connecting role and
 * the session user.
 */
export function protectedRoleNames(current: CurrentState, rules: ProtectionRules): Set<string> {
  const names = new Set<string>([rules.bootstrapSuperuser, rules.currentUser, rules.sessionUser]);
  for (const role of current.roles) {
    if (protectionReason(role.name, rules) !== null) names.add(role.name);
  }
  return names;
}

/**
 * Shell-style glob with `*` (any run, empty included) and `?` (one character); every other
 * character, `\`, `[` and `-` included, is literal. Characters are code points, so `?` takes a
 * whole emoji. Matched directly rather than through a RegExp: nothing to escape, and at worst
 * length(name) × length(pattern) steps (the last `*` is the only backtracking point).
 */
export function matchesGlob(name: string, pattern: string): boolean {
  const text = [...name];
  const glob = [...pattern];
  let t = 0;
  let g = 0;
  // Where the last `*` was, and the text position it is currently taken to stop at.
  let star = -1;
  let starText = 0;
  while (t < text.length) {
    const want = glob[g];
    if (want === '*') {
      star = g++;
      starText = t;
    } else if (want !== undefined && (want === '?' || want === text[t])) {
      t++;
      g++;
    } else if (star >= 0) {
      // Let the last `*` take one more character and try the rest again.
      g = star + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}
