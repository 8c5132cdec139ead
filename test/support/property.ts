/**
 * Random cases for the property-based convergence test (test/safety/property.test.ts): a
 * catalog made by hand (schemas, tables, sequences and functions with odd names, roles with
 * random attributes, memberships, grants, default privileges, settings and comments) and a
 * valid pgward config over it (roles with attributes, member_of with options, grants of every
 * kind, permissions with profiles, default privileges, unmanaged_roles, renamed_from).
 *
 * Everything comes from one seeded PRNG (mulberry32), so a seed reproduces a case exactly.
 * Shapes that pgward does not handle today are generated only when their flag is set (see
 * PROPERTY_FLAGS), so the default run passes and a flag reproduces a known failure.
 */
import { stringify } from 'yaml';
import { COLUMN_PRIVILEGES, privilegesFor, type ObjectKind } from '../../src/model/privileges.js';
import { BOOLEAN_ROLE_ATTRIBUTES } from '../../src/model/role-attributes.js';
import { quoteIdentForTest as ident } from './catalog.js';

/**
 * mulberry32: a tiny, fast 32-bit PRNG, good enough to pick cases, and the same sequence on
 * every machine for a seed.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Each item kept with probability `p`, in order. */
  subset<T>(items: readonly T[], p = 0.5): T[] {
    return items.filter(() => this.chance(p));
  }

  /** A non-empty subset (one item picked if the draw kept none). */
  some<T>(items: readonly T[], p = 0.5): T[] {
    const kept = this.subset(items, p);
    return kept.length > 0 ? kept : [this.pick(items)];
  }
}

/**
 * Shapes pgward does not handle today, each behind an environment variable of that name; set
 * it to `1` to generate them too (and reproduce the failure recorded next to it).
 */
export const PROPERTY_FLAGS = {
  /**
   * Default privileges made by hand for an unmanaged role without the same grants on the
   * objects that exist. `export` writes them as `default_privileges`, which also mean those
   * grants on existing objects (spec §4): the exported config's plan is not empty.
   */
  PGWARD_PROPERTY_PARTIAL_DEFAULT_PRIVILEGES:
    'default privileges made by hand without the same grants on existing objects: export does not round-trip',
} as const satisfies Record<string, string>;

export type PropertyFlag = keyof typeof PROPERTY_FLAGS;

/** The flags set to `1` in `env`. */
export function enabledFlags(env: Readonly<Record<string, string | undefined>>): Set<PropertyFlag> {
  return new Set(
    (Object.keys(PROPERTY_FLAGS) as PropertyFlag[]).filter((flag) => env[flag] === '1'),
  );
}

export interface CaseOptions {
  /** Major version of the server (membership options from 16, MAINTAIN from 17). */
  readonly major: number;
  /** The database the case lives in (database grants name it). */
  readonly database: string;
  /** The bootstrap superuser pgward connects as. */
  readonly superuser: string;
  readonly flags?: ReadonlySet<PropertyFlag>;
}

export interface PropertyCase {
  readonly seed: number;
  /** SQL that makes the catalog, run as the superuser in `database` (one simple query). */
  readonly setupSql: string;
  /** The config, as YAML. */
  readonly configYaml: string;
  /** Environment of the config's `{ env }` passwords. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Role names in a fixed order. Every membership, made by hand or declared, goes from an
 * earlier role (the group) to a later one (the member), so no case has a membership cycle.
 */
const ROLE_POOL = [
  'prop_owner',
  'prop_reader',
  'Prop Writer',
  'prop"quote',
  'prop.dot',
  'prop_ünï',
  'select',
  'prop;semi',
  'PROP_UPPER',
  'prop_app',
  `prop_${'x'.repeat(58)}`,
] as const;

/** Names a role can be renamed to (renamed_from). */
const RENAME_POOL = ['prop_renamed', 'Prop Renamed.Two'] as const;

const SCHEMA_POOL = ['app', 'Sales', 'odd schema', 'dot.ted', 'q"s', 'ünï'] as const;
const TABLE_POOL = ['orders', 'Items', 'with space', 'a.b', 't"q', 'straße', 'user'] as const;
const COLUMN_POOL = ['id', 'Odd Col', 'total', 'a.b'] as const;
const SEQUENCE_POOL = ['seq', 'Seq.Two'] as const;
const FUNCTION_POOL: readonly { name: string; args: readonly string[] }[] = [
  { name: 'calc', args: [] },
  { name: 'calc', args: ['integer', 'text'] },
  { name: 'Fn Odd', args: ['integer'] },
];
const DESCRIPTIONS = ['Read-only', 'it\'s "quoted"', 'ünïcode – dash', 'two\nlines'] as const;
const ROLE_SETTINGS: readonly (readonly [string, readonly string[]])[] = [
  ['statement_timeout', ['30s', '5min']],
  ['work_mem', ['8MB', '64kB']],
  ['search_path', ['app, public', 'public']],
  ['application_name', ['prop app']],
];

type GrantedKind = Extract<ObjectKind, 'table' | 'sequence' | 'schema' | 'database'>;

/** Privileges of the kinds the generator grants on, as the server has them (MAINTAIN: 17+). */
function privilegeLists(major: number): Readonly<Record<GrantedKind, readonly string[]>> {
  const on = (kind: GrantedKind): readonly string[] => privilegesFor(kind, major * 10000);
  return {
    table: on('table'),
    sequence: on('sequence'),
    schema: on('schema'),
    database: on('database'),
  };
}
/** Role attributes but SUPERUSER, which configs set more rarely. */
const ROLE_ATTRIBUTES = BOOLEAN_ROLE_ATTRIBUTES.map(({ key }) => key).filter(
  (attribute) => attribute !== 'superuser',
);

interface Relation {
  readonly schema: string;
  readonly name: string;
}
interface Table extends Relation {
  readonly columns: readonly string[];
}
interface Routine extends Relation {
  readonly args: readonly string[];
}

/** The catalog a case makes by hand, as the generator knows it. */
interface Catalog {
  readonly schemas: readonly string[];
  readonly tables: readonly Table[];
  readonly sequences: readonly Relation[];
  readonly functions: readonly Routine[];
  /** Roles made by hand, in ROLE_POOL order. */
  readonly roles: readonly string[];
  /** Owners of schemas and objects: the superuser or roles made by hand. */
  readonly owners: readonly string[];
}

/** Position of a role in the membership order (a renamed role keeps its old one). */
function rankOf(name: string, renames: ReadonlyMap<string, string>): number {
  const old = renames.get(name);
  const rank = (ROLE_POOL as readonly string[]).indexOf(old ?? name);
  if (rank < 0) throw new Error(`no rank for role ${name}`);
  return rank;
}

/**
 * An object name as the config writes it in `objects:`: with a dot or a double quote, in
 * double quotes. (Schema lists — all_in_schemas, permissions, default_privileges — take
 * schema names literally.)
 */
function configName(name: string): string {
  return /[."]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name;
}

/** `schema.name` as the config writes it. */
function configObjectName(schema: string, name: string): string {
  return `${configName(schema)}.${configName(name)}`;
}

function configRoutineName(routine: Routine): string {
  return `${configObjectName(routine.schema, routine.name)}(${routine.args.join(', ')})`;
}

function qualified(object: Relation): string {
  return `${ident(object.schema)}.${ident(object.name)}`;
}

function routineSignature(routine: Routine): string {
  return `${qualified(routine)}(${routine.args.join(', ')})`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** CREATE ROLE options for random attributes, in SQL. */
function randomRoleOptions(random: Random): string[] {
  const options: string[] = [];
  for (const attribute of ROLE_ATTRIBUTES) {
    if (random.chance(0.3)) {
      const on = random.chance(0.5);
      options.push(`${on ? '' : 'NO'}${attribute.toUpperCase()}`);
    }
  }
  if (random.chance(0.2)) options.push(`CONNECTION LIMIT ${random.int(-1, 20)}`);
  if (random.chance(0.2)) options.push(`VALID UNTIL ${literal('2031-06-30 00:00:00+00')}`);
  if (random.chance(0.2)) options.push(`PASSWORD ${literal('hand-made secret')}`);
  return options;
}

/** The catalog made by hand: objects, roles, memberships, grants, default privileges. */
function makeCatalog(random: Random, options: CaseOptions, sql: string[]): Catalog {
  const { superuser, major } = options;
  const lists = privilegeLists(major);
  const roles: string[] = random.subset<string>(ROLE_POOL, 0.45);
  for (const role of roles) {
    sql.push(`CREATE ROLE ${ident(role)} ${randomRoleOptions(random).join(' ')};`);
    if (random.chance(0.3)) {
      sql.push(`COMMENT ON ROLE ${ident(role)} IS ${literal(random.pick(DESCRIPTIONS))};`);
    }
    if (random.chance(0.3)) {
      const [name, values] = random.pick(ROLE_SETTINGS);
      sql.push(`ALTER ROLE ${ident(role)} SET ${name} = ${literal(random.pick(values))};`);
    }
  }
  const owners = [superuser, ...roles.filter(() => random.chance(0.4))];
  const ownerOf = (): string => random.pick(owners);

  // Memberships made by hand, from an earlier role to a later one.
  for (const [i, group] of roles.entries()) {
    for (const member of roles.slice(i + 1)) {
      if (!random.chance(0.25)) continue;
      const withOptions: string[] = [];
      if (random.chance(0.3)) withOptions.push('ADMIN TRUE');
      if (major >= 16 && random.chance(0.3))
        withOptions.push(`INHERIT ${random.pick(['TRUE', 'FALSE'])}`);
      if (major >= 16 && random.chance(0.3))
        withOptions.push(`SET ${random.pick(['TRUE', 'FALSE'])}`);
      const withClause =
        withOptions.length === 0
          ? ''
          : major >= 16
            ? ` WITH ${withOptions.join(', ')}`
            : ' WITH ADMIN OPTION';
      sql.push(`GRANT ${ident(group)} TO ${ident(member)}${withClause};`);
    }
  }

  const schemas = random.some(SCHEMA_POOL, 0.4);
  const tables: Table[] = [];
  const sequences: Relation[] = [];
  const functions: Routine[] = [];
  for (const schema of schemas) {
    sql.push(`CREATE SCHEMA ${ident(schema)} AUTHORIZATION ${ident(ownerOf())};`);
    for (const name of random.subset(TABLE_POOL, 0.3)) {
      const table: Table = { schema, name, columns: random.some(COLUMN_POOL, 0.5) };
      tables.push(table);
      const columns = table.columns.map((column) => `${ident(column)} integer`).join(', ');
      sql.push(`CREATE TABLE ${qualified(table)} (${columns});`);
      sql.push(`ALTER TABLE ${qualified(table)} OWNER TO ${ident(ownerOf())};`);
    }
    for (const name of random.subset(SEQUENCE_POOL, 0.3)) {
      const sequence = { schema, name };
      sequences.push(sequence);
      sql.push(`CREATE SEQUENCE ${qualified(sequence)};`);
      sql.push(`ALTER SEQUENCE ${qualified(sequence)} OWNER TO ${ident(ownerOf())};`);
    }
    for (const { name, args } of random.subset(FUNCTION_POOL, 0.3)) {
      const routine = { schema, name, args };
      functions.push(routine);
      sql.push(
        `CREATE FUNCTION ${routineSignature(routine)} RETURNS integer LANGUAGE sql AS 'SELECT 1';`,
      );
      sql.push(`ALTER FUNCTION ${routineSignature(routine)} OWNER TO ${ident(ownerOf())};`);
    }
  }

  // Grants made by hand, to roles made by hand (the owner of each object is its grantor).
  const grantees = roles;
  if (grantees.length > 0) {
    const option = (): string => (random.chance(0.2) ? ' WITH GRANT OPTION' : '');
    for (const table of tables) {
      if (random.chance(0.5)) {
        sql.push(
          `GRANT ${random.some(lists.table, 0.3).join(', ')} ON ${qualified(table)} TO ${ident(random.pick(grantees))}${option()};`,
        );
      }
      if (random.chance(0.3)) {
        const columns = random.some(table.columns).map(ident).join(', ');
        sql.push(
          `GRANT ${random.some(COLUMN_PRIVILEGES, 0.4).join(', ')} (${columns}) ON ${qualified(table)} TO ${ident(random.pick(grantees))}${option()};`,
        );
      }
    }
    for (const sequence of sequences) {
      if (random.chance(0.5)) {
        sql.push(
          `GRANT ${random.some(lists.sequence).join(', ')} ON SEQUENCE ${qualified(sequence)} TO ${ident(random.pick(grantees))}${option()};`,
        );
      }
    }
    for (const routine of functions) {
      if (random.chance(0.3))
        sql.push(`REVOKE EXECUTE ON FUNCTION ${routineSignature(routine)} FROM PUBLIC;`);
      if (random.chance(0.5)) {
        sql.push(
          `GRANT EXECUTE ON FUNCTION ${routineSignature(routine)} TO ${ident(random.pick(grantees))}${option()};`,
        );
      }
    }
    for (const schema of schemas) {
      if (random.chance(0.5)) {
        sql.push(
          `GRANT ${random.some(lists.schema).join(', ')} ON SCHEMA ${ident(schema)} TO ${ident(random.pick(grantees))}${option()};`,
        );
      }
    }
    if (random.chance(0.3)) {
      sql.push(
        `GRANT ${random.some(lists.database).join(', ')} ON DATABASE ${ident(options.database)} TO ${ident(random.pick(grantees))};`,
      );
    }
    // Default privileges made by hand, as a DBA makes them: with the same grants on the
    // objects that exist (pgward reads default privileges as covering those too).
    for (let i = random.int(0, 2); i > 0; i--) {
      const inSchemas = random.chance(0.7) ? [random.pick(schemas)] : undefined;
      const [what, privileges] = random.pick([
        ['TABLES', lists.table],
        ['SEQUENCES', lists.sequence],
        ['FUNCTIONS', ['EXECUTE']],
      ] as const);
      const grant = `GRANT ${random.some(privileges).join(', ')} ON ${what}`;
      const grantee = ident(random.pick(grantees));
      const inSchema = inSchemas === undefined ? '' : ` IN SCHEMA ${ident(inSchemas[0] ?? '')}`;
      sql.push(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(ownerOf())}${inSchema} ${grant} TO ${grantee};`,
      );
      if (!options.flags?.has('PGWARD_PROPERTY_PARTIAL_DEFAULT_PRIVILEGES')) {
        const existing = (inSchemas ?? schemas).map(ident).join(', ');
        sql.push(`${grant.replace(' ON ', ' ON ALL ')} IN SCHEMA ${existing} TO ${grantee};`);
      }
    }
  }
  return { schemas, tables, sequences, functions, roles, owners };
}

type Yaml = Record<string, unknown>;

/** `privileges:` of a grant: ALL now and then, else a non-empty subset. */
function privilegesOf(random: Random, privileges: readonly string[]): string[] | 'ALL' {
  return random.chance(0.15) ? 'ALL' : random.some(privileges, 0.4);
}

/** One random `grants:` entry over the catalog, or undefined if the catalog has no such object. */
function randomGrant(random: Random, catalog: Catalog, options: CaseOptions): Yaml | undefined {
  const lists = privilegeLists(options.major);
  const withGrantOption = random.chance(0.2) ? { with_grant_option: true } : {};
  const kind = random.pick([
    'database',
    'schema',
    'table',
    'columns',
    'sequence',
    'function',
  ] as const);
  const inSchemas = random.chance(0.4);
  switch (kind) {
    case 'database':
      return {
        privileges: privilegesOf(random, lists.database),
        object_type: 'database',
        objects: [options.database],
        ...withGrantOption,
      };
    case 'schema':
      return {
        privileges: privilegesOf(random, lists.schema),
        object_type: 'schema',
        objects: random.some(catalog.schemas).map(configName),
        ...withGrantOption,
      };
    case 'columns': {
      if (catalog.tables.length === 0) return undefined;
      const table = random.pick(catalog.tables);
      return {
        privileges: random.some(COLUMN_PRIVILEGES, 0.4),
        object_type: 'table',
        objects: [configObjectName(table.schema, table.name)],
        columns: random.some(table.columns),
        ...withGrantOption,
      };
    }
    case 'table':
    case 'sequence':
    case 'function': {
      const objects: readonly (Relation | Routine)[] =
        kind === 'table'
          ? catalog.tables
          : kind === 'sequence'
            ? catalog.sequences
            : catalog.functions;
      const privileges =
        kind === 'table' ? lists.table : kind === 'sequence' ? lists.sequence : ['EXECUTE'];
      const target =
        inSchemas || objects.length === 0
          ? { all_in_schemas: random.some(catalog.schemas) }
          : {
              objects: random
                .some(objects)
                .map((object) =>
                  'args' in object
                    ? configRoutineName(object)
                    : configObjectName(object.schema, object.name),
                ),
            };
      return {
        privileges: privilegesOf(random, privileges),
        object_type: kind,
        ...target,
        ...withGrantOption,
      };
    }
  }
}

/** The config: roles to manage, their attributes, memberships, privileges, and settings. */
function makeConfig(
  random: Random,
  catalog: Catalog,
  options: CaseOptions,
  env: Record<string, string>,
): Yaml {
  const lists = privilegeLists(options.major);
  const settings: Yaml = {};
  const policy = random.pick(['ignore', 'ignore', 'report', 'drop'] as const);
  if (policy !== 'ignore' || random.chance(0.3)) settings.unmanaged_roles = policy;

  const managed: string[] = random.subset<string>(ROLE_POOL, 0.5);
  // renamed_from: a role made by hand that the config does not name, under a new name.
  const renames = new Map<string, string>();
  const renamable = catalog.roles.filter((role) => !managed.includes(role));
  if (renamable.length > 0 && random.chance(0.25)) {
    const old = random.pick(renamable);
    const name = random.pick(RENAME_POOL);
    renames.set(name, old);
    managed.push(name);
  }
  const renamedAway = new Set(renames.values());
  managed.sort((a, b) => rankOf(a, renames) - rankOf(b, renames));

  // ignore_roles: a role made by hand left alone, by its exact name or a glob.
  const unmanagedLeft = catalog.roles.filter(
    (role) => !managed.includes(role) && !renamedAway.has(role),
  );
  const ignored = new Set<string>();
  if (unmanagedLeft.length > 0 && random.chance(0.3)) {
    const role = random.pick(unmanagedLeft);
    ignored.add(role);
    settings.ignore_roles = [role];
  }
  // Roles that exist after the apply and that the config may name without declaring them.
  const survivors = unmanagedLeft.filter((role) => policy !== 'drop' || ignored.has(role));
  const nameable = [...managed, ...survivors];

  if (policy === 'drop' || random.chance(0.2)) {
    // Objects of dropped roles go to a declared role.
    if (managed.length > 0) settings.reassign_owned_to = random.pick(managed);
  }
  if (policy === 'drop' && settings.reassign_owned_to === undefined)
    settings.unmanaged_roles = 'report';
  if (random.chance(0.2)) {
    const creators = [options.superuser, ...nameable];
    settings.object_creators = random.some(creators, 0.3);
  }

  const profiles: Yaml = {};
  const profileNames = ['read', 'write'];
  if (random.chance(0.3)) {
    profiles.exec = { schema: ['USAGE'], function: ['EXECUTE'], table: ['SELECT', 'TRUNCATE'] };
    profileNames.push('exec');
  }

  const roles: Yaml = {};
  for (const name of managed) {
    const role: Yaml = {};
    for (const attribute of ROLE_ATTRIBUTES) {
      if (random.chance(0.25)) role[attribute] = random.chance(0.5);
    }
    if (random.chance(0.05)) role.superuser = true;
    if (random.chance(0.2)) role.connection_limit = random.int(-1, 20);
    if (random.chance(0.2)) role.valid_until = random.pick(['2030-01-01', null]);
    if (random.chance(0.2)) {
      const variable = `PROP_PASSWORD_${Object.keys(env).length}`;
      env[variable] = `secret ${random.int(0, 1e6)} ü`;
      role.password = { env: variable };
    }
    if (random.chance(0.3)) role.description = random.pick(DESCRIPTIONS);
    if (random.chance(0.3)) {
      const config: Yaml = {};
      for (const [setting, values] of random.some(ROLE_SETTINGS, 0.3))
        config[setting] = random.pick(values);
      role.config = config;
    }
    const renamedFrom = renames.get(name);
    if (renamedFrom !== undefined) role.renamed_from = renamedFrom;

    const rank = rankOf(name, renames);
    const groups = nameable.filter((group) => rankOf(group, renames) < rank);
    const memberOf = random.subset(groups, 0.3).map((group) => {
      if (random.chance(0.4)) return group;
      const membership: Yaml = { role: group };
      if (random.chance(0.4)) membership.admin = random.chance(0.5);
      if (options.major >= 16 && random.chance(0.4)) membership.inherit = random.chance(0.5);
      if (options.major >= 16 && random.chance(0.4)) membership.set = random.chance(0.5);
      return membership;
    });
    if (memberOf.length > 0) role.member_of = memberOf;

    if (random.chance(0.35)) {
      role.permissions = [
        { type: random.pick(profileNames), schemas: random.some(catalog.schemas) },
      ];
    }
    const grants: Yaml[] = [];
    for (let i = random.int(0, 3); i > 0; i--) {
      const grant = randomGrant(random, catalog, options);
      if (grant !== undefined) grants.push(grant);
    }
    if (grants.length > 0) role.grants = grants;

    if (random.chance(0.3)) {
      const forRole = random.pick([options.superuser, ...nameable]);
      const global = random.chance(0.3);
      const [objectType, privileges] = random.pick(
        (global
          ? [
              ['table', lists.table],
              ['sequence', lists.sequence],
              ['function', ['EXECUTE']],
              ['type', ['USAGE']],
              ['schema', lists.schema],
            ]
          : [
              ['table', lists.table],
              ['sequence', lists.sequence],
              ['function', ['EXECUTE']],
              ['type', ['USAGE']],
            ]) as readonly (readonly [string, readonly string[]])[],
      );
      role.default_privileges = [
        {
          for_role: forRole,
          ...(global ? {} : { schema: random.pick(catalog.schemas) }),
          object_type: objectType,
          privileges: privilegesOf(random, privileges),
          ...(random.chance(0.2) ? { with_grant_option: true } : {}),
        },
      ];
    }
    roles[name] = role;
  }

  const yaml: Yaml = { version: 1 };
  if (Object.keys(settings).length > 0) yaml.settings = settings;
  if (Object.keys(profiles).length > 0) yaml.profiles = profiles;
  yaml.roles = roles;
  return yaml;
}

/** The case of one seed: the same seed and options always give the same case. */
export function generateCase(seed: number, options: CaseOptions): PropertyCase {
  const random = new Random(seed);
  const sql: string[] = [];
  const catalog = makeCatalog(random, options, sql);
  const env: Record<string, string> = {};
  const config = makeConfig(random, catalog, options, env);
  return {
    seed,
    setupSql: sql.join('\n'),
    configYaml: stringify(config),
    env,
  };
}
