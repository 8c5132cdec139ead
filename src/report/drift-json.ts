/**
 * `pgward drift --format json`: the JSON plan (spec §3, every field kept) plus `findings`, one
 * per thing drift reports (spec §10): each change apply would make, and each finding apply
 * leaves alone, every one with a `kind` and a `reason`.
 *
 * ```json
 * { "format_version": 1, ..., "changes": [...], "warnings": [...],
 *   "findings": [
 *     { "kind": "undeclared_system_privilege", "fixed_by_apply": true,
 *       "summary": "revoke SELECT on table pg_catalog.pg_authid from \"shop_api\"",
 *       "reason": "..." },
 *     { "kind": "privileged_unmanaged_role", "fixed_by_apply": false, "role": "evil",
 *       "summary": "role \"evil\" has SUPERUSER but is not in the config", "reason": "..." } ] }
 * ```
 */
import { PgwardError } from '../errors.js';
import { findingWarning, type Finding, type FindingKind } from '../model/findings.js';
import { isSystemSchema } from '../model/privileges.js';
import type { Operation, OperationType, Plan, PlanStep } from '../model/operations.js';
import { planFromJson, planToJson, type PlanJson } from '../plan/planfile.js';

export interface DriftFindingJson {
  readonly kind: string;
  /** true: the change apply would make; false: apply leaves it alone. */
  readonly fixed_by_apply: boolean;
  readonly role?: string;
  readonly summary: string;
  readonly reason: string;
}

export interface DriftJson extends PlanJson {
  readonly findings: readonly DriftFindingJson[];
}

/** What each kind of change says about the database, and why apply makes it. */
const CHANGE_FINDING: Readonly<Record<OperationType, { kind: string; reason: string }>> = {
  create_role: {
    kind: 'missing_role',
    reason: 'the config declares this role and it does not exist',
  },
  rename_role: {
    kind: 'role_to_rename',
    reason: 'the config declares the role under its new name (renamed_from)',
  },
  alter_role: {
    kind: 'role_attributes',
    reason: "the role's attributes differ from the config's",
  },
  set_password: {
    kind: 'role_password',
    reason: "the role's password differs from the config's, or cannot be compared",
  },
  comment_role: {
    kind: 'role_description',
    reason: "the role's description differs from the config's",
  },
  set_role_config: {
    kind: 'role_setting',
    reason: "the role's ALTER ROLE ... SET setting differs from the config's",
  },
  grant_membership: {
    kind: 'missing_membership',
    reason: 'the config declares this membership and the database lacks it',
  },
  alter_membership: {
    kind: 'membership_options',
    reason: "the membership's options differ from the config's",
  },
  revoke_membership: {
    kind: 'undeclared_membership',
    reason: 'a managed role is a member of a role the config does not make it a member of',
  },
  grant_privileges: {
    kind: 'missing_privilege',
    reason: 'the config grants this privilege and the database lacks it',
  },
  revoke_privileges: {
    kind: 'undeclared_privilege',
    reason: 'a managed role holds a privilege the config does not grant it',
  },
  grant_default_privileges: {
    kind: 'missing_default_privilege',
    reason: 'the config declares these default privileges and the database lacks them',
  },
  revoke_default_privileges: {
    kind: 'undeclared_default_privilege',
    reason: 'a managed role gets default privileges the config does not declare',
  },
  alter_owner: {
    kind: 'object_owner',
    reason: "the object's owner differs from the one the config gives it (owns)",
  },
  grant_public: {
    kind: 'missing_public_privilege',
    reason: 'the config grants this privilege to PUBLIC (public.grants) and the database lacks it',
  },
  revoke_public: {
    kind: 'undeclared_public_privilege',
    reason:
      'PUBLIC holds a privilege on a kind the config manages (public.manage) and does not grant',
  },
  create_policy: {
    kind: 'missing_policy',
    reason: 'the config declares this policy (tables) and the table lacks it',
  },
  alter_policy: {
    kind: 'policy_definition',
    reason: "the policy's roles or expressions differ from the config's",
  },
  drop_policy: {
    kind: 'undeclared_policy',
    reason:
      "the table has a policy the config does not declare, or one whose command or kind differs from the config's",
  },
  set_row_security: {
    kind: 'row_security',
    reason: "the table's row-level security (enabled, forced) differs from the config's",
  },
  reassign_owned: {
    kind: 'unmanaged_role',
    reason: 'the role is not in the config and unmanaged_roles is drop',
  },
  drop_owned: {
    kind: 'unmanaged_role',
    reason: 'the role is not in the config and unmanaged_roles is drop',
  },
  drop_role: {
    kind: 'unmanaged_role',
    reason: 'the role is not in the config and unmanaged_roles is drop',
  },
};

/** A privilege on objects of pg_catalog or information_schema: its own kind, it is a blind spot. */
function onSystemObjects(op: Operation): boolean {
  return (
    op.type === 'revoke_privileges' &&
    op.target.scope === 'objects' &&
    op.target.objects.some((object) => object.schema !== null && isSystemSchema(object.schema))
  );
}

function changeFinding(step: PlanStep): DriftFindingJson {
  const { kind, reason } = onSystemObjects(step.operation)
    ? {
        kind: 'undeclared_system_privilege',
        reason:
          "a managed role holds a privilege on a system catalog object beyond PostgreSQL's initial privileges (pg_init_privs), and the config does not grant it",
      }
    : CHANGE_FINDING[step.operation.type];
  return { kind, fixed_by_apply: true, summary: step.summary, reason };
}

/** The drift report as JSON: the plan's fields, then `findings`. */
export function driftToJson(plan: Plan): DriftJson {
  return {
    ...planToJson(plan),
    findings: [
      ...plan.steps.map(changeFinding),
      ...plan.findings.map((finding) => ({
        kind: finding.kind,
        fixed_by_apply: false,
        role: finding.role,
        summary: finding.summary,
        reason: finding.reason,
      })),
    ],
  };
}

const FINDING_KINDS: ReadonlySet<string> = new Set<FindingKind>([
  'unmanaged_role',
  'privileged_unmanaged_role',
]);

/**
 * Reads `pgward drift --format json` back (the GitHub Action renders its comment from it):
 * the plan as planFromJson reads it, with the findings apply leaves alone restored, and
 * their warning lines (the JSON's `warnings` repeats them) not counted twice.
 *
 * @example
 * const plan = driftFromJson(JSON.parse(stdout)); // then renderPlanMarkdown(plan, { mode: 'drift' })
 */
export function driftFromJson(json: unknown): Plan {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return planFromJson(json);
  const { findings: raw, ...planJson } = json as Record<string, unknown>;
  const findings: Finding[] = [];
  for (const entry of Array.isArray(raw) ? (raw as unknown[]) : []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { kind, fixed_by_apply: fixed, role, summary, reason } = entry as Record<string, unknown>;
    if (fixed !== false || typeof kind !== 'string' || !FINDING_KINDS.has(kind)) continue;
    if (typeof role !== 'string' || typeof summary !== 'string' || typeof reason !== 'string')
      throw new PgwardError('invalid drift report: a finding lacks its role, summary or reason');
    findings.push({ kind: kind as FindingKind, role, summary, reason });
  }
  const plan = planFromJson(planJson);
  const repeated = new Set(findings.map(findingWarning));
  return {
    ...plan,
    findings,
    warnings: plan.warnings.filter((warning) => !repeated.has(warning)),
  };
}
