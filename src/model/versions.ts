/**
 * What changed between the PostgreSQL versions pgward supports (14 and later): one named check
 * per change, taking `server_version_num` (e.g. 160004). Code asks "does this server have X"
 * and never compares version numbers itself; a `.sql` file with a variant for older servers is
 * chosen by one of these. The first version of each change is in one table, so a message can
 * say which version a feature needs.
 */

/** The first `server_version_num` that has each change. */
const SINCE = {
  parameterPrivileges: 150000,
  publicSchemaWithoutCreate: 150000,
  membershipOptions: 160000,
  membershipGrantors: 160000,
  adminOptionToManageRoles: 160000,
  maintainPrivilege: 170000,
} as const;

export type VersionFeature = keyof typeof SINCE;

/** The major version that brought a change, for messages: `membershipOptions` → 16. */
export function firstMajorWith(feature: VersionFeature): number {
  return SINCE[feature] / 10000;
}

/**
 * PostgreSQL 15: privileges on configuration parameters (`GRANT SET, ALTER SYSTEM ON PARAMETER`,
 * the `pg_parameter_acl` catalog). https://www.postgresql.org/docs/release/15.0/
 */
export function hasParameterPrivileges(versionNum: number): boolean {
  return versionNum >= SINCE.parameterPrivileges;
}

/**
 * PostgreSQL 15: a new database's `public` schema no longer grants CREATE to PUBLIC (only
 * USAGE), and belongs to `pg_database_owner`. https://www.postgresql.org/docs/release/15.0/
 */
export function hasPublicSchemaWithoutCreate(versionNum: number): boolean {
  return versionNum >= SINCE.publicSchemaWithoutCreate;
}

/**
 * PostgreSQL 16: a membership has its own INHERIT and SET options (`GRANT r TO m WITH INHERIT
 * FALSE, SET FALSE`, `pg_auth_members.inherit_option` / `set_option`). Before 16 a member
 * inherits when it has the INHERIT attribute, and may always SET ROLE.
 * https://www.postgresql.org/docs/release/16.0/
 */
export function hasMembershipOptions(versionNum: number): boolean {
  return versionNum >= SINCE.membershipOptions;
}

/**
 * PostgreSQL 16: `pg_auth_members` keeps one row per grantor of a membership, each depending on
 * its grantor's ADMIN OPTION, and `REVOKE ... GRANTED BY` removes one grantor's row (without it,
 * only the current user's). Before 16 a membership is one row whatever its grantors.
 * https://www.postgresql.org/docs/release/16.0/
 */
export function hasMembershipGrantors(versionNum: number): boolean {
  return versionNum >= SINCE.membershipGrantors;
}

/**
 * PostgreSQL 16: CREATEROLE no longer lets a role alter, grant or drop every non-superuser
 * role; it needs ADMIN OPTION on the role (given automatically on the roles it creates).
 * https://www.postgresql.org/docs/release/16.0/
 */
export function needsAdminOptionToManageRoles(versionNum: number): boolean {
  return versionNum >= SINCE.adminOptionToManageRoles;
}

/**
 * PostgreSQL 17: the MAINTAIN privilege on tables (VACUUM, ANALYZE, REINDEX, ...) and the
 * `pg_maintain` predefined role. https://www.postgresql.org/docs/release/17.0/
 */
export function hasMaintainPrivilege(versionNum: number): boolean {
  return versionNum >= SINCE.maintainPrivilege;
}
