/**
 * One plan for several databases of a cluster (spec §8), from each database's operations.
 *
 * Each managed database is diffed on its own (its objects and privileges, the cluster's roles
 * and memberships), so every database's operations hold the cluster-wide ones too: the same
 * `CREATE ROLE` comes from each. Here they are told apart and merged:
 *
 * - database steps (privileges, default privileges, REASSIGN/DROP OWNED, `ALTER ROLE ... IN
 *   DATABASE`) keep their database and run in its transaction;
 * - cluster-wide steps (roles, attributes, passwords, comments, settings for every database,
 *   memberships, privileges on databases, tablespaces and parameters, which live in shared
 *   catalogs) are kept once, and run in the first connection's transaction;
 * - `DROP ROLE` comes last, once every database is clean (after they all committed).
 *
 * Plan order: cluster-wide steps (in plan/order.ts's order), then each database's in the
 * order of `settings.databases`, then the role drops.
 */
import type { Finding } from '../model/findings.js';
import { normalizeOperation, planStep, summarizeSteps } from './build.js';
import { canonicalJson } from './fingerprint.js';
import type { Operation, Plan, PlanStep } from '../model/operations.js';
import { orderOperations } from './order.js';

/** Object kinds whose ACLs live in shared catalogs (pg_database, pg_tablespace, pg_parameter_acl). */
const CLUSTER_KINDS: ReadonlySet<string> = new Set(['database', 'tablespace', 'parameter']);

/** Whether an operation changes one database's catalog (else it is cluster-wide). */
export function isDatabaseOperation(op: Operation): boolean {
  switch (op.type) {
    case 'grant_privileges':
    case 'revoke_privileges':
      return !CLUSTER_KINDS.has(op.target.kind);
    case 'grant_default_privileges':
    case 'revoke_default_privileges':
    case 'reassign_owned':
    case 'drop_owned':
      return true;
    case 'set_role_config':
      return op.database !== undefined;
    default:
      return false;
  }
}

/** What one managed database's diff gave. */
export interface DatabaseOperations {
  readonly database: string;
  readonly operations: readonly Operation[];
  readonly findings: readonly Finding[];
  readonly warnings: readonly string[];
}

/**
 * The findings every database reports. Findings are about roles, which are cluster-wide; a
 * role one database's config (its suffix, its entries) declares is not unmanaged in the
 * cluster, so a finding holds only if each database finds it.
 */
function sharedFindings(databases: readonly DatabaseOperations[]): Finding[] {
  const [head, ...rest] = databases;
  if (head === undefined) return [];
  const keys = rest.map((db) => new Set(db.findings.map((finding) => canonicalJson(finding))));
  return head.findings.filter((finding) =>
    keys.every((found) => found.has(canonicalJson(finding))),
  );
}

function unique(operations: readonly Operation[]): Operation[] {
  const seen = new Map<string, Operation>();
  for (const op of operations.map(normalizeOperation)) seen.set(canonicalJson(op), op);
  return [...seen.values()];
}

/**
 * The cluster plan: cluster-wide steps once, then each database's steps, then role drops.
 * `connected` is the database of the first connection (`plan.database`).
 */
export function buildClusterPlan(
  connected: string,
  serverVersionNum: number,
  databases: readonly DatabaseOperations[],
): Plan {
  const cluster = unique(
    databases.flatMap((db) => db.operations.filter((op) => !isDatabaseOperation(op))),
  );
  const steps = (ops: readonly Operation[], database?: string): PlanStep[] =>
    orderOperations(ops).map((op) => ({
      ...planStep(op, serverVersionNum),
      ...(database === undefined ? {} : { database }),
    }));
  const all = [
    ...steps(cluster.filter((op) => op.type !== 'drop_role')),
    ...databases.flatMap((db) =>
      steps(unique(db.operations.filter(isDatabaseOperation)), db.database),
    ),
    ...steps(cluster.filter((op) => op.type === 'drop_role')),
  ];
  return {
    formatVersion: 1,
    steps: all,
    summary: summarizeSteps(all),
    database: connected,
    serverVersionNum,
    databases: databases.map((db) => db.database),
    findings: sharedFindings(databases),
    warnings: [...new Set(databases.flatMap((db) => db.warnings))],
  };
}
