/**
 * Privilege functions of the library API: GRANT / REVOKE on one object or on every object of a
 * kind in a schema, and the list of a role's privileges.
 */
import type { ObjectRef } from '../model/objects.js';
import type { Privilege } from '../model/privileges.js';
import type { GrantTarget } from '../model/operations.js';
import { quoteIdent } from '../sql/quote.js';
import { catalogQuery, FIND_ROUTINES_SQL, regName } from './catalog.js';
import { InvalidArgumentError, QueryError } from './errors.js';
import {
  parseGrantTarget,
  resolvePrivileges,
  specKind,
  type GrantObjectType,
  type GrantSpec,
} from './grant-arguments.js';
import { checkName } from './names.js';
import type { Session, Transaction } from './session.js';

export type { GrantObjectType } from './grant-arguments.js';

export interface GrantOptions {
  /** Schema of a table, sequence or function, and of `ALL TABLES` etc. Default `public`. */
  readonly schema?: string | undefined;
  /** Default `TABLE` (views, materialized views and foreign tables are tables too). */
  readonly objectType?: GrantObjectType | undefined;
  /** The grantee may grant the privileges to others (`WITH GRANT OPTION`). */
  readonly withGrantOption?: boolean | undefined;
}

export interface RevokeOptions {
  /** Schema of a table, sequence or function, and of `ALL TABLES` etc. Default `public`. */
  readonly schema?: string | undefined;
  /** Default `TABLE`. */
  readonly objectType?: GrantObjectType | undefined;
  /** Also revoke what the role granted onward with its grant option (`CASCADE`). */
  readonly cascade?: boolean | undefined;
}

/** One privilege a role holds, as `listRoleGrants` reports it. */
export interface RoleGrant {
  readonly schema: string;
  /** A relation's name, or a routine's `name(argtypes)` as the server spells the types. */
  readonly object_name: string;
  readonly privilege: Privilege;
}

/** One privilege a role holds on a database or a schema (`listRoleScopeGrants`). */
export interface RoleScopeGrant {
  readonly object_type: 'database' | 'schema';
  readonly object_name: string;
  readonly privilege: Privilege;
}

interface RoutineRow {
  args: string;
  prokind: string;
}

/** Looks a routine up, so the statement uses the catalog's spelling of its argument types. */
async function resolveRoutine(
  tx: Transaction,
  schema: string,
  name: string,
  args: string | undefined,
): Promise<ObjectRef> {
  const signature =
    args === undefined ? null : `${quoteIdent(schema)}.${quoteIdent(name)}(${args})`;
  const rows = await tx.query<RoutineRow>(FIND_ROUTINES_SQL, [schema, name, signature]);
  const shown = `${schema}.${name}${args === undefined ? '' : `(${args})`}`;
  const [only] = rows;
  if (only === undefined)
    // The server's own SQLSTATE for a missing function, so callers can branch on it.
    throw new QueryError(`function ${shown} does not exist`, { code: '42883' });
  if (rows.length > 1)
    throw new QueryError(`function name "${shown}" is not unique`, {
      code: '42725',
      hint: `Give the argument types, one of: ${rows.map((row) => `${name}(${row.args})`).join(', ')}`,
    });
  // GRANT ... ON FUNCTION refuses a procedure; ON PROCEDURE says what it is.
  return {
    kind: only.prokind === 'p' ? 'procedure' : 'function',
    schema,
    name,
    args: only.args,
  };
}

async function resolveTarget(tx: Transaction, spec: GrantSpec): Promise<GrantTarget> {
  switch (spec.scope) {
    case 'all_in_schema':
      return { scope: 'all_in_schema', kind: spec.kind, schema: spec.schema };
    case 'object':
      return {
        scope: 'objects',
        kind: spec.kind,
        objects: [{ kind: spec.kind, schema: spec.schema, name: spec.name }],
      };
    case 'routine': {
      const ref = await resolveRoutine(tx, spec.schema, spec.name, spec.args);
      return { scope: 'objects', kind: ref.kind, objects: [ref] };
    }
  }
}

function checkBoolean(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${name} must be a boolean`);
  return value;
}

/**
 * `GRANT privileges ON target TO role`; see {@link PgwardDatabase.grant}.
 *
 * @example
 * await grant(session, ['SELECT'], 'ALL TABLES', 'readonly', { schema: 'public' });
 */
export async function grant(
  session: Session,
  privileges: string | readonly string[],
  objectName: string,
  role: string,
  options: GrantOptions = {},
): Promise<void> {
  const spec = parseGrantTarget(objectName, options);
  const resolved = resolvePrivileges(privileges, specKind(spec), session.serverVersionNum);
  checkName('role name', role);
  const withGrantOption = checkBoolean('withGrantOption', options.withGrantOption);
  await session.transaction(async (tx) => {
    const target = await resolveTarget(tx, spec);
    await tx.execute({
      type: 'grant_privileges',
      target,
      privileges: resolved,
      grantees: [role],
      withGrantOption,
    });
  });
}

/**
 * `REVOKE privileges ON target FROM role [CASCADE]`; see {@link PgwardDatabase.revoke}.
 *
 * @example
 * await revoke(session, 'INSERT', 'users', 'readonly', { cascade: true });
 */
export async function revoke(
  session: Session,
  privileges: string | readonly string[],
  objectName: string,
  role: string,
  options: RevokeOptions = {},
): Promise<void> {
  const spec = parseGrantTarget(objectName, options);
  const resolved = resolvePrivileges(privileges, specKind(spec), session.serverVersionNum);
  checkName('role name', role);
  const cascade = checkBoolean('cascade', options.cascade);
  await session.transaction(async (tx) => {
    const target = await resolveTarget(tx, spec);
    await tx.execute({
      type: 'revoke_privileges',
      target,
      privileges: resolved,
      grantees: [role],
      grantOptionOnly: false,
      ...(cascade ? { cascade } : {}),
    });
  });
}

/**
 * See {@link PgwardDatabase.listRoleGrants}.
 *
 * @example
 * await listRoleGrants(session, 'appuser'); // => [{ schema, object_name, privilege }, ...]
 */
export async function listRoleGrants(session: Session, role: string): Promise<RoleGrant[]> {
  checkName('role name', role);
  return session.read<RoleGrant>(catalogQuery('list-role-grants'), [regName(role)]);
}

/**
 * Privileges the role holds directly on databases (all of the cluster's) and on the schemas of
 * the connected database, with the rules of {@link listRoleGrants}: an owner's own included,
 * PUBLIC's and inherited ones not. Sorted by object type, name and privilege. A missing role
 * is an error (`42704`).
 *
 * @example
 * await listRoleScopeGrants(session, 'appuser');
 * // => [{ object_type: 'database', object_name: 'app', privilege: 'CONNECT' },
 * //     { object_type: 'schema', object_name: 'sales', privilege: 'USAGE' }]
 */
export async function listRoleScopeGrants(
  session: Session,
  role: string,
): Promise<RoleScopeGrant[]> {
  checkName('role name', role);
  return session.read<RoleScopeGrant>(catalogQuery('list-role-scope-grants'), [regName(role)]);
}
