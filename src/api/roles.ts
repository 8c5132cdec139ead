/**
 * Role functions of the library API: create, alter, drop, test and list roles. Each builds
 * the shared `Operation`s and runs them through the shared renderer, in one transaction.
 */
import {
  BOOLEAN_ROLE_ATTRIBUTES,
  DEFAULT_ROLE_ATTRIBUTES,
  type RoleAttributes,
} from '../model/state.js';
import { scramVerifier } from '../passwords/scram.js';
import type { Operation } from '../model/operations.js';
import type { SecretResolver } from '../sql/render.js';
import { catalogQuery, ROLE_EXISTS_SQL } from './catalog.js';
import { InvalidArgumentError } from './errors.js';
import { checkName, checkNewRoleName } from './names.js';
import type { Session, Transaction } from './session.js';

/** Role attributes a caller may set; each one left out keeps its current (or default) value. */
export interface RoleAttributeOptions {
  readonly superuser?: boolean | undefined;
  readonly createdb?: boolean | undefined;
  readonly createrole?: boolean | undefined;
  readonly inherit?: boolean | undefined;
  readonly login?: boolean | undefined;
  readonly replication?: boolean | undefined;
  readonly bypassrls?: boolean | undefined;
  /** Maximum concurrent connections; -1 = unlimited. */
  readonly connectionLimit?: number | undefined;
  /**
   * Expiry of the password: a Date, or a timestamp PostgreSQL accepts (`'2026-12-31'`, read
   * in UTC); null = never expires.
   */
  readonly validUntil?: string | Date | null | undefined;
}

export interface CreateRoleOptions extends RoleAttributeOptions {
  /** Plaintext password: hashed to SCRAM-SHA-256 here, only the verifier is sent. */
  readonly password?: string | undefined;
  /** Roles the new role becomes a member of (`GRANT group TO role`). */
  readonly inRoles?: readonly string[] | undefined;
  /** Do nothing (and resolve to false) when the role already exists. */
  readonly ifNotExists?: boolean | undefined;
}

export interface AlterRoleOptions extends RoleAttributeOptions {
  /** New plaintext password: hashed to SCRAM-SHA-256 here, only the verifier is sent. */
  readonly password?: string | undefined;
  /** New name; applied after the other changes. */
  readonly renameTo?: string | undefined;
}

export interface DropRoleOptions {
  /** Do nothing (and resolve to false) when the role does not exist. */
  readonly ifExists?: boolean | undefined;
}

export interface ListRolesOptions {
  /** Also list the predefined `pg_*` roles. */
  readonly includeSystem?: boolean | undefined;
}

/** One role as `listRoles` reports it (snake_case, as pycopg and `pgward roles --format json`). */
export interface RoleInfo {
  readonly name: string;
  readonly superuser: boolean;
  readonly createrole: boolean;
  readonly createdb: boolean;
  readonly login: boolean;
  readonly replication: boolean;
  /** -1 = unlimited. */
  readonly connection_limit: number;
  /** ISO-8601 UTC (`2026-12-31T00:00:00.000Z`), or null for no expiry. */
  readonly valid_until: string | null;
}

function validUntilValue(value: string | Date | null): string | null {
  if (value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new InvalidArgumentError('validUntil is an invalid Date');
    return value.toISOString();
  }
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidArgumentError('validUntil must be a Date, a timestamp string or null');
  return value;
}

/** The attributes the options set, checked; absent options are absent from the result. */
function attributeChanges(options: RoleAttributeOptions): Partial<RoleAttributes> {
  const changes: { -readonly [K in keyof RoleAttributes]?: RoleAttributes[K] } = {};
  for (const key of BOOLEAN_ROLE_ATTRIBUTES) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new InvalidArgumentError(`${key} must be a boolean`);
    changes[key] = value;
  }
  if (options.connectionLimit !== undefined) {
    const limit = options.connectionLimit;
    if (!Number.isInteger(limit) || limit < -1)
      throw new InvalidArgumentError(
        `connectionLimit must be an integer of -1 (unlimited) or more, got ${String(limit)}`,
      );
    changes.connectionLimit = limit;
  }
  if (options.validUntil !== undefined) changes.validUntil = validUntilValue(options.validUntil);
  return changes;
}

/** Hashes a caller's password; the plaintext and its verifier are both secrets to scrub. */
function hashPassword(password: unknown): { verifier: string; secrets: string[] } {
  // PostgreSQL refuses an empty password (it clears the password instead, with a NOTICE); a
  // verifier of the empty string would slip past that check, so refuse it here.
  if (typeof password !== 'string' || password === '')
    throw new InvalidArgumentError('password must be a non-empty string');
  const verifier = scramVerifier(password);
  return { verifier, secrets: [password, verifier] };
}

/** A resolver that gives the verifier for the one role of this call and nothing else. */
function secretFor(role: string, verifier: string): SecretResolver {
  return (asked) => {
    if (asked !== role) throw new Error(`no password was given for role "${asked}"`);
    return verifier;
  };
}

/** Whether the role exists, read inside the caller's transaction (for ifNotExists / ifExists). */
export async function roleExistsIn(tx: Transaction, name: string): Promise<boolean> {
  const [row] = await tx.query<{ exists: boolean }>(ROLE_EXISTS_SQL, [name]);
  return row?.exists === true;
}

/**
 * `CREATE ROLE` and its memberships in one transaction; see {@link PgwardDatabase.createRole}.
 *
 * @example
 * await createRole(session, 'appuser', { login: true, password: 'secret', inRoles: ['readonly'] });
 */
export async function createRole(
  session: Session,
  name: string,
  options: CreateRoleOptions = {},
): Promise<boolean> {
  checkNewRoleName('role name', name);
  const inRoles = options.inRoles ?? [];
  for (const group of inRoles) checkName('role name in inRoles', group);
  const attributes: RoleAttributes = { ...DEFAULT_ROLE_ATTRIBUTES, ...attributeChanges(options) };
  const hashed = options.password === undefined ? undefined : hashPassword(options.password);
  const operations: Operation[] = [
    hashed
      ? { type: 'create_role', role: name, attributes, password: { from: 'hashed' } }
      : { type: 'create_role', role: name, attributes },
    ...inRoles.map((group): Operation => ({
      type: 'grant_membership',
      role: group,
      member: name,
      admin: false,
    })),
  ];
  const secrets = hashed ? secretFor(name, hashed.verifier) : undefined;
  return session.transaction(async (tx) => {
    if (options.ifNotExists === true && (await roleExistsIn(tx, name))) return false;
    for (const op of operations) await tx.execute(op, secrets);
    return true;
  }, hashed?.secrets);
}

/**
 * `ALTER ROLE` (attributes, then password, then rename) in one transaction; see
 * {@link PgwardDatabase.alterRole}.
 *
 * @example
 * await alterRole(session, 'appuser', { connectionLimit: 20, renameTo: 'app_user' });
 */
export async function alterRole(
  session: Session,
  name: string,
  options: AlterRoleOptions = {},
): Promise<void> {
  checkName('role name', name);
  const renameTo =
    options.renameTo === undefined ? undefined : checkNewRoleName('renameTo', options.renameTo);
  const changes = attributeChanges(options);
  const hashed = options.password === undefined ? undefined : hashPassword(options.password);
  const operations: Operation[] = [];
  if (Object.keys(changes).length > 0) operations.push({ type: 'alter_role', role: name, changes });
  if (hashed) operations.push({ type: 'set_password', role: name, password: { from: 'hashed' } });
  // Renamed last, so that an error about an attribute names the role the caller passed. A
  // SCRAM verifier does not depend on the role name, so the password survives the rename
  // (an MD5 one would be cleared by PostgreSQL).
  if (renameTo !== undefined && renameTo !== name)
    operations.push({ type: 'rename_role', from: name, to: renameTo });
  if (operations.length === 0) return;
  const secrets = hashed ? secretFor(name, hashed.verifier) : undefined;
  await session.transaction(async (tx) => {
    for (const op of operations) await tx.execute(op, secrets);
  }, hashed?.secrets);
}

/**
 * `DROP ROLE`, after an existence check when `ifExists`; see {@link PgwardDatabase.dropRole}.
 *
 * @example
 * await dropRole(session, 'olduser', { ifExists: true }); // => false if there was none
 */
export async function dropRole(
  session: Session,
  name: string,
  options: DropRoleOptions = {},
): Promise<boolean> {
  checkName('role name', name);
  return session.transaction(async (tx) => {
    if (options.ifExists === true && !(await roleExistsIn(tx, name))) return false;
    await tx.execute({ type: 'drop_role', role: name });
    return true;
  });
}

/**
 * See {@link PgwardDatabase.roleExists}.
 *
 * @example
 * await roleExists(session, 'appuser'); // => true
 */
export async function roleExists(session: Session, name: string): Promise<boolean> {
  checkName('role name', name);
  const [row] = await session.read<{ exists: boolean }>(ROLE_EXISTS_SQL, [name]);
  return row?.exists === true;
}

/**
 * See {@link PgwardDatabase.listRoles}.
 *
 * @example
 * await listRoles(session, { includeSystem: true });
 */
export async function listRoles(
  session: Session,
  options: ListRolesOptions = {},
): Promise<RoleInfo[]> {
  return session.read<RoleInfo>(catalogQuery('list-roles'), [options.includeSystem === true]);
}
