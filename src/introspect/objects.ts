import type { ObjectRef } from '../model/objects.js';
import { GRANTABLE_SYSTEM_SCHEMAS, SYSTEM_SCHEMAS, type ObjectKind } from '../model/privileges.js';
import type {
  CatalogObject,
  PrivilegeFact,
  PublicPrivilegeFact,
  ServerInfo,
} from '../model/state.js';
import { explodeAcl, privilegesOfLetters, splitPlainAclItem, type AclEntry } from './aclitem.js';
import { loadSql } from './load-sql.js';
import { compareOptionalStrings, compareStrings } from '../model/order.js';
import { compareFactsOnOneObject, compareObjectsByKind } from './order.js';
import { asPrivilege } from './privilege-names.js';
import type { Queryable } from './queryable.js';
import type { TableName } from '../config/column-tables.js';
import { hasParameterPrivileges } from '../model/versions.js';

/** One row of objects.sql / parameters.sql: an object and its exploded ACLs. */
interface ObjectRow {
  kind: ObjectKind;
  /** objects.sql: an object of GRANTABLE_SYSTEM_SCHEMAS (absent from parameters.sql). */
  system?: boolean;
  schema: string | null;
  name: string;
  args: string | null;
  owner: string;
  relkind: string | null;
  columns: string[] | null;
  /**
   * The ACL's entries as text, `grantee=privileges/grantor` (see aclitem.ts); null only for a
   * system object with its default ACL.
   */
  acl: string[] | null;
  /** A system object's initial ACL (pg_init_privs) as text; null without one or if not system. */
  initprivs: string[] | null;
  /** [column, grantee (null = PUBLIC), privilege, grantable, grantor] */
  column_privileges: [string, string | null, string, boolean, string][];
}

function toCatalogObject(row: ObjectRow): CatalogObject {
  return {
    kind: row.kind,
    schema: row.schema,
    name: row.name,
    ...(row.args !== null && { args: row.args }),
    owner: row.owner,
    ...(row.relkind !== null && { relkind: row.relkind }),
    // Read only where a column privilege needs them (objects.sql, table-columns.sql).
    ...(row.columns !== null && { columns: row.columns }),
  };
}

/**
 * An object's ACL entries, less those its initial ACL (pg_init_privs, read for system objects
 * only) holds: the same grantee, privilege and grant option there (whatever the grantor)
 * makes an entry PostgreSQL's, never the config's.
 */
function beyondInitial(
  acl: readonly string[] | null,
  initial: readonly string[] | null,
): AclEntry[] {
  const entries = explodeAcl(acl ?? []);
  if (initial === null) return entries;
  const key = ([grantee, privilege, grantable]: AclEntry): string =>
    JSON.stringify([grantee, privilege, grantable]);
  const held = new Set(explodeAcl(initial).map(key));
  return entries.filter((entry) => !held.has(key(entry)));
}

/** A fact before merging: one ACL entry, with its grantor. */
interface Entry {
  readonly fact: PrivilegeFact;
  readonly grantor: string;
}

/**
 * The facts of one object, merged and sorted. An ACL has one entry per grantor, so a
 * privilege granted by two roles comes twice: one fact, grantable if any grantor made it so,
 * with its grantors listed when one of them is not the owner (see PrivilegeFact.grantors).
 */
function toPrivilegeFacts(
  row: ObjectRow,
  acl: readonly AclEntry[],
  object: ObjectRef,
): PrivilegeFact[] {
  const entries: Entry[] = [];
  for (const [grantee, privilege, grantable, grantor] of acl) {
    if (grantee === null) continue;
    entries.push({
      fact: { object, grantee, privilege: asPrivilege(privilege), grantable },
      grantor,
    });
  }
  for (const [column, grantee, privilege, grantable, grantor] of row.column_privileges) {
    if (grantee === null) continue;
    entries.push({
      fact: { object, column, grantee, privilege: asPrivilege(privilege), grantable },
      grantor,
    });
  }
  entries.sort((a, b) => compareFactsOnOneObject(a.fact, b.fact));
  // Sorted, the entries of several grantors for the same privilege are neighbours.
  const merged: PrivilegeFact[] = [];
  let grantors: string[] = [];
  const flush = (): void => {
    const last = merged.at(-1);
    if (last !== undefined && grantors.some((grantor) => grantor !== row.owner))
      merged[merged.length - 1] = {
        ...last,
        grantors: [...new Set(grantors)].sort(compareOptionalStrings),
      };
  };
  for (const { fact, grantor } of entries) {
    const last = merged.at(-1);
    if (last !== undefined && compareFactsOnOneObject(last, fact) === 0) {
      if (fact.grantable && !last.grantable) merged[merged.length - 1] = fact;
      grantors.push(grantor);
    } else {
      flush();
      merged.push(fact);
      grantors = [grantor];
    }
  }
  flush();
  return merged;
}

/** PUBLIC's entries of one object's ACLs, as the ACL lists them (grantors not merged). */
function toPublicPrivilegeFacts(
  row: ObjectRow,
  acl: readonly AclEntry[],
  object: ObjectRef,
): PublicPrivilegeFact[] {
  const facts: PublicPrivilegeFact[] = [];
  for (const [grantee, privilege, grantable, grantor] of acl) {
    if (grantee === null)
      facts.push({ object, privilege: asPrivilege(privilege), grantable, grantor });
  }
  for (const [column, grantee, privilege, grantable, grantor] of row.column_privileges) {
    if (grantee === null)
      facts.push({ object, column, privilege: asPrivilege(privilege), grantable, grantor });
  }
  return facts;
}

/**
 * The column names of `tables` (table-columns.sql), set on their rows that objects.sql gave
 * none: only tables with a column privilege have them from there.
 */
async function readNamedColumns(
  client: Queryable,
  tables: readonly TableName[],
  rows: ObjectRow[],
): Promise<void> {
  if (tables.length === 0) return;
  const { rows: found } = await client.query<{ schema: string; name: string; columns: string[] }>(
    loadSql('table-columns'),
    [tables.map((table) => table.schema), tables.map((table) => table.name)],
  );
  const bySchema = new Map<string, Map<string, string[]>>();
  for (const table of found) {
    const names = bySchema.get(table.schema) ?? new Map<string, string[]>();
    names.set(table.name, table.columns);
    bySchema.set(table.schema, names);
  }
  for (const row of rows) {
    if (row.kind !== 'table' || row.columns !== null || row.schema === null) continue;
    const columns = bySchema.get(row.schema)?.get(row.name);
    if (columns !== undefined) row.columns = columns;
  }
}

/**
 * The facts of one object read the short way, when its ACL is the usual one: entries whose
 * names the server did not quote, all granted by the owner, one per grantee, no column
 * privileges, no initial ACL. Appends them (PUBLIC's apart) and returns true; returns false,
 * having appended nothing, for any other ACL, which toPrivilegeFacts then reads. The result is
 * the same (test/unit/object-facts.test.ts): facts by grantee, then privilege name.
 */
function appendUsualFacts(
  row: ObjectRow,
  object: ObjectRef,
  privileges: PrivilegeFact[],
  publicPrivileges: PublicPrivilegeFact[],
): boolean {
  if (row.initprivs !== null || row.column_privileges.length > 0) return false;
  const entries: [string, readonly (readonly [string, boolean])[]][] = [];
  let publicItems: string[] | undefined;
  for (const item of row.acl ?? []) {
    const parts = splitPlainAclItem(item);
    if (parts === undefined) return false;
    const [grantee, letters, grantor] = parts;
    if (grantor !== row.owner) return false;
    const granted = privilegesOfLetters(letters);
    if (granted === null) return false;
    if (grantee === '') (publicItems ??= []).push(item);
    else entries.push([grantee, granted]);
  }
  entries.sort(([a], [b]) => compareStrings(a, b));
  for (let i = 1; i < entries.length; i++)
    if (entries[i]?.[0] === entries[i - 1]?.[0]) return false;
  for (const [grantee, granted] of entries)
    for (const [privilege, grantable] of granted)
      privileges.push({ object, grantee, privilege: asPrivilege(privilege), grantable });
  // PUBLIC's entries as the ACL lists them (its letters in the server's order).
  if (publicItems !== undefined && row.system !== true)
    for (const [, privilege, grantable, grantor] of explodeAcl(publicItems))
      publicPrivileges.push({ object, privilege: asPrivilege(privilege), grantable, grantor });
  return true;
}

/** Objects to read beyond what objects.sql lists: those a config names. */
export interface NamedObjects {
  /** System objects as `schema.name` (see named-objects.sql). */
  readonly systemObjectNames?: readonly string[];
  /** Tables whose column names to read (see table-columns.sql). */
  readonly columnsOf?: readonly TableName[];
}

/**
 * Every object pgward can grant on (outside system schemas) and every privilege on them,
 * column privileges included, PUBLIC's apart; and apart, the objects of pg_catalog and
 * information_schema that grants may name, whose privileges are those beyond the initial
 * ones.
 *
 * `named` runs while the server reads the objects (their query is sent first, and its answer
 * read after): the engine loads the config there, and returns the names it has. Then, only
 * when there are names, the system objects named (named-objects.sql) and the column names of
 * the tables named (table-columns.sql) are read; and parameters from PostgreSQL 15 on.
 */
export async function readObjects(
  client: Queryable,
  server: ServerInfo,
  named: () => NamedObjects | Promise<NamedObjects> = () => ({}),
): Promise<{
  objects: readonly CatalogObject[];
  systemObjects: readonly CatalogObject[];
  privileges: readonly PrivilegeFact[];
  publicPrivileges: readonly PublicPrivilegeFact[];
}> {
  const sent = client.query<ObjectRow>(loadSql('objects'), [
    SYSTEM_SCHEMAS,
    GRANTABLE_SYSTEM_SCHEMAS,
  ]);
  let names: NamedObjects;
  try {
    names = await named();
  } catch (error) {
    // The connection is usable again (and its transaction can roll back) once the answer is in.
    await sent.catch(() => undefined);
    throw error;
  }
  const rows = (await sent).rows;
  const systemObjectNames = names.systemObjectNames ?? [];
  if (systemObjectNames.length > 0) {
    const { rows: found } = await client.query<ObjectRow>(loadSql('named-objects'), [
      GRANTABLE_SYSTEM_SCHEMAS,
      systemObjectNames,
    ]);
    rows.push(...found);
  }
  if (hasParameterPrivileges(server.versionNum)) {
    rows.push(...(await client.query<ObjectRow>(loadSql('parameters'))).rows);
  }
  await readNamedColumns(client, names.columnsOf ?? [], rows);
  // One order for every query's rows: kinds as OBJECT_KINDS lists them, then names.
  rows.sort(compareObjectsByKind);
  const privileges: PrivilegeFact[] = [];
  const publicPrivileges: PublicPrivilegeFact[] = [];
  for (const row of rows) {
    // One ObjectRef per object, shared by its facts.
    const object: ObjectRef = {
      kind: row.kind,
      schema: row.schema,
      name: row.name,
      ...(row.args !== null && { args: row.args }),
    };
    if (appendUsualFacts(row, object, privileges, publicPrivileges)) continue;
    const acl = beyondInitial(row.acl, row.initprivs);
    for (const fact of toPrivilegeFacts(row, acl, object)) privileges.push(fact);
    // PUBLIC's entries on system objects are PostgreSQL's initial privileges: not pgward's.
    if (row.system !== true)
      for (const fact of toPublicPrivilegeFacts(row, acl, object)) publicPrivileges.push(fact);
  }
  return {
    objects: rows.filter((row) => row.system !== true).map(toCatalogObject),
    systemObjects: rows.filter((row) => row.system === true).map(toCatalogObject),
    privileges,
    publicPrivileges,
  };
}
