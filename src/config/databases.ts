/**
 * Cluster scope (spec §8): which databases pgward manages (`settings.databases`), which of them
 * a grant, permission, default privilege, `owns` entry or table entry (§9) applies to
 * (`databases:` on the entry), and the per-database role settings (`database_config`).
 */
import type { Problem, SourcePosition } from '../errors.js';
import type { CheckContext } from './context.js';
import { entries, isRecord, stringItems } from './context.js';
import type { Path } from './describe.js';
import { labelOf, q } from './describe.js';
import { identifierProblem } from './names.js';
import type { Config, ConfigDatabase, ConfigDatabases, DatabaseScoped } from './types.js';

/**
 * `settings.databases`: a list of names, `"*"`, or a mapping name → `{ suffix }`. Undefined when
 * not written: the connected database only, as before cluster scope existed.
 */
export function readManagedDatabases(raw: unknown, ctx: CheckContext): ConfigDatabases | undefined {
  const path = ['settings', 'databases'];
  if (raw === '*') return '*';
  // Another string is the schema's problem (its pattern "*"), reported already.
  if (typeof raw === 'string') return undefined;
  const databases: ConfigDatabase[] = [];
  const add = (name: string, itemPath: Path, suffix: string | undefined): void => {
    const problem = identifierProblem(name, 'database name');
    if (problem) return ctx.report(itemPath, problem);
    if (databases.some((database) => database.name === name))
      return ctx.report(itemPath, `database ${q(name)} is listed twice in ${labelOf(path)}`);
    databases.push({
      name,
      ...(suffix === undefined ? {} : { suffix }),
      position: ctx.position(itemPath),
    });
  };
  if (Array.isArray(raw)) {
    for (const { value, index } of stringItems(raw)) add(value, [...path, index], undefined);
    return databases;
  }
  if (!isRecord(raw)) return undefined;
  const suffixes = new Map<string, string>();
  for (const [name, spec] of entries(raw)) {
    const suffix = isRecord(spec) && typeof spec.suffix === 'string' ? spec.suffix : undefined;
    if (suffix !== undefined) {
      const other = suffixes.get(suffix);
      if (other !== undefined)
        ctx.report(
          [...path, name, 'suffix'],
          `databases ${q(other)} and ${q(name)} have the same suffix ${q(suffix)}; each database needs its own`,
        );
      suffixes.set(suffix, name);
    }
    add(name, [...path, name], suffix);
  }
  return databases;
}

/** Why `name` cannot be named in a `databases:` entry, given the managed databases. */
function unmanagedProblem(name: string, managed: ConfigDatabases | undefined): string | undefined {
  // "*" and the connected database are only known at plan time, where the check is repeated.
  if (managed === undefined || managed === '*') return undefined;
  if (managed.some((database) => database.name === name)) return undefined;
  const names = managed.map((database) => q(database.name)).join(', ');
  return `database ${q(name)} is not managed: settings.databases lists ${names}`;
}

/** Object kinds whose privileges live in shared catalogs: the same in every database. */
const CLUSTER_OBJECT_KINDS: readonly string[] = ['database', 'tablespace', 'parameter'];

/**
 * `databases:` of a grant, permission, default privilege, `owns` entry or table entry;
 * undefined when not written.
 */
export function readEntryDatabases(
  raw: unknown,
  path: Path,
  managed: ConfigDatabases | undefined,
  ctx: CheckContext,
): { readonly databases?: readonly string[]; readonly databasesPosition?: SourcePosition } {
  if (!isRecord(raw) || !Array.isArray(raw.databases)) return {};
  if (typeof raw.object_type === 'string' && CLUSTER_OBJECT_KINDS.includes(raw.object_type)) {
    ctx.report(
      [...path, 'databases'],
      `"databases" cannot limit ${isRecord(raw) && Object.hasOwn(raw, 'privileges') ? 'a grant on' : 'the owner of'} a ${raw.object_type}: ${raw.object_type}s belong to the whole cluster, not to one database`,
      'key',
    );
    return {};
  }
  const databases: string[] = [];
  for (const { value, index } of stringItems(raw.databases)) {
    const problem = unmanagedProblem(value, managed);
    if (problem) ctx.report([...path, 'databases', index], problem);
    else if (!databases.includes(value)) databases.push(value);
  }
  return { databases, databasesPosition: ctx.position([...path, 'databases']) };
}

/**
 * `database_config` of a role: database → settings, each read as `config` is (`readSettings`).
 */
export function readDatabaseConfig(
  raw: unknown,
  path: Path,
  managed: ConfigDatabases | undefined,
  readSettings: (raw: unknown, path: Path) => Record<string, string>,
  ctx: CheckContext,
): Readonly<Record<string, Readonly<Record<string, string>>>> {
  const byDatabase: Record<string, Record<string, string>> = {};
  for (const [database, settings] of entries(raw)) {
    const problem = unmanagedProblem(database, managed);
    if (problem) {
      ctx.report([...path, database], problem, 'key');
      continue;
    }
    byDatabase[database] = readSettings(settings, [...path, database]);
  }
  return byDatabase;
}

/**
 * The config as one managed database sees it: grants, permissions, default privileges,
 * `owns` entries and tables whose `databases:` leaves that database out are dropped. What is
 * left is the role's complete desired state there (spec §8).
 */
export function configForDatabase(config: Config, database: string): Config {
  const here = <T extends DatabaseScoped>(entry: T): boolean =>
    entry.databases === undefined || entry.databases.includes(database);
  return {
    ...config,
    roles: config.roles.map((role) => ({
      ...role,
      permissions: role.permissions.filter(here),
      grants: role.grants.filter(here),
      defaultPrivileges: role.defaultPrivileges.filter(here),
      ...(role.owns !== undefined && { owns: role.owns.filter(here) }),
    })),
    ...(config.tables !== undefined && { tables: config.tables.filter(here) }),
  };
}

/**
 * Problems of `databases:` entries and `database_config` keys that name a database outside
 * `managed`: checked at plan time, once the managed databases are known (`"*"`, or the
 * connected one by default).
 */
export function unmanagedDatabaseProblems(config: Config, managed: readonly string[]): Problem[] {
  const names = new Set(managed);
  const listed = managed.map((name) => q(name)).join(', ');
  const problems: Problem[] = [];
  const check = (entry: DatabaseScoped, of: string): void => {
    for (const name of entry.databases ?? [])
      if (!names.has(name))
        problems.push({
          message: `database ${q(name)} named in "databases" of ${of} is not managed (managed: ${listed})`,
          ...(entry.databasesPosition === undefined ? {} : { position: entry.databasesPosition }),
        });
  };
  for (const table of config.tables ?? []) check(table, `table ${q(table.table.text)}`);
  for (const role of config.roles) {
    for (const entry of [
      ...role.grants,
      ...role.permissions,
      ...role.defaultPrivileges,
      ...(role.owns ?? []),
    ])
      check(entry, `role ${q(role.name)}`);
    for (const name of Object.keys(role.databaseConfig ?? {}))
      if (!names.has(name))
        problems.push({
          message: `database ${q(name)} in database_config of role ${q(role.name)} is not managed (managed: ${listed})`,
          ...(role.position === undefined ? {} : { position: role.position }),
        });
  }
  return problems;
}

/** Whether `config` manages several databases (`settings.databases` written). */
export function isClusterConfig(config: Config): boolean {
  return config.settings.databases !== undefined;
}
