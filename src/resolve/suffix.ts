/**
 * DB-specific roles (`--suffix S`, PUM's suffixed roles, spec §4): the generic half.
 *
 * `names.ts` maps each declared role R to `R_S`, which carries the configured privileges in
 * the connected database. Here the generic role R joins the desired state: NOLOGIN, no
 * privileges of its own, and a member of `R_S` (`GRANT "R_S" TO "R"`), so whoever is granted R
 * reaches every database's instance of it. Applying with suffix T in another database adds
 * `R_T` and R's membership of it; nothing of suffix S is touched:
 *
 * - R's memberships are add-only (`addOnlyMembershipsOf`): its membership of `R_T` is kept.
 * - Existing roles named `<declared>_<anything>` other than this run's own are other suffixes'
 *   roles: protected, so never altered, revoked from, dropped or reported as unmanaged.
 * - R itself is managed like any declared role, with an empty set of privileges: whatever was
 *   granted to R directly in the connected database (or on databases and tablespaces, which
 *   are cluster-wide) is revoked. Every database's apply agrees on that, since none grants R
 *   anything, so the applies never undo each other; R's access comes only through `R_S`.
 */
import { identifierProblem, MAX_IDENTIFIER_BYTES } from '../config/names.js';
import type { Config } from '../config/types.js';
import {
  DEFAULT_ROLE_ATTRIBUTES,
  type CurrentState,
  type DesiredMembership,
  type DesiredRole,
  type DesiredState,
} from '../model/state.js';
import type { RoleNames } from './names.js';
import { compareStrings } from '../model/order.js';
import type { Problems } from './problems.js';
import { protectionReason, type ProtectionRules } from './protection.js';

export interface GenericRoles {
  /** The generic roles R. */
  readonly roles: readonly DesiredRole[];
  /** R member of R_S, for each declared R. */
  readonly memberships: readonly DesiredMembership[];
  /** Existing roles of other suffixes (`R_T`), never touched by this run. */
  readonly otherSuffixRoles: ReadonlySet<string>;
}

/**
 * The generic roles of `--suffix`, or undefined without a suffix. Problems (an empty suffix, a
 * suffixed name over 63 bytes, a generic name that collides with a suffixed one or is
 * protected) go to `problems`, next to the resolver's own.
 */
export function genericRoles(
  config: Config,
  current: CurrentState,
  names: RoleNames,
  rules: ProtectionRules,
  problems: Problems,
): GenericRoles | undefined {
  const suffix = names.suffix;
  if (suffix === undefined) return undefined;
  if (suffix === '') {
    problems.add('--suffix must not be empty');
    return undefined;
  }
  // The checks a config's names get: a newline or an escape must not reach a role name.
  const suffixProblem = identifierProblem(suffix, '--suffix');
  if (suffixProblem !== undefined) {
    problems.add(suffixProblem);
    return undefined;
  }
  const suffixed = new Set(config.roles.map((role) => names.toDatabase(role.name)));
  const roles: DesiredRole[] = [];
  const memberships: DesiredMembership[] = [];
  for (const role of config.roles) {
    const specific = names.toDatabase(role.name);
    if (Buffer.byteLength(specific, 'utf8') > MAX_IDENTIFIER_BYTES)
      problems.add(
        `role "${specific}" (role "${role.name}" with --suffix ${suffix}) is longer than ${MAX_IDENTIFIER_BYTES} bytes`,
        role.position,
      );
    if (suffixed.has(role.name))
      problems.add(
        `role "${role.name}" is both a generic role and a DB-specific role with --suffix ${suffix}`,
        role.position,
      );
    const reason = protectionReason(role.name, rules);
    if (reason !== null)
      problems.add(
        `role "${role.name}" is protected (${reason}) and cannot be the generic role of "${specific}"`,
        role.position,
      );
    roles.push({
      name: role.name,
      attributes: DEFAULT_ROLE_ATTRIBUTES,
      // The same on every database's apply, so that they agree.
      description: role.description ?? null,
      config: {},
      ...(role.renamedFrom === undefined ? {} : { renamedFrom: role.renamedFrom }),
    });
    memberships.push({ role: specific, member: role.name, admin: false });
  }

  // Names of declared roles, and of those they were renamed from (whose other suffixes'
  // instances still carry the old name until their own database is applied).
  const prefixes = config.roles.flatMap((role) =>
    [role.name, role.renamedFrom].filter((name) => name !== undefined).map((name) => `${name}_`),
  );
  const ownNames = new Set<string>([
    ...suffixed,
    ...roles.map((role) => role.name),
    ...config.roles.flatMap((role) =>
      role.renamedFrom === undefined ? [] : [names.formerToDatabase(role.renamedFrom)],
    ),
  ]);
  const otherSuffixRoles = new Set(
    current.roles
      .map((role) => role.name)
      .filter(
        (name) =>
          !ownNames.has(name) &&
          prefixes.some((prefix) => name.length > prefix.length && name.startsWith(prefix)),
      ),
  );
  return { roles, memberships, otherSuffixRoles };
}

/** The resolver's desired state with the generic roles added (unchanged without a suffix). */
export function withGenericRoles(
  desired: DesiredState,
  generic: GenericRoles | undefined,
): DesiredState {
  if (generic === undefined) return desired;
  const genericNames = generic.roles.map((role) => role.name);
  return {
    ...desired,
    roles: [...desired.roles, ...generic.roles],
    memberships: [...desired.memberships, ...generic.memberships].sort(
      (a, b) => compareStrings(a.role, b.role) || compareStrings(a.member, b.member),
    ),
    managedRoles: new Set([...desired.managedRoles, ...genericNames]),
    protectedRoles: new Set([...desired.protectedRoles, ...generic.otherSuffixRoles]),
    addOnlyMembershipsOf: new Set([...(desired.addOnlyMembershipsOf ?? []), ...genericNames]),
  };
}
