/**
 * A saved cluster plan's fingerprints (spec §8 with §3's PLANFILE): what roles are — their
 * attributes, comment and memberships, which live in shared catalogs — once for the cluster;
 * everything else (privileges, default privileges, objects, `IN DATABASE` settings, row
 * security) once per managed database, computed from that database's catalog. `apply
 * PLANFILE` recomputes each section from the live databases and names the database where
 * something changed.
 */
import type { CurrentState, DesiredState } from '../model/state.js';
import { changedResources, fingerprintsOf, planScope, type Fingerprints } from './fingerprint.js';
import type { Operation } from '../model/operations.js';

/** One managed database as planned: its state, its desired state and its diff's operations. */
export interface DatabaseScope {
  readonly database: string;
  readonly current: CurrentState;
  readonly desired: DesiredState;
  readonly operations: readonly Operation[];
}

export interface ClusterFingerprints {
  /** Role aspects held in shared catalogs, read once for the cluster. */
  readonly cluster: Fingerprints;
  /** Managed database → the fingerprints of what the plan depends on there. */
  readonly databases: Readonly<Record<string, Fingerprints>>;
}

/** Role aspects every database reads alike (pg_authid, pg_auth_members, pg_shdescription). */
const CLUSTER_ROLE_ASPECTS: ReadonlySet<string> = new Set(['attributes', 'comment', 'memberships']);

/** Whether a fingerprint key is about a role's cluster-wide aspect (`role "a": memberships`). */
function isClusterKey(key: string): boolean {
  // Every aspect is a word without `"`: the resource ends at the last `": `.
  const split = key.lastIndexOf('": ');
  return key.startsWith('role "') && split > 0 && CLUSTER_ROLE_ASPECTS.has(key.slice(split + 3));
}

interface SplitScope {
  readonly cluster: Set<string>;
  readonly databases: Map<string, Set<string>>;
}

/** The keys each database's plan depends on, the cluster-wide ones taken out once. */
function splitScopes(scopes: readonly DatabaseScope[]): SplitScope {
  const cluster = new Set<string>();
  const databases = new Map<string, Set<string>>();
  for (const scope of scopes) {
    const own = new Set<string>();
    for (const key of planScope(scope.current, scope.desired, scope.operations))
      (isClusterKey(key) ? cluster : own).add(key);
    databases.set(scope.database, own);
  }
  return { cluster, databases };
}

/**
 * The fingerprints of a cluster plan. Cluster-wide keys are hashed from the first database's
 * state: every database's state carries the same roles and memberships (read once).
 */
export function clusterFingerprintsOf(scopes: readonly DatabaseScope[]): ClusterFingerprints {
  const split = splitScopes(scopes);
  const databases = Object.create(null) as Record<string, Fingerprints>;
  for (const scope of scopes)
    databases[scope.database] = fingerprintsOf(
      scope.current,
      split.databases.get(scope.database) ?? new Set(),
    );
  const first = scopes[0];
  return {
    cluster: first === undefined ? {} : fingerprintsOf(first.current, split.cluster),
    databases,
  };
}

/**
 * What changed since `saved` was computed, recomputed from the live states of the same
 * databases: one line per resource, prefixed with its database (none for cluster-wide ones).
 */
export function clusterChangedResources(
  saved: ClusterFingerprints,
  scopes: readonly DatabaseScope[],
): string[] {
  const first = scopes[0];
  const lines =
    first === undefined
      ? []
      : changedResources(saved.cluster, fingerprintsOf(first.current, keysOf(saved.cluster)));
  // A role created or dropped is said once: its privileges in each database changed with it.
  const appeared = lines.flatMap((line) =>
    /: (?:created|dropped)$/.test(line) ? [line.slice(0, line.lastIndexOf(': ') + 2)] : [],
  );
  for (const scope of scopes) {
    const own = saved.databases[scope.database] ?? {};
    for (const line of changedResources(own, fingerprintsOf(scope.current, keysOf(own))))
      if (!appeared.some((resource) => line.startsWith(resource)))
        lines.push(`in database "${scope.database}": ${line}`);
  }
  return lines;
}

/**
 * The first key (cluster-wide ones first, then each database's, in order) the plan made now
 * depends on that `saved` lacks, in words; undefined if none. The file's digest is no seal:
 * a key left out of it would otherwise go unchecked.
 */
export function missingClusterFingerprint(
  saved: ClusterFingerprints,
  scopes: readonly DatabaseScope[],
): string | undefined {
  const split = splitScopes(scopes);
  const missing = [...split.cluster].sort().find((key) => !Object.hasOwn(saved.cluster, key));
  if (missing !== undefined) return missing;
  for (const scope of scopes) {
    const own = saved.databases[scope.database] ?? {};
    const needed = [...(split.databases.get(scope.database) ?? [])].sort();
    const key = needed.find((candidate) => !Object.hasOwn(own, candidate));
    if (key !== undefined) return `${key} in database "${scope.database}"`;
  }
  return undefined;
}

function keysOf(fingerprints: Fingerprints): Set<string> {
  return new Set(Object.keys(fingerprints));
}
