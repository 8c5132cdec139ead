/**
 * Small builders for Config and CurrentState literals, so that each diff/desired test shows
 * only what matters to it. Defaults: PostgreSQL 16, database "app", bootstrap superuser
 * "postgres", connecting role "admin" (a superuser), schemas and tables owned by "owner".
 */
import {
  BUILTIN_PROFILES,
  type Config,
  type ConfigObjectName,
  type ConfigRole,
  type ConfigSettings,
  type Profile,
} from '../../src/config/types.js';
import { diff } from '../../src/diff/diff.js';
import { resolveDesired } from '../../src/resolve/desired.js';
import { PlanError, type Problem, type SourcePosition } from '../../src/errors.js';
import { parseObjectName, type ObjectRef } from '../../src/model/objects.js';
import type {
  DefaultPrivilegeObjectType,
  ObjectKind,
  Privilege,
} from '../../src/model/privileges.js';
import {
  DEFAULT_ROLE_ATTRIBUTES,
  type CatalogObject,
  type CurrentMembership,
  type CurrentRole,
  type CurrentState,
  type DefaultPrivilegeFact,
  type DesiredPassword,
  type PrivilegeFact,
  type RoleAttributes,
  type RoleDependency,
  type ServerInfo,
} from '../../src/model/state.js';
import type { Operation } from '../../src/model/operations.js';

export const FILE = 'pgward.yaml';

export function at(line: number, column = 5): SourcePosition {
  return { file: FILE, line, column };
}

// ---------------------------------------------------------------- current state

export function server(overrides: Partial<ServerInfo> = {}): ServerInfo {
  return {
    versionNum: 160004,
    currentUser: 'admin',
    sessionUser: 'admin',
    currentDatabase: 'app',
    bootstrapSuperuser: 'postgres',
    currentUserIsSuperuser: true,
    canReadPasswords: true,
    ...overrides,
  };
}

let nextOid = 20000;

export function role(
  name: string,
  options: {
    attributes?: Partial<RoleAttributes>;
    password?: string | null;
    description?: string | null;
    config?: Record<string, string>;
  } = {},
): CurrentRole {
  const base = {
    name,
    oid: nextOid++,
    attributes: { ...DEFAULT_ROLE_ATTRIBUTES, ...options.attributes },
    description: options.description ?? null,
    config: options.config ?? {},
  };
  return 'password' in options
    ? { ...base, password: options.password ?? null }
    : { ...base, password: null };
}

/** A role whose stored password cannot be read (the connecting role is not a superuser). */
export function roleWithUnreadablePassword(
  name: string,
  attributes: Partial<RoleAttributes> = {},
): CurrentRole {
  return {
    name,
    oid: nextOid++,
    attributes: { ...DEFAULT_ROLE_ATTRIBUTES, ...attributes },
    description: null,
    config: {},
  };
}

/** The roles every cluster here has: the bootstrap superuser, the connecting role, the owner. */
export function baseRoles(): CurrentRole[] {
  return [
    role('postgres', {
      attributes: {
        superuser: true,
        login: true,
        replication: true,
        bypassrls: true,
        createdb: true,
        createrole: true,
      },
    }),
    role('admin', { attributes: { superuser: true, login: true } }),
    role('owner'),
    role('pg_read_all_data'),
  ];
}

export function state(
  parts: Partial<Omit<CurrentState, 'server'>> & { server?: Partial<ServerInfo> } = {},
): CurrentState {
  return {
    server: server(parts.server),
    roles: parts.roles ?? baseRoles(),
    memberships: parts.memberships ?? [],
    objects: parts.objects ?? [database('app'), schema('public')],
    privileges: parts.privileges ?? [],
    defaultPrivileges: parts.defaultPrivileges ?? [],
    dependencies: parts.dependencies ?? [],
  };
}

export function membership(
  groupRole: string,
  member: string,
  options: Partial<Omit<CurrentMembership, 'role' | 'member'>> = {},
): CurrentMembership {
  return {
    role: groupRole,
    member,
    admin: false,
    inherit: true,
    set: true,
    grantor: 'admin',
    ...options,
  };
}

export function database(name: string, owner = 'postgres'): CatalogObject {
  return { kind: 'database', schema: null, name, owner };
}

export function schema(name: string, owner = 'owner'): CatalogObject {
  return { kind: 'schema', schema: null, name, owner };
}

function qualified(text: string): [string, string] {
  const [schemaName, name] = text.split('.') as [string, string];
  return [schemaName, name];
}

export function table(
  name: string,
  options: { owner?: string; relkind?: string; columns?: string[] } = {},
): CatalogObject {
  const [schemaName, tableName] = qualified(name);
  return {
    kind: 'table',
    schema: schemaName,
    name: tableName,
    owner: options.owner ?? 'owner',
    relkind: options.relkind ?? 'r',
    columns: options.columns ?? ['id'],
  };
}

export function sequence(name: string, owner = 'owner'): CatalogObject {
  const [schemaName, sequenceName] = qualified(name);
  return { kind: 'sequence', schema: schemaName, name: sequenceName, owner };
}

export function routine(
  kind: 'function' | 'procedure',
  name: string,
  args: string,
  owner = 'owner',
): CatalogObject {
  const [schemaName, routineName] = qualified(name);
  return { kind, schema: schemaName, name: routineName, args, owner };
}

export function typeObject(kind: 'type' | 'domain', name: string, owner = 'owner'): CatalogObject {
  const [schemaName, typeName] = qualified(name);
  return { kind, schema: schemaName, name: typeName, owner };
}

/** The identity of a catalog object, as operations carry it. */
export function ref(object: ObjectRef): ObjectRef {
  return object.args === undefined
    ? { kind: object.kind, schema: object.schema, name: object.name }
    : { kind: object.kind, schema: object.schema, name: object.name, args: object.args };
}

export function fact(
  object: ObjectRef,
  grantee: string,
  privilege: Privilege,
  options: { grantable?: boolean; column?: string } = {},
): PrivilegeFact {
  const base = { object: ref(object), grantee, privilege, grantable: options.grantable ?? false };
  return options.column === undefined ? base : { ...base, column: options.column };
}

export function facts(
  objects: readonly ObjectRef[],
  grantee: string,
  privileges: readonly Privilege[],
): PrivilegeFact[] {
  return objects.flatMap((object) =>
    privileges.map((privilege) => fact(object, grantee, privilege)),
  );
}

export function defaultFact(
  forRole: string,
  schemaName: string | null,
  objectType: DefaultPrivilegeObjectType,
  grantee: string,
  privilege: Privilege,
  grantable = false,
): DefaultPrivilegeFact {
  return { forRole, schema: schemaName, objectType, grantee, privilege, grantable };
}

export function dependency(
  roleName: string,
  databaseName: string | null,
  type: RoleDependency['type'],
  count: number,
): RoleDependency {
  return { role: roleName, database: databaseName, type, count };
}

// ---------------------------------------------------------------- config

export function settings(overrides: Partial<ConfigSettings> = {}): ConfigSettings {
  return {
    unmanagedRoles: 'ignore',
    ignoreRoles: [],
    reassignOwnedTo: null,
    objectCreators: null,
    ...overrides,
  };
}

export function config(
  roles: readonly ConfigRole[],
  options: { settings?: Partial<ConfigSettings>; profiles?: Record<string, Profile> } = {},
): Config {
  return {
    file: FILE,
    version: 1,
    settings: settings(options.settings),
    profiles: { ...BUILTIN_PROFILES, ...options.profiles },
    roles,
  };
}

let nextLine = 10;

/** A declared role; its position is a fresh line of pgward.yaml unless given. */
export function configRole(
  name: string,
  parts: Partial<Omit<ConfigRole, 'name'>> = {},
): ConfigRole {
  return {
    name,
    position: parts.position ?? at(nextLine++, 3),
    attributes: {},
    description: null,
    config: {},
    memberOf: [],
    permissions: [],
    grants: [],
    defaultPrivileges: [],
    ...parts,
  };
}

/** A config object name, parsed as the loader does. */
export function objectName(
  kind: ObjectKind,
  text: string,
  position?: SourcePosition,
): ConfigObjectName {
  const parsed = parseObjectName(kind, text);
  if ('error' in parsed) throw new Error(parsed.error);
  return position === undefined ? { ...parsed, text } : { ...parsed, text, position };
}

export function envPassword(secret: string, name = 'SECRET'): DesiredPassword {
  return { source: { from: 'env', name }, secret };
}

// ---------------------------------------------------------------- errors

/** The problems of the PlanError `run` throws; fails the test if it throws nothing else. */
export function planProblems(run: () => unknown): Problem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof PlanError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a PlanError');
}

// ---------------------------------------------------------------- pipeline

/** resolveDesired then diff, as `pgward plan` does; warnings of both stages together. */
export function planOf(
  configured: Config,
  current: CurrentState,
  options: { suffix?: string } = {},
): { operations: Operation[]; warnings: string[] } {
  const resolved = resolveDesired(configured, current, options);
  const changes = diff(current, resolved.desired);
  return { operations: changes.operations, warnings: [...resolved.warnings, ...changes.warnings] };
}
