import { DEFAULT_ACL_OBJTYPE } from '../model/privileges.js';
import type { DefaultPrivilegeFact } from '../model/state.js';
import { loadSql } from './load-sql.js';
import { asPrivilege } from './privilege-names.js';
import type { Queryable } from './queryable.js';

interface DefaultPrivilegeRow {
  for_role: string;
  schema: string | null;
  object_type: string;
  grantee: string;
  privilege: string;
  grantable: boolean;
}

/**
 * `ALTER DEFAULT PRIVILEGES` entries, PUBLIC excluded. Global entries (schema null) hold the
 * creator's own privileges too (grantee = forRole): see default-privileges.sql.
 */
export async function readDefaultPrivileges(
  client: Queryable,
): Promise<readonly DefaultPrivilegeFact[]> {
  const { rows } = await client.query<DefaultPrivilegeRow>(loadSql('default-privileges'));
  const facts: DefaultPrivilegeFact[] = [];
  for (const row of rows) {
    const objectType = DEFAULT_ACL_OBJTYPE[row.object_type];
    // PostgreSQL 18's default privileges ON LARGE OBJECTS ('L') are outside pgward's model.
    if (objectType === undefined) continue;
    facts.push({
      forRole: row.for_role,
      schema: row.schema,
      objectType,
      grantee: row.grantee,
      privilege: asPrivilege(row.privilege),
      grantable: row.grantable,
    });
  }
  return facts;
}
