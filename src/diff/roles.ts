/**
 * Role-level changes for declared roles: create, attributes, password, comment, settings.
 */
import type { Operation } from '../model/operations.js';
import { scramMatches, isScramVerifier } from '../passwords/scram.js';
import {
  BOOLEAN_ROLE_ATTRIBUTES,
  type CurrentRole,
  type CurrentState,
  type DesiredRole,
  type DesiredState,
  type RoleAttributes,
} from '../model/state.js';
import { compareStrings, sortedStrings } from '../model/order.js';
import { sameSettingValue, settingKey } from '../sql/setting-value.js';

const ATTRIBUTE_NAMES = [
  ...BOOLEAN_ROLE_ATTRIBUTES,
  'connectionLimit',
  'validUntil',
] as const satisfies readonly (keyof RoleAttributes)[];

export interface RoleChanges {
  readonly operations: Operation[];
  readonly warnings: string[];
}

/** Operations that bring each declared role to its desired attributes, password, comment, config. */
export function diffRoles(
  current: CurrentState,
  desired: DesiredState,
  isProtected: (role: string) => boolean,
): RoleChanges {
  const existing = new Map(current.roles.map((role) => [role.name, role]));
  const operations: Operation[] = [];
  const warnings: string[] = [];
  let unreadablePasswords = false;
  const database = current.server.currentDatabase;
  const roles = [...desired.roles].sort((a, b) => compareStrings(a.name, b.name));
  for (const role of roles) {
    const now = existing.get(role.name);
    if (now === undefined) {
      operations.push(
        role.password === undefined
          ? { type: 'create_role', role: role.name, attributes: role.attributes }
          : {
              type: 'create_role',
              role: role.name,
              attributes: role.attributes,
              password: role.password.source,
            },
      );
      if (role.description !== null)
        operations.push({ type: 'comment_role', role: role.name, comment: role.description });
      operations.push(...configOperations(role, {}));
      operations.push(...configOperations(role, {}, database));
      continue;
    }
    if (isProtected(role.name)) {
      warnings.push(`role "${role.name}" is protected: pgward leaves it as it is`);
      continue;
    }
    const changes = attributeChanges(now.attributes, role.attributes);
    if (Object.keys(changes).length > 0)
      operations.push({ type: 'alter_role', role: role.name, changes });
    const password = passwordChange(role, now);
    if (password.operation) operations.push(password.operation);
    if (password.warning !== undefined) warnings.push(password.warning);
    unreadablePasswords ||= password.unreadable;
    if (role.description !== now.description)
      operations.push({ type: 'comment_role', role: role.name, comment: role.description });
    operations.push(...configOperations(role, now.config));
    operations.push(...configOperations(role, now.databaseConfig ?? {}, database));
  }
  if (unreadablePasswords)
    warnings.push(
      'passwords are set only when a role is created: pg_authid is not readable by the connecting role (not a superuser), so password drift cannot be seen',
    );
  return { operations, warnings };
}

type AttributeChanges = { -readonly [K in keyof RoleAttributes]?: RoleAttributes[K] };

function attributeChanges(now: RoleAttributes, wanted: RoleAttributes): AttributeChanges {
  const changes: AttributeChanges = {};
  const differs = <K extends keyof RoleAttributes>(name: K): boolean =>
    name === 'validUntil'
      ? !sameInstant(now.validUntil, wanted.validUntil)
      : now[name] !== wanted[name];
  const copy = <K extends keyof RoleAttributes>(name: K): void => {
    changes[name] = wanted[name];
  };
  for (const name of ATTRIBUTE_NAMES) if (differs(name)) copy(name);
  return changes;
}

function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const [left, right] = [Date.parse(a), Date.parse(b)];
  return Number.isNaN(left) || Number.isNaN(right) ? a === b : left === right;
}

interface PasswordChange {
  readonly operation?: Operation;
  readonly warning?: string;
  /** The stored password could not be read, so whether it matches is unknown. */
  readonly unreadable: boolean;
}

function passwordChange(role: DesiredRole, now: CurrentRole): PasswordChange {
  const wanted = role.password;
  // A secret a read-only command could not read: the load noted it, nothing to compare.
  if (wanted === undefined || wanted.secret === null) return { unreadable: false };
  const set: Operation = { type: 'set_password', role: role.name, password: wanted.source };
  const stored = now.password;
  if (stored === undefined) return { unreadable: true };
  if (wanted.source.from === 'hashed')
    return stored === wanted.secret ? { unreadable: false } : { operation: set, unreadable: false };
  if (stored === null) return { operation: set, unreadable: false };
  if (isScramVerifier(stored))
    return scramMatches(wanted.secret, stored)
      ? { unreadable: false }
      : { operation: set, unreadable: false };
  if (stored.startsWith('md5'))
    return {
      operation: set,
      warning: `role "${role.name}" has a password stored as MD5: it will be set again as SCRAM-SHA-256`,
      unreadable: false,
    };
  return { operation: set, unreadable: false };
}

/**
 * ALTER ROLE ... SET for each setting that differs, RESET for each one the config lacks: the
 * settings of every database, or with `database` those of that database (`database_config`).
 * Names compare in lower case and values as PostgreSQL stores them (setting-value.ts); a
 * stored setting keeps its stored spelling in the statement, so a RESET finds it.
 */
function configOperations(
  role: DesiredRole,
  now: Readonly<Record<string, string>>,
  database?: string,
): Operation[] {
  const config = database === undefined ? role.config : (role.databaseConfig ?? {});
  const where = database === undefined ? {} : { database };
  const stored = new Map<string, { readonly name: string; readonly value: string }>();
  for (const [name, value] of Object.entries(now)) stored.set(settingKey(name), { name, value });
  const wanted = new Map<string, string>();
  for (const [name, value] of Object.entries(config)) wanted.set(settingKey(name), value);
  const operations: Operation[] = [];
  for (const key of sortedStrings([...new Set([...stored.keys(), ...wanted.keys()])])) {
    const want = wanted.get(key) ?? null;
    const have = stored.get(key);
    const name = have?.name ?? key;
    if (want === null) {
      if (have !== undefined)
        operations.push({ type: 'set_role_config', role: role.name, name, value: null, ...where });
    } else if (have === undefined || !sameSettingValue(key, want, have.value)) {
      operations.push({ type: 'set_role_config', role: role.name, name, value: want, ...where });
    }
  }
  return operations;
}
