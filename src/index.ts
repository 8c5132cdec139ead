/**
 * pgward as a library: `import { connect } from 'pgward'`.
 *
 * Every export is listed here by name, so that what the package promises is visible in one
 * place; modules not exported here are internal and may change.
 *
 * @example
 * ```ts
 * import { connect, QueryError } from 'pgward';
 *
 * const db = await connect(); // DATABASE_URL, else PGHOST/PGUSER/... as psql
 * try {
 *   await db.createRole('readonly', { ifNotExists: true });
 *   await db.grant('SELECT', 'ALL TABLES', 'readonly', { schema: 'public' });
 * } catch (error) {
 *   if (error instanceof QueryError) console.error(error.code, error.message);
 *   throw error;
 * } finally {
 *   await db.close();
 * }
 * ```
 *
 * @packageDocumentation
 */

// Connecting and the imperative role functions (spec §6).
export { connect } from './api/connect.js';
export type { PgwardDatabase } from './api/database.js';
export type {
  AlterRoleOptions,
  CreateRoleOptions,
  DropRoleOptions,
  ListRolesOptions,
  RoleAttributeOptions,
  RoleInfo,
} from './api/roles.js';
export type { GrantRoleOptions } from './api/memberships.js';
// explain / graph (spec §11): `db.explain(role, privilege?, objectType?, object?)`, `db.graph()`.
export type { GraphOptions, PrivilegeExplanation, RoleAccess } from './api/explain.js';
export type { ExplainPath, ExplainStep, MissingItem } from './explain/privilege.js';
export type { MembershipDiagram } from './explain/diagram.js';
export type { GrantObjectType, GrantOptions, RevokeOptions, RoleGrant } from './api/privileges.js';
export type {
  ConfigSource,
  DatabaseApplyOptions,
  DatabaseApplyResult,
  SuffixOptions,
} from './api/engine-calls.js';

// The engine the CLI runs (spec §1, §3): plan, apply and drift of a config, on any connection
// with a `query` method (pg.Client, pg.PoolClient).
export { applyConfig, applyPlanFile, driftOf, planConfig, secretsFor } from './engine.js';
export type {
  ApplyOptions,
  ApplyOutcome,
  ApplyPlanFileOptions,
  ApplyResult,
  PlanOptions,
  PlanResult,
} from './engine.js';
export type { Queryable } from './introspect/queryable.js';

// Cluster scope (spec §8): a config with settings.databases, planned and applied across every
// managed database; `openSibling(client, database)` opens the other databases like `client`.
export { applyCluster, isClusterConfig, planCluster } from './cluster.js';
export type {
  ClusterApplyOptions,
  ClusterApplyResult,
  CommitMethod,
  DatabaseConnection,
  OpenDatabase,
} from './cluster.js';
export { openSibling } from './execute/connection.js';

// The config (spec §4): load and validate a pgward.yaml; ConfigError lists every problem.
export { loadConfig, parseConfig, requirePasswords } from './config/load.js';
export type { LoadOptions } from './config/load.js';
export type { Config } from './config/types.js';
export type { Action, Operation, Plan, PlanStep, PlanSummary } from './model/operations.js';
// Drift beyond the plan's changes (spec §10): what apply leaves alone, with a kind and a reason.
export type { Finding, FindingKind } from './model/findings.js';
export { hasDrift } from './report/wording.js';
export { driftToJson } from './report/drift-json.js';
export type { DriftFindingJson, DriftJson } from './report/drift-json.js';

// Plans as people and programs read them: terminal text, markdown, SQL, and the JSON plan file.
export { renderPlanText } from './report/text.js';
export type { TextReportOptions } from './report/text.js';
export { renderPlanMarkdown } from './report/markdown.js';
export type { MarkdownReportOptions } from './report/markdown.js';
export { renderPlanSql } from './report/sql.js';
export { planFromJson, planToJson, PLAN_FORMAT_VERSION } from './plan/planfile.js';
export type { PlanJson } from './plan/planfile.js';

// The role inventory (spec §5): `db.inventory(config)` or `takeInventory(client, config)`.
export {
  inventorySatisfied,
  inventoryToJson,
  renderInventoryText,
  takeClusterInventory,
  takeInventory,
} from './inventory/index.js';
export type {
  ConfiguredRoleStatus,
  DatabaseInventory,
  Inventory,
  SchemaPermissionStatus,
  UnknownRole,
} from './inventory/index.js';

// Errors: every error pgward throws is a PgwardError.
export {
  ApplyError,
  ConfigError,
  ConnectionError,
  PgwardError,
  PlanError,
  StalePlanError,
} from './errors.js';
export type { Problem, SourcePosition } from './errors.js';
export { InvalidArgumentError, QueryError } from './api/errors.js';
export type { ServerErrorFields } from './api/errors.js';
