/**
 * The one catalog read behind `explain` and `graph` (sql/explain.sql): a single statement,
 * whatever the number of roles and objects, turned into the pure model of src/explain/.
 */
import type {
  ColumnAclEntry,
  DefaultAclEntry,
  ExplainCatalog,
  ExplainMembership,
  ExplainObject,
  ExplainPolicy,
  ExplainRole,
  ObjectKindRead,
} from '../explain/catalog.js';
import { loadSql } from './load-sql.js';
import { asPrivilege } from './privilege-names.js';
import type { Queryable } from './queryable.js';

interface RawAcl {
  grantee: string | null;
  grantor: string;
  privilege: string;
  grantable: boolean;
}

interface ExplainRow {
  current_database: string;
  server_version_num: number;
  roles: ExplainRole[];
  memberships: ExplainMembership[];
  objects: (Omit<ExplainObject, 'acl' | 'rowSecurity' | 'forceRowSecurity' | 'kind'> & {
    kind: ObjectKindRead;
    row_security: boolean;
    force_row_security: boolean;
    acl: RawAcl[];
  })[];
  column_acl: (RawAcl & { schema: string; name: string; column: string })[];
  default_acl: (RawAcl & { for_role: string; schema: string | null; object_type: string })[];
  policies: ExplainPolicy[];
}

function acl(entry: RawAcl) {
  return {
    grantee: entry.grantee,
    grantor: entry.grantor,
    privilege: asPrivilege(entry.privilege),
    grantable: entry.grantable,
  };
}

/**
 * Reads the catalog for explain (`withObjects`) or only roles and memberships (for graph).
 *
 * @example
 * const catalog = await readExplainCatalog(client, { withObjects: true });
 */
export async function readExplainCatalog(
  client: Queryable,
  options: { readonly withObjects: boolean },
): Promise<ExplainCatalog> {
  const { rows } = await client.query<ExplainRow>(loadSql('explain'), [options.withObjects]);
  const row = rows[0];
  if (row === undefined) throw new Error('explain.sql returned no row');
  return {
    versionNum: row.server_version_num,
    currentDatabase: row.current_database,
    roles: row.roles,
    memberships: row.memberships,
    objects: row.objects.map((object) => ({
      kind: object.kind,
      schema: object.schema,
      name: object.name,
      args: object.args,
      owner: object.owner,
      relkind: object.relkind,
      rowSecurity: object.row_security,
      forceRowSecurity: object.force_row_security,
      columns: object.columns,
      acl: object.acl.map(acl),
    })),
    columnAcl: row.column_acl.map((entry): ColumnAclEntry => ({
      ...acl(entry),
      schema: entry.schema,
      table: entry.name,
      column: entry.column,
    })),
    defaultAcl: row.default_acl.map((entry): DefaultAclEntry => ({
      ...acl(entry),
      forRole: entry.for_role,
      schema: entry.schema,
      objectType: entry.object_type,
    })),
    policies: row.policies,
  };
}
