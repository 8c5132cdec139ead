/**
 * Resolves a validated config against the live catalog into the state pgward wants: role
 * names mapped (see `names.ts`), attributes completed with CREATE ROLE's defaults, grants on
 * `all_in_schemas` and default privileges expanded to one fact per object, routine names
 * resolved to the catalog's signatures. Everything that cannot be planned (an object that does
 * not exist, a protected role, a privilege this server lacks) is collected and thrown as one
 * PlanError, each problem at its place in the config.
 */
import { pastValidUntil } from '../config/expiry.js';
import type { Config, ConfigRole } from '../config/types.js';
import type { SourcePosition } from '../errors.js';
import {
  DEFAULT_ROLE_ATTRIBUTES,
  type CurrentState,
  type DesiredMembership,
  type DesiredRole,
  type DesiredState,
} from '../model/state.js';
import { Catalog } from './catalog.js';
import { resolveOwners, withOwners } from './desired-owners.js';
import { resolvePrivileges, type ResolveContext } from './desired-privileges.js';
import { resolvePublic } from './public.js';
import { resolveRowSecurity } from './row-security.js';
import { roleNames, type RoleNames } from './names.js';
import { ownersAfterPlan } from './owners-after.js';
import { compareStrings, key } from '../model/order.js';
import { majorVersion, Problems } from './problems.js';
import { genericRoles, withGenericRoles } from './suffix.js';
import {
  MANAGED_CLOUD_ADMIN_ROLES,
  protectedRoleNames,
  protectionReason,
  protectionRules,
  type ProtectionRules,
} from './protection.js';

export interface ResolveOptions {
  /** `--suffix S`: declared roles become `R_S` (spec §4). */
  readonly suffix?: string;
  /** The time a `valid_until` in the past is judged against; default the current time. */
  readonly now?: Date;
}

export interface ResolvedDesired {
  readonly desired: DesiredState;
  /** Non-fatal notes for the plan's reader. */
  readonly warnings: string[];
}

/**
 * The desired state of a config on this database.
 *
 * @throws PlanError listing every problem found, each at its config position.
 * @example
 * const { desired, warnings } = resolveDesired(loadConfig('pgward.yaml'), await introspect(client));
 */
export function resolveDesired(
  config: Config,
  current: CurrentState,
  options: ResolveOptions = {},
): ResolvedDesired {
  const names = roleNames(
    config.roles.map((role) => role.name),
    options.suffix,
  );
  const problems = new Problems();
  const warnings: string[] = [];
  const ctx: ResolveContext = {
    config,
    catalog: Catalog.of(current),
    names,
    versionNum: current.server.versionNum,
    currentDatabase: current.server.currentDatabase,
    existingRoles: new Set(current.roles.map((role) => role.name)),
    problems,
    warnings,
  };
  const rules = protectionRules(current, config.settings.ignoreRoles);

  const roles = config.roles.map((role) => resolveRole(ctx, rules, role));
  warnings.push(...pastValidUntil(config, options.now ?? new Date()).map((w) => w.message));
  checkRenames(ctx, rules, config.roles);
  const memberships = resolveMemberships(ctx);
  const { settings } = config;
  const objectCreators = resolveSettingRoles(
    ctx,
    settings.objectCreators,
    'object_creators',
    settings.objectCreatorPositions,
  );
  // `owns` first: privileges are resolved against the catalog with the declared owners.
  const owners = resolveOwners(ctx, current);
  const owned: CurrentState =
    owners.length === 0 ? current : { ...current, objects: withOwners(current, owners) };
  const rowSecurity = resolveRowSecurity(ctx, config);
  const reassignOwnedTo =
    settings.reassignOwnedTo === null
      ? null
      : (resolveSettingRoles(ctx, [settings.reassignOwnedTo], 'reassign_owned_to', [
          settings.reassignOwnedToPosition,
        ])?.[0] ?? null);

  // --suffix: the generic roles (R, member of R_S, adding memberships only) join `roles`,
  // `memberships`, `managedRoles` and `addOnlyMembershipsOf`; other suffixes' roles are protected.
  const generic = genericRoles(config, current, names, rules, problems);
  const retiredRoles = resolveRetiredRoles(config, names, rules, problems);
  const withoutPrivileges = {
    roles,
    memberships,
    managedRoles: new Set(roles.map((role) => role.name)),
    protectedRoles: protectedRoleNames(current, rules),
    unmanagedRoles: config.settings.unmanagedRoles,
    reassignOwnedTo,
    ...(retiredRoles.size > 0 ? { retiredRoles } : {}),
  };
  // Privileges are resolved against the owners the plan leaves (see owners-after.ts). Which
  // roles `unmanaged_roles: drop` drops (and so reassigns) depends on the `for_role`s of the
  // default privileges, which a first, silent resolution against today's owners gives: a
  // role named there is kept, and keeps its objects.
  const ownedCtx = owned === current ? ctx : { ...ctx, catalog: Catalog.of(owned) };
  const draft =
    withoutPrivileges.unmanagedRoles === 'drop' && reassignOwnedTo !== null
      ? resolvePrivileges({ ...ownedCtx, problems: new Problems(), warnings: [] }, objectCreators)
      : { privileges: [], defaultPrivileges: [] };
  const after = ownersAfterPlan(
    owned,
    withGenericRoles({ ...withoutPrivileges, ...draft }, generic),
  );
  const afterCtx = after === owned ? ownedCtx : { ...ctx, catalog: Catalog.of(after) };
  const { privileges, defaultPrivileges } = resolvePrivileges(afterCtx, objectCreators);
  const publicState = resolvePublic(afterCtx, config);
  problems.throwIfAny();
  return {
    desired: withGenericRoles(
      {
        ...withoutPrivileges,
        privileges,
        defaultPrivileges,
        ...(owners.length > 0 && { owners }),
        ...(publicState !== undefined && { public: publicState }),
        ...(rowSecurity !== undefined && { rowSecurity }),
      },
      generic,
    ),
    warnings,
  };
}

/**
 * Database names of the roles written `absent: true`. With `--suffix S` that is `R_S`, this
 * database's instance: the generic `R` may still be a member of other databases' `R_T`, so it
 * stays. A protected role can never be retired.
 */
function resolveRetiredRoles(
  config: Config,
  names: RoleNames,
  rules: ProtectionRules,
  problems: Problems,
): Set<string> {
  const retired = new Set<string>();
  for (const role of config.retiredRoles ?? []) {
    const name = names.formerToDatabase(role.name);
    const reason = protectionReason(name, rules);
    if (reason !== null)
      problems.add(
        `role "${name}" is absent: true but protected (${reason}): pgward never drops it`,
        role.position,
      );
    else retired.add(name);
  }
  return retired;
}

function resolveRole(ctx: ResolveContext, rules: ProtectionRules, role: ConfigRole): DesiredRole {
  const name = ctx.names.toDatabase(role.name);
  const reason = protectionReason(name, rules);
  if (reason !== null)
    ctx.problems.add(
      `role "${name}" is protected (${reason}) and cannot be managed`,
      role.position,
    );
  return {
    name,
    attributes: { ...DEFAULT_ROLE_ATTRIBUTES, ...role.attributes },
    ...(role.password === undefined ? {} : { password: role.password }),
    // The desired state of a declared role is complete: no description means none.
    description: role.description ?? null,
    config: role.config,
    ...(role.databaseConfig?.[ctx.currentDatabase] === undefined
      ? {}
      : { databaseConfig: role.databaseConfig[ctx.currentDatabase] }),
    ...(role.renamedFrom === undefined
      ? {}
      : { renamedFrom: ctx.names.formerToDatabase(role.renamedFrom) }),
  };
}

function checkRenames(
  ctx: ResolveContext,
  rules: ProtectionRules,
  roles: readonly ConfigRole[],
): void {
  const renamedBy = new Map<string, string>();
  for (const role of roles) {
    if (role.renamedFrom === undefined) continue;
    const from = role.renamedFrom;
    if (ctx.names.isDeclared(from))
      ctx.problems.add(
        `role "${role.name}" is renamed_from "${from}", which the config also declares`,
        role.position,
      );
    const previous = renamedBy.get(from);
    if (previous !== undefined)
      ctx.problems.add(
        `roles "${previous}" and "${role.name}" are both renamed_from "${from}"`,
        role.position,
      );
    renamedBy.set(from, role.name);
    const reason = protectionReason(ctx.names.formerToDatabase(from), rules);
    if (reason !== null)
      ctx.problems.add(
        `role "${from}" is protected (${reason}) and cannot be renamed`,
        role.position,
      );
  }
}

function resolveMemberships(ctx: ResolveContext): DesiredMembership[] {
  const byKey = new Map<string, DesiredMembership>();
  const versionNum = ctx.versionNum;
  for (const role of ctx.config.roles) {
    const member = ctx.names.toDatabase(role.name);
    for (const entry of role.memberOf) {
      const positions = [entry.position, role.position];
      const target = ctx.names.toDatabase(entry.role);
      if (!ctx.names.isDeclared(entry.role) && !ctx.existingRoles.has(target)) {
        ctx.problems.add(
          `role "${entry.role}" in member_of is not declared and does not exist`,
          ...positions,
        );
        continue;
      }
      // The members of these roles are protected (protection.ts): granting one would make
      // the role unmanageable from the next plan on, so a config that works once and never
      // again. Such a grant is the cloud console's to make.
      if (MANAGED_CLOUD_ADMIN_ROLES.includes(target)) {
        ctx.problems.add(
          `membership of "${member}" in "${target}": "${target}" is a managed-cloud admin role, whose members pgward protects, so it could never manage "${member}" again; grant it outside pgward and add "${member}" to ignore_roles`,
          ...positions,
        );
        continue;
      }
      // Before 16 every membership inherits (if the member has INHERIT) and allows SET ROLE:
      // writing true states that behaviour, writing false cannot be honoured.
      for (const option of ['inherit', 'set'] as const) {
        if (entry[option] === false && versionNum < 160000)
          ctx.problems.add(
            `membership of "${role.name}" in "${entry.role}": ${option}: false needs PostgreSQL 16 (the server runs ${majorVersion(versionNum)})`,
            ...positions,
          );
      }
      const membershipKey = key(target, member);
      const earlier = byKey.get(membershipKey);
      byKey.set(membershipKey, {
        role: target,
        member,
        admin: entry.admin || (earlier?.admin ?? false),
        ...(versionNum >= 160000 && entry.inherit !== undefined ? { inherit: entry.inherit } : {}),
        ...(versionNum >= 160000 && entry.set !== undefined ? { set: entry.set } : {}),
      });
    }
  }
  return [...byKey.values()].sort(
    (a, b) => compareStrings(a.role, b.role) || compareStrings(a.member, b.member),
  );
}

/**
 * Maps roles named in settings; each must be declared or exist. Null stays null. `positions`
 * (same order as `written`) say where each is written, when known.
 */
function resolveSettingRoles(
  ctx: ResolveContext,
  written: readonly string[] | null,
  setting: string,
  positions: readonly (SourcePosition | undefined)[] = [],
): string[] | null {
  if (written === null) return null;
  return written.flatMap((name, index) => {
    const mapped = ctx.names.toDatabase(name);
    if (ctx.names.isDeclared(name) || ctx.existingRoles.has(mapped)) return [mapped];
    ctx.problems.add(
      `role "${name}" in settings.${setting} is not declared and does not exist`,
      positions[index],
    );
    return [];
  });
}
