/**
 * What introspection needs from a connection: one method, which `pg.Client` and
 * `pg.PoolClient` already have. Tests wrap it to count queries.
 */
export interface Queryable {
  query<R extends object = any>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
