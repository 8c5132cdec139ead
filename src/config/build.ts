/**
 * From the parsed YAML data to the validated Config: defaults filled in, names and privileges
 * normalized, passwords read, and every semantic problem reported at its node. Runs after the
 * schema check and tolerates data the schema found malformed (those parts are skipped: their
 * problem is already reported), so one run reports schema and semantic problems together.
 */
import type { SourcePosition } from '../errors.js';
import type { Privilege } from '../model/privileges.js';
import { PRIVILEGES_BY_KIND } from '../model/privileges.js';
import { BOOLEAN_ROLE_ATTRIBUTES } from '../model/role-attributes.js';
import type { RoleAttributes, UnmanagedRolesPolicy } from '../model/state.js';
import type {
  UnreadPassword,
  Config,
  ConfigDefaultPrivilege,
  ConfigGrant,
  ConfigOwn,
  ConfigPermission,
  ConfigRole,
  ConfigDatabases,
  ConfigSettings,
  Profile,
  ProfileObjectType,
} from './types.js';
import { BUILTIN_PROFILES } from './types.js';
import type { CheckContext } from './context.js';
import { entries, isRecord, stringItems } from './context.js';
import type { Path } from './describe.js';
import { didYouMean, labelOf, placeOf, q } from './describe.js';
import { readDatabaseConfig, readEntryDatabases, readManagedDatabases } from './databases.js';
import { checkSchemaName, readDefaultPrivilege, readGrant } from './grants.js';
import { checkMembershipCycles, readMemberOf } from './memberships.js';
import { readOwn } from './owns.js';
import { readPublic } from './public.js';
import { readTables } from './tables.js';
import { declaredRoleNameProblem, globProblem, roleReferenceProblem } from './names.js';
import type { PasswordSources } from './passwords.js';
import { isPasswordProblem, readPassword } from './passwords.js';
import { checkPrivilegesApply, readPrivileges } from './privileges.js';
import { checkRetiredReferences, readRetiredRoles } from './retired.js';
import { settingKey } from '../sql/setting-value.js';
import { parseValidUntil, settingValue } from './values.js';
import { renameConflicts } from './renames.js';

const PROFILE_OBJECT_TYPES: readonly ProfileObjectType[] = [
  'schema',
  'table',
  'sequence',
  'function',
  'type',
];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function readRoleReference(
  raw: unknown,
  what: string,
  path: Path,
  ctx: CheckContext,
): string | null {
  if (typeof raw !== 'string') return null;
  const problem = roleReferenceProblem(raw, what);
  if (problem) ctx.report(path, problem);
  return raw;
}

function readSettings(raw: unknown, ctx: CheckContext): ConfigSettings {
  const settings = isRecord(raw) ? raw : {};
  const path = ['settings'];
  const ignoreRoles: string[] = [];
  for (const { value, index } of stringItems(settings.ignore_roles)) {
    const problem = globProblem(value);
    if (problem) ctx.report([...path, 'ignore_roles', index], `${problem} (in "ignore_roles")`);
    ignoreRoles.push(value);
  }
  let objectCreators: string[] | null = null;
  const objectCreatorPositions: SourcePosition[] = [];
  if (Array.isArray(settings.object_creators)) {
    objectCreators = [];
    for (const { value, index } of stringItems(settings.object_creators)) {
      const itemPath = [...path, 'object_creators', index];
      readRoleReference(value, 'role', itemPath, ctx);
      if (objectCreators.includes(value)) continue;
      objectCreators.push(value);
      objectCreatorPositions.push(ctx.position(itemPath));
    }
  }
  const reassignPath = [...path, 'reassign_owned_to'];
  const reassignOwnedTo = readRoleReference(
    settings.reassign_owned_to,
    'reassign_owned_to',
    reassignPath,
    ctx,
  );
  const unmanaged = settings.unmanaged_roles;
  const databases = readManagedDatabases(settings.databases, ctx);
  return {
    unmanagedRoles:
      unmanaged === 'report' || unmanaged === 'drop'
        ? (unmanaged as UnmanagedRolesPolicy)
        : 'ignore',
    ignoreRoles,
    reassignOwnedTo,
    ...(reassignOwnedTo !== null && { reassignOwnedToPosition: ctx.position(reassignPath) }),
    objectCreators,
    ...(objectCreators !== null && { objectCreatorPositions }),
    ...(databases !== undefined && { databases }),
  };
}

function readProfiles(raw: unknown, ctx: CheckContext): Record<string, Profile> {
  const profiles: Record<string, Profile> = { ...BUILTIN_PROFILES };
  for (const [name, spec] of entries(raw)) {
    if (!isRecord(spec)) continue;
    const profile: Partial<Record<ProfileObjectType, readonly Privilege[]>> = {};
    for (const type of PROFILE_OBJECT_TYPES) {
      const path = ['profiles', name, type];
      const written = readPrivileges(spec[type], path, ctx);
      if (written === undefined) continue;
      if (written === 'ALL') {
        // ALL depends on the server (MAINTAIN from 17); a profile is a fixed list.
        ctx.report(path, `"ALL" is not allowed in ${labelOf(path)}; list the privileges`);
        continue;
      }
      checkPrivilegesApply(written, PRIVILEGES_BY_KIND[type], type, type, path, ctx);
      profile[type] = written.map((w) => w.privilege);
    }
    profiles[name] = profile;
  }
  return profiles;
}

function readPermission(
  raw: unknown,
  path: Path,
  profiles: Readonly<Record<string, Profile>>,
  ctx: CheckContext,
): ConfigPermission | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const known = Object.keys(profiles);
  if (!known.includes(raw.type))
    ctx.report(
      [...path, 'type'],
      `unknown permission type ${q(raw.type)} in ${placeOf(path)}${didYouMean(raw.type, known)}; expected one of ${known.join(', ')} (profiles are declared in "profiles")`,
    );
  const schemas: string[] = [];
  for (const { value, index } of stringItems(raw.schemas)) {
    if (checkSchemaName(value, [...path, 'schemas', index], ctx) && !schemas.includes(value))
      schemas.push(value);
  }
  return { type: raw.type, schemas, position: ctx.position(path) };
}

/** `config` of a role (and each database's of `database_config`): setting → value text. */
function readRoleSettings(
  raw: unknown,
  path: Path,
  where: string,
  ctx: CheckContext,
): Record<string, string> {
  // Keys in lower case: PostgreSQL's setting names ignore case, so two spellings of one name
  // would set one setting twice and never both stay.
  const config: Record<string, string> = {};
  const spelledAs = new Map<string, string>();
  for (const [setting, value] of entries(raw)) {
    const key = settingKey(setting);
    const earlier = spelledAs.get(key);
    if (earlier !== undefined) {
      ctx.report(
        [...path, setting],
        `${q(setting)} and ${q(earlier)} in ${where} are the same setting (setting names ignore case); keep one`,
        'key',
      );
      continue;
    }
    spelledAs.set(key, setting);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      continue;
    const text = settingValue(value);
    if (typeof text === 'object')
      ctx.report([...path, setting], `${labelOf([...path, setting])} ${text.error}`);
    else config[key] = text;
  }
  return config;
}

function readRole(
  name: string,
  raw: unknown,
  profiles: Readonly<Record<string, Profile>>,
  passwords: PasswordSources,
  managed: ConfigDatabases | undefined,
  unread: UnreadPassword[],
  ctx: CheckContext,
): ConfigRole {
  const path = ['roles', name];
  const nameProblem = declaredRoleNameProblem(name);
  if (nameProblem) ctx.report(path, nameProblem, 'key');
  const spec = isRecord(raw) ? raw : {};

  const attributes: Partial<Mutable<RoleAttributes>> = {};
  for (const row of BOOLEAN_ROLE_ATTRIBUTES) {
    const value = spec[row.configKey];
    if (typeof value === 'boolean') attributes[row.key] = value;
  }
  if (Number.isInteger(spec.connection_limit) && (spec.connection_limit as number) >= -1)
    attributes.connectionLimit = spec.connection_limit as number;
  if (spec.valid_until === null) attributes.validUntil = null;
  else if (typeof spec.valid_until === 'string') {
    const validUntil = parseValidUntil(spec.valid_until);
    if (validUntil !== null && typeof validUntil === 'object')
      ctx.report(
        [...path, 'valid_until'],
        `${labelOf([...path, 'valid_until'])} is ${validUntil.error}: ${q(spec.valid_until)}; expected a date like "2026-12-31", a timestamp like "2026-12-31 23:59:59+00", "infinity" or null`,
      );
    else attributes.validUntil = validUntil;
  }

  let password: ConfigRole['password'];
  const passwordSpec = spec.password;
  if (
    isRecord(passwordSpec) &&
    Object.keys(passwordSpec).length === 1 &&
    Object.values(passwordSpec).every((v) => typeof v === 'string')
  ) {
    const read = readPassword(name, passwordSpec, passwords);
    if (!isPasswordProblem(read)) password = read;
    else if (read.why !== undefined && passwords.optional === true) {
      // A read-only command: the role keeps where its password comes from, unread.
      password = {
        source:
          typeof passwordSpec.env === 'string'
            ? { from: 'env', name: passwordSpec.env }
            : { from: 'file', path: String(passwordSpec.file) },
        secret: null,
      };
      unread.push({
        role: name,
        note: `password of role ${q(name)} not checked: ${read.why}`,
        problem: { message: read.message, position: ctx.position([...path, 'password', read.key]) },
      });
    } else ctx.report([...path, 'password', read.key], read.message);
  }

  const config = readRoleSettings(
    spec.config,
    [...path, 'config'],
    `role ${q(name)}'s config`,
    ctx,
  );
  const databaseConfig = readDatabaseConfig(
    spec.database_config,
    [...path, 'database_config'],
    managed,
    (raw, at) =>
      readRoleSettings(
        raw,
        at,
        `role ${q(name)}'s database_config for ${q(String(at.at(-1)))}`,
        ctx,
      ),
    ctx,
  );

  let renamedFrom: string | undefined;
  if (typeof spec.renamed_from === 'string') {
    renamedFrom = spec.renamed_from;
    const renamedPath = [...path, 'renamed_from'];
    const problem = roleReferenceProblem(renamedFrom, 'renamed_from');
    if (problem) ctx.report(renamedPath, problem);
    // renamed_from naming the role itself is one of renameConflicts'.
    else if (renamedFrom !== name && renamedFrom.startsWith('pg_'))
      ctx.report(
        renamedPath,
        `renamed_from ${q(renamedFrom)} names a predefined role, which cannot be renamed`,
      );
  }

  const list = <T>(key: string, read: (item: unknown, itemPath: Path) => T | undefined): T[] => {
    const items: T[] = [];
    if (Array.isArray(spec[key]))
      (spec[key] as unknown[]).forEach((item, index) => {
        const itemPath = [...path, key, index];
        const value = read(item, itemPath);
        if (value !== undefined)
          items.push({ ...value, ...readEntryDatabases(item, itemPath, managed, ctx) });
      });
    return items;
  };

  return {
    name,
    position: ctx.position(path, 'key'),
    attributes,
    ...(password ? { password } : {}),
    description: typeof spec.description === 'string' ? spec.description : null,
    config,
    ...(Object.keys(databaseConfig).length > 0 ? { databaseConfig } : {}),
    ...(renamedFrom !== undefined ? { renamedFrom } : {}),
    memberOf: readMemberOf(name, spec.member_of, [...path, 'member_of'], ctx),
    permissions: list<ConfigPermission>('permissions', (item, itemPath) =>
      readPermission(item, itemPath, profiles, ctx),
    ),
    grants: list<ConfigGrant>('grants', (item, itemPath) => readGrant(item, itemPath, ctx)),
    defaultPrivileges: list<ConfigDefaultPrivilege>('default_privileges', (item, itemPath) =>
      readDefaultPrivilege(item, itemPath, ctx),
    ),
    ...(spec.owns !== undefined && {
      owns: list<ConfigOwn>('owns', (item, itemPath) => readOwn(item, itemPath, ctx)),
    }),
  };
}

/**
 * The Config for schema-checked YAML data, reporting semantic problems to `ctx`. `roleOrder`
 * gives the role names in file order (JS objects put integer-like keys first).
 */
export function buildConfig(
  data: unknown,
  file: string,
  roleOrder: readonly string[],
  passwords: PasswordSources,
  ctx: CheckContext,
): Config {
  const top = isRecord(data) ? data : {};
  const settings = readSettings(top.settings, ctx);
  const profiles = readProfiles(top.profiles, ctx);
  const rawRoles = isRecord(top.roles) ? top.roles : {};
  const names = new Set(roleOrder.filter((name) => Object.hasOwn(rawRoles, name)));
  for (const name of Object.keys(rawRoles)) names.add(name);
  const retiredRoles = readRetiredRoles(rawRoles, names, ctx);
  const retired = new Set(retiredRoles.map((role) => role.name));
  const unread: UnreadPassword[] = [];
  const roles = [...names]
    .filter((name) => !retired.has(name))
    .map((name) =>
      readRole(name, rawRoles[name], profiles, passwords, settings.databases, unread, ctx),
    );
  for (const { role, message } of renameConflicts(roles))
    ctx.report(['roles', role.name, 'renamed_from'], message);
  checkMembershipCycles(roles, ctx);
  checkRetiredReferences(retiredRoles, roles, settings, ctx);
  const publicSpec = top.public === undefined ? undefined : readPublic(top.public, ctx);
  const tables =
    top.tables === undefined ? undefined : readTables(top.tables, settings.databases, ctx);
  return {
    file,
    version: 1,
    settings,
    profiles,
    roles,
    ...(publicSpec !== undefined && { public: publicSpec }),
    ...(tables !== undefined && { tables }),
    ...(retiredRoles.length > 0 ? { retiredRoles } : {}),
    ...(unread.length > 0 && { unreadPasswords: unread }),
  };
}
