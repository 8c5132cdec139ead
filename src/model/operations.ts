/**
 * Operations: the closed set of changes a plan can make. Each is readonly data; rendering to
 * SQL (`sql/render.ts`) is an exhaustive switch over `type`.
 */
import { findingWarning, type Finding } from './findings.js';
import type { ObjectRef } from './objects.js';
import type {
  AllInSchemaKind,
  DefaultPrivilegeObjectType,
  ObjectKind,
  Privilege,
} from './privileges.js';
import type { PasswordSource, Policy, RoleAttributes, RowSecurity } from './state.js';

/** What a GRANT/REVOKE applies to: listed objects, or every object of a kind in a schema. */

/** What a plan depends on: one hash per resource key (plan/fingerprint.ts computes them). */
export type Fingerprints = Readonly<Record<string, string>>;
export type GrantTarget =
  | { readonly scope: 'objects'; readonly kind: ObjectKind; readonly objects: readonly ObjectRef[] }
  | { readonly scope: 'all_in_schema'; readonly kind: AllInSchemaKind; readonly schema: string };

export type Operation =
  | {
      readonly type: 'create_role';
      readonly role: string;
      /** Attributes that differ from CREATE ROLE's defaults are rendered as options. */
      readonly attributes: RoleAttributes;
      readonly password?: PasswordSource;
    }
  | { readonly type: 'rename_role'; readonly from: string; readonly to: string }
  | {
      readonly type: 'alter_role';
      readonly role: string;
      /** Only the attributes that change. */
      readonly changes: Partial<RoleAttributes>;
    }
  | { readonly type: 'set_password'; readonly role: string; readonly password: PasswordSource }
  | { readonly type: 'comment_role'; readonly role: string; readonly comment: string | null }
  /**
   * ALTER ROLE ... [IN DATABASE d] SET name = value, or RESET name when value is null. Without
   * `database` for every database; with it, in that database only (`database_config`).
   */
  | {
      readonly type: 'set_role_config';
      readonly role: string;
      readonly name: string;
      readonly value: string | null;
      readonly database?: string;
    }
  | {
      readonly type: 'grant_membership';
      readonly role: string;
      readonly member: string;
      readonly admin: boolean;
      /** PG16+ only; undefined = not specified in the GRANT. */
      readonly inherit?: boolean;
      readonly set?: boolean;
    }
  | {
      /** Changes options of an existing membership (ADMIN on all versions; INHERIT/SET on 16+). */
      readonly type: 'alter_membership';
      readonly role: string;
      readonly member: string;
      readonly grantor?: string;
      readonly admin?: boolean;
      readonly inherit?: boolean;
      readonly set?: boolean;
    }
  | {
      readonly type: 'revoke_membership';
      readonly role: string;
      readonly member: string;
      /** PG16+: REVOKE ... GRANTED BY, needed when the grant was made by another role. */
      readonly grantor?: string;
    }
  | {
      readonly type: 'grant_privileges';
      readonly target: GrantTarget;
      readonly privileges: readonly Privilege[];
      /** Column privileges when set (target is one table). */
      readonly columns?: readonly string[];
      readonly grantees: readonly string[];
      readonly withGrantOption: boolean;
    }
  | {
      readonly type: 'revoke_privileges';
      readonly target: GrantTarget;
      readonly privileges: readonly Privilege[];
      readonly columns?: readonly string[];
      readonly grantees: readonly string[];
      /** REVOKE GRANT OPTION FOR: keep the privilege, drop only the right to grant it. */
      readonly grantOptionOnly: boolean;
      /**
       * `CASCADE`: also revoke what the grantees granted onward with their grant option
       * (without it PostgreSQL refuses while such dependent grants exist). The diff sets it
       * when a grantee loses a grant option that other roles' remaining privileges depend on.
       */
      readonly cascade?: boolean;
      /**
       * Revoke as this role (`SET ROLE` … `RESET ROLE`): it granted the privileges with its
       * grant option, and only a privilege's grantor can revoke it (a superuser's REVOKE acts
       * as the object's owner, and `GRANTED BY` must name the current user). Absent: as the
       * connecting role, i.e. in the owner's name.
       */
      readonly asGrantor?: string;
    }
  | {
      readonly type: 'grant_default_privileges';
      readonly forRole: string;
      readonly schema: string | null;
      readonly objectType: DefaultPrivilegeObjectType;
      readonly privileges: readonly Privilege[];
      readonly grantees: readonly string[];
      readonly withGrantOption: boolean;
    }
  | {
      readonly type: 'revoke_default_privileges';
      readonly forRole: string;
      readonly schema: string | null;
      readonly objectType: DefaultPrivilegeObjectType;
      readonly privileges: readonly Privilege[];
      readonly grantees: readonly string[];
      readonly grantOptionOnly: boolean;
    }
  /**
   * `ALTER <kind> object OWNER TO owner` (spec §9 `owns`). `relkind` (tables only) picks
   * ALTER VIEW / MATERIALIZED VIEW / FOREIGN TABLE; `from` is the owner it replaces, for the
   * reader and for the connecting-role check.
   */
  | {
      readonly type: 'alter_owner';
      readonly object: ObjectRef;
      readonly relkind?: string;
      readonly from: string;
      readonly owner: string;
    }
  /** `GRANT ... TO PUBLIC` on one object (spec §9 `public`); PUBLIC is a keyword, no role. */
  | {
      readonly type: 'grant_public';
      readonly object: ObjectRef;
      readonly privileges: readonly Privilege[];
      readonly columns?: readonly string[];
    }
  /**
   * `REVOKE ... FROM PUBLIC` on one object. `asGrantor`: the entry was granted by a role other
   * than the owner (with its grant option), and only that role can revoke it.
   */
  | {
      readonly type: 'revoke_public';
      readonly object: ObjectRef;
      readonly privileges: readonly Privilege[];
      readonly columns?: readonly string[];
      readonly asGrantor?: string;
    }
  /**
   * ALTER TABLE ... ENABLE/DISABLE (`enable`) and FORCE/NO FORCE (`force`) ROW LEVEL SECURITY
   * (spec §9 `tables`), only the flags that change; `to` is the state the table gets.
   */
  | {
      readonly type: 'set_row_security';
      readonly table: ObjectRef;
      readonly to: RowSecurity;
      readonly enable?: boolean;
      readonly force?: boolean;
    }
  /** CREATE POLICY; `policy.using`/`withCheck` are checked expressions (sql/expression.ts). */
  | { readonly type: 'create_policy'; readonly policy: Policy }
  /** ALTER POLICY: only what changes (roles, using, with_check); null-ing one needs drop+create. */
  | {
      readonly type: 'alter_policy';
      readonly table: ObjectRef;
      readonly name: string;
      readonly roles?: readonly string[];
      readonly using?: string;
      readonly withCheck?: string;
    }
  | { readonly type: 'drop_policy'; readonly table: ObjectRef; readonly name: string }
  /** REASSIGN OWNED BY role TO to; then DROP OWNED BY role (current database). */
  | { readonly type: 'reassign_owned'; readonly role: string; readonly to: string }
  | { readonly type: 'drop_owned'; readonly role: string }
  | { readonly type: 'drop_role'; readonly role: string };

export type OperationType = Operation['type'];

/** Terraform's closed set of actions: + create, ~ update, - delete. */
export type Action = 'create' | 'update' | 'delete';

/** One plan step: the operation, a one-line summary and its SQL, kept together. */
export interface PlanStep {
  readonly operation: Operation;
  readonly action: Action;
  readonly summary: string;
  /** SQL as shown to people and saved in plan files: passwords appear as (sensitive). */
  readonly sql: readonly string[];
  /**
   * Cluster scope (spec §8): the database whose catalog the step changes; absent for a
   * cluster-wide step (roles, attributes, memberships, settings) and in one-database plans.
   */
  readonly database?: string;
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

export interface Plan {
  readonly formatVersion: 1;
  readonly steps: readonly PlanStep[];
  readonly summary: PlanSummary;
  /**
   * What the plan depends on, one hash per resource (see plan/fingerprint.ts). Computed only
   * for a plan that is saved (`plan --out`, `--format json`, `db.plan`) or read from a file.
   */
  readonly fingerprints?: Fingerprints;
  readonly database: string;
  readonly serverVersionNum: number;
  /** Suffix of DB-specific roles the plan was made with, if any. */
  readonly suffix?: string;
  /**
   * Cluster scope (`settings.databases`, spec §8): the managed databases, in plan order; each
   * step names its database, or none when cluster-wide. Absent for a one-database plan.
   */
  readonly databases?: readonly string[];
  /**
   * Access the config does not account for that the steps leave alone (spec §10): drift by
   * itself, a warning in a plan. Not kept in plan files (their `warnings` carry the text).
   */
  readonly findings: readonly Finding[];
  /** Non-fatal notes for the reader (password drift unknowable, CASCADE, ...). */
  readonly warnings: readonly string[];
}

/** Every warning a plan shows: its findings first (one line each), then its notes. */
export function warningsOf(plan: Plan): string[] {
  return [...plan.findings.map(findingWarning), ...plan.warnings];
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
