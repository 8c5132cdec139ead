/**
 * Roles outside the config that apply leaves alone but `drift` must not stay quiet about
 * (spec §10): with `unmanaged_roles: report` every one of them, and with any setting the ones
 * whose attributes give power over the whole cluster. A role `ignore_roles` matches, and every
 * protected role (pg_*, the bootstrap superuser, the connecting role, managed-cloud admin
 * roles), is never reported: `isProtected` says which.
 */
import type { Finding } from '../model/findings.js';
import type { CurrentState, DesiredState, RoleAttributes } from '../model/state.js';
import { compareStrings } from '../model/order.js';

/**
 * The attributes that make an undeclared role dangerous, in CREATE ROLE's order, and why: each
 * one lets the role around the privileges the config manages.
 */
const POWERFUL_ATTRIBUTES: readonly {
  readonly attribute: keyof RoleAttributes;
  readonly keyword: string;
  readonly power: string;
}[] = [
  { attribute: 'superuser', keyword: 'SUPERUSER', power: 'bypasses every privilege check' },
  {
    attribute: 'createrole',
    keyword: 'CREATEROLE',
    power: 'can create roles and grant itself their access',
  },
  {
    attribute: 'replication',
    keyword: 'REPLICATION',
    power: 'can stream a copy of every database',
  },
  { attribute: 'bypassrls', keyword: 'BYPASSRLS', power: 'bypasses row-level security' },
];

/**
 * Findings about the roles outside the config that this plan does not drop.
 *
 * @param keptOut roles the plan keeps out of `unmanaged_roles: report` because the config
 *   names them (`member_of`, `for_role`, `reassign_owned_to`): not reported as merely
 *   unmanaged, but still reported when powerful.
 */
export function findUnmanagedRoles(
  current: CurrentState,
  desired: DesiredState,
  isProtected: (role: string) => boolean,
  dropped: ReadonlySet<string>,
  keptOut: ReadonlySet<string>,
): Finding[] {
  const findings: Finding[] = [];
  const roles = current.roles
    .filter(
      (role) =>
        !desired.managedRoles.has(role.name) && !isProtected(role.name) && !dropped.has(role.name),
    )
    .sort((a, b) => compareStrings(a.name, b.name));
  for (const role of roles) {
    // JSON string escapes keep a name with a quote or a newline on one unambiguous line.
    const name = JSON.stringify(role.name);
    const powers = POWERFUL_ATTRIBUTES.filter(({ attribute }) => role.attributes[attribute]);
    if (powers.length > 0) {
      findings.push({
        kind: 'privileged_unmanaged_role',
        role: role.name,
        summary: `role ${name} has ${powers.map((p) => p.keyword).join(', ')} but is not in the config`,
        reason: `it ${powers.map((p) => p.power).join(', ')}; pgward does not manage it, so apply leaves it as it is: declare it, match it with ignore_roles, or drop it`,
      });
    } else if (desired.unmanagedRoles === 'report' && !keptOut.has(role.name)) {
      findings.push({
        kind: 'unmanaged_role',
        role: role.name,
        summary: `role ${name} exists but is not in the config`,
        reason: `unmanaged_roles: report: apply leaves it and its access as they are; declare it, match it with ignore_roles, or drop it`,
      });
    }
  }
  return findings;
}
