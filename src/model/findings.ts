/**
 * Findings: access the database holds that the config does not account for, and that apply
 * leaves alone (spec §10). A change apply would make is drift by itself; a finding is drift
 * that no plan step repairs, so `drift` must report it separately and `plan` shows it as a
 * warning. Each later blind spot (per-database settings, PUBLIC, ownership, policies) that
 * apply does not repair is one more kind here.
 */

export type FindingKind =
  /** `unmanaged_roles: report`: a role outside the config. */
  | 'unmanaged_role'
  /** Any setting: a role outside the config with SUPERUSER, REPLICATION, BYPASSRLS or CREATEROLE. */
  | 'privileged_unmanaged_role';

export interface Finding {
  readonly kind: FindingKind;
  /** The role the finding is about. */
  readonly role: string;
  /** What was found, one line. */
  readonly summary: string;
  /** Why it matters and what to do about it, one line. */
  readonly reason: string;
}

/** A finding as the one-line warning `plan` prints. */
export function findingWarning(finding: Finding): string {
  return `${finding.summary}: ${finding.reason}`;
}
