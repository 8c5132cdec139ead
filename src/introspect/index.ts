/**
 * Introspection: reads the current state of a cluster (roles, memberships) and of the
 * connected database (objects, privileges, default privileges) from the catalogs.
 *
 * Set-based: a fixed number of queries per call (6 to 8 depending on the server version and
 * on whether passwords are readable), whatever the number of roles and objects. The catalog
 * SQL lives in `sql/*.sql`, with the reasons for each catalog quirk.
 */
import type { CurrentState } from '../model/state.js';
import { readDefaultPrivileges } from './default-privileges.js';
import { readDependencies } from './dependencies.js';
import { readObjects } from './objects.js';
import type { Queryable } from './queryable.js';
import { readMemberships, readRoles } from './roles.js';
import { readServer } from './server.js';
import { withPinnedSearchPath } from './search-path.js';

export type { Queryable } from './queryable.js';

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
   * Objects of pg_catalog / information_schema to read even if nothing beyond PostgreSQL's
   * initial privileges is granted on them, as `schema.name`: those a config's grants name
   * (see systemObjectNames in config/system-objects.ts). Others are read only when granted.
   */
  readonly systemObjectNames?: readonly string[];
}

export async function introspect(
  client: Queryable,
  options: IntrospectOptions = {},
): Promise<CurrentState> {
  return withPinnedSearchPath(client, async () => {
    // The server version comes first: it decides which catalog queries exist.
    const server = await readServer(client);
    const roles = await readRoles(client, server);
    const memberships = await readMemberships(client, server);
    const { objects, systemObjects, privileges, publicPrivileges } = await readObjects(
      client,
      server,
      options.systemObjectNames,
    );
    const defaultPrivileges = await readDefaultPrivileges(client);
    const dependencies = await readDependencies(client);
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
    };
  });
}
