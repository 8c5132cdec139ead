/**
 * The one catalog read behind `explain` and `graph` (sql/explain.sql): a single statement,
 * whatever the number of roles and objects, turned into the pure model of src/explain/.
 */
import type {
  AclEntry,
  ColumnAclEntry,
  DefaultAclEntry,
  ExplainCatalog,
  ExplainMembership,
  ExplainObject,
  ExplainPolicy,
  ExplainRole,
  ObjectKindRead,
} from '../model/explain-catalog.js';
import { loadSql } from './load-sql.js';
import { asPrivilege } from './privilege-names.js';
import type { Queryable } from './queryable.js';
import { withPinnedSearchPath } from './search-path.js';

interface RawAcl {
  grantee: string | null;
  grantor: string;
  privilege: string;
  grantable: boolean;
}

/** [id, kind, schema, name, args, owner oid, relkind, row security, forced, columns] */
type ObjectTuple = [
  number,
  ObjectKindRead,
  string | null,
  string,
  string | null,
  number,
  string | null,
  boolean,
  boolean,
  string[] | null,
];
/** [object id, grantee oid (0 = PUBLIC), grantor oid, privilege, grantable] */
type AclTuple = [number, number, number, string, boolean];

interface ExplainRow {
  current_database: string;
  server_version_num: number;
  roles: (ExplainRole & { oid: number })[];
  memberships: ExplainMembership[];
  objects: ObjectTuple[];
  acl: AclTuple[];
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

/** Objects with their ACL entries, role oids turned into names. */
function objectsOf(row: ExplainRow): ExplainObject[] {
  const names = new Map(row.roles.map((role) => [role.oid, role.name]));
  // A dangling oid cannot occur in one snapshot; its number keeps the answer honest if it did.
  const name = (oid: number): string => names.get(oid) ?? String(oid);
  const entries = new Map<number, AclEntry[]>();
  for (const [id, grantee, grantor, privilege, grantable] of row.acl) {
    const list = entries.get(id) ?? [];
    list.push({
      grantee: grantee === 0 ? null : name(grantee),
      grantor: name(grantor),
      privilege: asPrivilege(privilege),
      grantable,
    });
    entries.set(id, list);
  }
  return row.objects.map(
    ([id, kind, schema, objectName, args, owner, relkind, rowSecurity, forced, columns]) => ({
      kind,
      schema,
      name: objectName,
      args,
      owner: name(owner),
      relkind,
      rowSecurity,
      forceRowSecurity: forced,
      columns,
      acl: entries.get(id) ?? [],
    }),
  );
}

export interface ExplainReadOptions {
  /** Read objects too (explain), or only roles and memberships (graph). */
  readonly withObjects: boolean;
  /**
   * Read the relations and routines of this schema only (`''`: of none); every schema's when
   * absent. Databases, schemas and default privileges are always read whole.
   */
  readonly schema?: string | undefined;
}

/**
 * Reads the catalog for explain or graph, in one statement.
 *
 * @example
 * const catalog = await readExplainCatalog(client, { withObjects: true, schema: 'app' });
 */
export async function readExplainCatalog(
  client: Queryable,
  options: ExplainReadOptions,
): Promise<ExplainCatalog> {
  // Pinned like every catalog read, so a function planted in a writable schema never runs.
  const { rows } = await withPinnedSearchPath(client, () =>
    client.query<ExplainRow>(loadSql('explain'), [options.withObjects, options.schema ?? null]),
  );
  const row = rows[0];
  if (row === undefined) throw new Error('explain.sql returned no row');
  return {
    versionNum: row.server_version_num,
    currentDatabase: row.current_database,
    roles: row.roles.map(({ name, superuser, inherit, login, bypassrls }) => ({
      name,
      superuser,
      inherit,
      login,
      bypassrls,
    })),
    memberships: row.memberships,
    objects: objectsOf(row),
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
