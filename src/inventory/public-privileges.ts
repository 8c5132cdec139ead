/**
 * The inventory's one extra catalog query: what PUBLIC holds in the configured schemas, which
 * introspection leaves out. One set-based query for all schemas and objects.
 */
import { readSqlFile } from '../introspect/load-sql.js';
import type { Queryable } from '../introspect/queryable.js';
import type { ObjectRef } from '../model/objects.js';
import type { ObjectKind, Privilege } from '../model/privileges.js';
import type { PublicPrivilege } from './effective.js';

interface PublicPrivilegeRow {
  kind: ObjectKind;
  schema: string | null;
  name: string;
  args: string | null;
  privilege: Privilege;
}

/** Reads the privileges PUBLIC holds on `schemas` and on the objects in them. */
export async function introspectPublicPrivileges(
  client: Queryable,
  schemas: readonly string[],
): Promise<PublicPrivilege[]> {
  if (schemas.length === 0) return [];
  const { rows } = await client.query<PublicPrivilegeRow>(
    readSqlFile(new URL('./sql/public-privileges.sql', import.meta.url)),
    [[...schemas]],
  );
  return rows.map((row) => {
    const object: ObjectRef =
      row.args === null
        ? { kind: row.kind, schema: row.schema, name: row.name }
        : { kind: row.kind, schema: row.schema, name: row.name, args: row.args };
    return { object, privilege: row.privilege };
  });
}
