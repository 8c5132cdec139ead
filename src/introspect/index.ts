/**
 * Introspection: reads the current state of a cluster (roles, memberships) and of the
 * connected database (objects, privileges, default privileges) from the catalogs.
 *
 * Set-based: a fixed number of queries per call (10 to 12 depending on the server version and
 * on whether passwords are readable), whatever the number of roles and objects. The catalog
 * SQL lives in `sql/*.sql`, with the reasons for each catalog quirk.
 */
import type { CurrentMembership, CurrentRole, CurrentState } from '../model/state.js';
import { readDefaultPrivileges } from './default-privileges.js';
import { readDependencies } from './dependencies.js';
import { readObjects, type NamedObjects } from './objects.js';
import { readLinkedSequences } from './ownership.js';
import { readRowSecurity } from './row-security.js';
import type { Queryable } from './queryable.js';
import { readMemberships, readRoleDatabaseSettings, readRoles } from './roles.js';
import { readServer } from './server.js';
import { withPinnedSearchPath } from './search-path.js';

export type { Queryable } from './queryable.js';
export type { NamedObjects } from './objects.js';

/**
 * Reads the CurrentState through `client`, with search_path pinned (search-path.ts). The
 * queries run one after the other; for a
 * consistent snapshot while others change roles, call it inside a `REPEATABLE READ`
 * transaction.
 *
 * @example
 * const client = new pg.Client(url);
 * await client.connect();
 * const current = await introspect(client);
 * current.roles.find((role) => role.name === 'reader')?.attributes.login; // false
 */
export interface IntrospectOptions {
  /**
   * Objects to read beyond what objects.sql lists: the system objects a config's grants name,
   * and the tables whose column names its column grants need (NamedObjects). A function, run
   * while the server reads the objects: the engine loads the config there (engine.ts).
   * Without it, system objects are read only when granted beyond their initial privileges,
   * and column names only of tables with a column privilege (`columns` left out, not empty).
   */
  readonly named?: () => NamedObjects | Promise<NamedObjects>;
  /**
   * Roles and memberships already read for the whole cluster (readClusterRoles): not read
   * again; only the roles' `IN DATABASE` settings in the connected database are.
   */
  readonly clusterRoles?: ClusterRoles;
  /**
   * Called with the roles as soon as they are read, before the (much longer) read of the
   * objects: the engine keeps them to check the config's passwords against their verifiers,
   * off the main thread, once `named` has loaded the config.
   */
  readonly onRoles?: (roles: readonly CurrentRole[]) => void;
}

/** What a cluster's roles are, read once through one connection (spec §8). */
export interface ClusterRoles {
  readonly roles: readonly CurrentRole[];
  readonly memberships: readonly CurrentMembership[];
}

/** Roles and memberships through `client`: shared catalogs, read once for the cluster. */
export async function readClusterRoles(client: Queryable): Promise<ClusterRoles> {
  return withPinnedSearchPath(client, async () => {
    const server = await readServer(client);
    return {
      roles: await readRoles(client, server),
      memberships: await readMemberships(client, server),
    };
  });
}

/** The cluster's roles as one database sees them: with its own `IN DATABASE` settings. */
async function rolesIn(client: Queryable, cluster: ClusterRoles): Promise<CurrentRole[]> {
  const settings = await readRoleDatabaseSettings(client);
  return cluster.roles.map((role) => ({ ...role, databaseConfig: settings.get(role.oid) ?? {} }));
}

export async function introspect(
  client: Queryable,
  options: IntrospectOptions = {},
): Promise<CurrentState> {
  return withPinnedSearchPath(client, async () => {
    // The server version comes first: it decides which catalog queries exist.
    const server = await readServer(client);
    const cluster = options.clusterRoles;
    const roles =
      cluster === undefined ? await readRoles(client, server) : await rolesIn(client, cluster);
    options.onRoles?.(roles);
    const memberships = cluster?.memberships ?? (await readMemberships(client, server));
    const { objects, systemObjects, privileges, publicPrivileges } = await readObjects(
      client,
      server,
      options.named,
    );
    const defaultPrivileges = await readDefaultPrivileges(client);
    const dependencies = await readDependencies(client);
    // Per-database facts of spec §9 (owners that follow a table's, row-level security).
    const linkedSequences = await readLinkedSequences(client);
    const rowSecurity = { ...(await readRowSecurity(client)), equivalent: new Set<string>() };
    return {
      server,
      roles,
      memberships,
      objects,
      privileges,
      publicPrivileges,
      defaultPrivileges,
      dependencies,
      systemObjects,
      linkedSequences,
      rowSecurity,
    };
  });
}
