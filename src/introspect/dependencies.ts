import type { RoleDependency } from '../model/state.js';
import { loadSql } from './load-sql.js';
import type { Queryable } from './queryable.js';

interface DependencyRow {
  role: string;
  database: string | null;
  type: string;
  count: number;
}

/** pg_shdepend.deptype letters pgward reads. */
const DEPENDENCY_TYPE: Readonly<Record<string, RoleDependency['type']>> = {
  o: 'owner',
  a: 'acl',
  r: 'policy',
  i: 'initacl',
};

/** Per role (pg_* excluded) and database: how many objects it owns or is named in. */
export async function readDependencies(client: Queryable): Promise<readonly RoleDependency[]> {
  const { rows } = await client.query<DependencyRow>(loadSql('dependencies'));
  return rows.flatMap((row) => {
    const type = DEPENDENCY_TYPE[row.type];
    return type === undefined
      ? []
      : [{ role: row.role, database: row.database, type, count: row.count }];
  });
}
