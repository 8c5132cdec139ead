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

/** Compiled globs: every role of the catalog is matched against the same few patterns. */
const globRegExps = new Map<string, RegExp>();

/** Shell-style glob with `*` (any run) and `?` (one character); everything else is literal. */
export function matchesGlob(name: string, pattern: string): boolean {
  let regExp = globRegExps.get(pattern);
  if (regExp === undefined) {
    const source = [...pattern]
      .map((char) =>
        char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'),
      )
      .join('');
    regExp = new RegExp(`^${source}$`, 'su');
    globRegExps.set(pattern, regExp);
  }
  return regExp.test(name);
}
