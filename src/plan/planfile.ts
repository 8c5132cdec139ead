/**
 * The JSON plan of spec §3 (`plan --format json`, and the PLANFILE that `apply` takes):
 *
 * ```json
 * { "format_version": 1, "database": "app", "server_version_num": 160004,
 *   "fingerprint": "<sha256 hex of fingerprints>", "suffix": "prod",
 *   "fingerprints": { "role \"alice\": attributes": "absent", "table \"public.orders\": privileges": "<16 hex>", ... },
 *   "summary": { "add": 1, "change": 0, "destroy": 0 },
 *   "changes": [{ "action": "create", "kind": "create_role", "summary": "create role \"alice\" (login)",
 *                 "sql": ["CREATE ROLE \"alice\" WITH LOGIN"],
 *                 "operation": { "type": "create_role", "role": "alice", "attributes": { ... } } }],
 *   "warnings": [] }
 * ```
 *
 * Keys are snake_case throughout, as in the config. Nothing secret can be in it: operations
 * carry where a password comes from (`{ "from": "env", "name": "ALICE_PASSWORD" }`), never the
 * password or its verifier, and `sql` is the display form (`PASSWORD (sensitive)`).
 */
import { PgwardError } from '../errors.js';
import type { ObjectRef } from '../model/objects.js';
import {
  ALL_IN_SCHEMA_KEYWORD,
  DEFAULT_PRIVILEGE_OBJECT_TYPES,
  OBJECT_KINDS,
  PRIVILEGES,
  type AllInSchemaKind,
  type ObjectKind,
} from '../model/privileges.js';
import {
  BOOLEAN_ROLE_ATTRIBUTES,
  POLICY_COMMANDS,
  type PasswordSource,
  type Policy,
  type RoleAttributes,
  type RowSecurity,
} from '../model/state.js';
import { isDatabaseOperation } from './cluster.js';
import { planStep, summarizeSteps } from './build.js';
import { digestOf, FINGERPRINT_VALUE, type Fingerprints } from './fingerprint.js';
import {
  assertNever,
  type Action,
  type GrantTarget,
  type Operation,
  type OperationType,
  type Plan,
  type PlanStep,
  warningsOf,
} from '../model/operations.js';

export const PLAN_FORMAT_VERSION = 1;

/** The JSON form of a plan (spec §3). */
export interface PlanJson {
  readonly format_version: 1;
  readonly database: string;
  readonly server_version_num: number;
  /** sha256 of `fingerprints`; both are absent from a plan made only to be shown. */
  readonly fingerprint?: string;
  readonly fingerprints?: Readonly<Record<string, string>>;
  readonly suffix?: string;
  readonly summary: { readonly add: number; readonly change: number; readonly destroy: number };
  readonly changes: readonly {
    readonly action: Action;
    readonly kind: OperationType;
    readonly summary: string;
    readonly sql: readonly string[];
    /** The database the change is made in; null for a cluster-wide change (spec §8). */
    readonly database: string | null;
    readonly operation: Readonly<Record<string, unknown>>;
  }[];
  readonly warnings: readonly string[];
}

/** The plan as the JSON object of spec §3, ready for `JSON.stringify`. */
export function planToJson(plan: Plan): PlanJson {
  return {
    format_version: plan.formatVersion,
    database: plan.database,
    server_version_num: plan.serverVersionNum,
    ...(plan.fingerprints !== undefined && {
      fingerprint: digestOf(plan.fingerprints),
      fingerprints: { ...plan.fingerprints },
    }),
    ...(plan.suffix !== undefined && { suffix: plan.suffix }),
    summary: { ...plan.summary },
    changes: plan.steps.map((step) => ({
      action: step.action,
      kind: step.operation.type,
      summary: step.summary,
      sql: [...step.sql],
      database: databaseOf(plan, step),
      operation: snakeCaseKeys(step.operation) as Record<string, unknown>,
    })),
    warnings: warningsOf(plan),
  };
}

/** A step's database: its own in a cluster plan, else the plan's for a database change. */
function databaseOf(plan: Plan, step: PlanStep): string | null {
  if (plan.databases !== undefined) return step.database ?? null;
  return isDatabaseOperation(step.operation) ? plan.database : null;
}

function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCaseKeys(v)]),
    );
  }
  return value;
}

/**
 * Reads a JSON plan back (e.g. `JSON.parse` of a PLANFILE), checking every field. Each
 * change's SQL must be what its operation renders to: the statements a reviewer read are the
 * statements that run, and an edited file is refused rather than applied.
 *
 * @throws PgwardError naming what is wrong, for a value that is not a pgward plan, has another
 *   format_version, or does not hold together.
 */
export function planFromJson(value: unknown): Plan {
  if (!isRecord(value) || !('format_version' in value) || !('changes' in value))
    throw new PgwardError(
      'not a pgward plan: expected a JSON object with "format_version" and "changes"',
    );
  if (value.format_version !== PLAN_FORMAT_VERSION)
    throw new PgwardError(
      `plan format_version ${JSON.stringify(value.format_version)} is not supported: this pgward reads format_version ${PLAN_FORMAT_VERSION}`,
    );
  const plan = new Fields(value, 'plan');
  plan.integer('format_version');
  const database = plan.string('database');
  const serverVersionNum = plan.integer('server_version_num');
  // A plan made only to be shown has no fingerprints; applyPlanFile refuses it.
  const fingerprints =
    plan.has('fingerprint') || plan.has('fingerprints') ? readFingerprints(plan) : undefined;
  const suffix = plan.optionalString('suffix');
  const summary = plan.record('summary');
  const counts = {
    add: summary.integer('add'),
    change: summary.integer('change'),
    destroy: summary.integer('destroy'),
  };
  summary.done();
  const warnings = plan.stringArray('warnings');
  const steps = plan.records('changes').map((change, index) => {
    const operation = readOperation(change.record('operation'));
    let step: PlanStep;
    try {
      step = planStep(operation, serverVersionNum);
    } catch (error) {
      throw new PgwardError(
        `invalid plan: change ${index + 1} cannot be rendered: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const where = `plan change ${index + 1} (${step.summary})`;
    if (change.oneOf('kind', OPERATION_TYPES) !== operation.type)
      throw new PgwardError(`invalid ${where}: "kind" does not match its operation`);
    if (change.oneOf('action', ACTIONS) !== step.action)
      throw new PgwardError(`invalid ${where}: "action" does not match its operation`);
    // The summary is recomputed from the operation: it describes what will run.
    change.string('summary');
    // Recomputed too (from the operation and the plan's database); older files lack it.
    if (change.has('database')) change.nullableString('database');
    const sql = change.stringArray('sql');
    if (sql.length !== step.sql.length || sql.some((statement, i) => statement !== step.sql[i]))
      throw new PgwardError(
        `invalid ${where}: its "sql" is not what its operation renders to; was the plan file edited?`,
      );
    change.done();
    return step;
  });
  plan.done();
  const recounted = summarizeSteps(steps);
  if (
    recounted.add !== counts.add ||
    recounted.change !== counts.change ||
    recounted.destroy !== counts.destroy
  )
    throw new PgwardError('invalid plan: "summary" does not count its changes');
  return {
    formatVersion: 1,
    steps,
    summary: recounted,
    ...(fingerprints !== undefined && { fingerprints }),
    database,
    serverVersionNum,
    ...(suffix !== undefined && { suffix }),
    findings: [],
    warnings,
  };
}

function readFingerprints(plan: Fields): Fingerprints {
  const fingerprint = plan.string('fingerprint');
  if (!/^[0-9a-f]{64}$/.test(fingerprint))
    throw new PgwardError('invalid plan: "fingerprint" is not a sha256 hex digest');
  const fingerprints = plan.stringRecord('fingerprints', FINGERPRINT_VALUE);
  if (digestOf(fingerprints) !== fingerprint)
    throw new PgwardError(
      'invalid plan: "fingerprint" is not the digest of its "fingerprints"; was the plan file edited?',
    );
  return fingerprints;
}

const ACTIONS: readonly Action[] = ['create', 'update', 'delete'];

const OPERATION_TYPES: readonly OperationType[] = [
  'create_role',
  'rename_role',
  'alter_role',
  'set_password',
  'comment_role',
  'set_role_config',
  'grant_membership',
  'alter_membership',
  'revoke_membership',
  'grant_privileges',
  'revoke_privileges',
  'grant_default_privileges',
  'revoke_default_privileges',
  'alter_owner',
  'grant_public',
  'revoke_public',
  'set_row_security',
  'create_policy',
  'alter_policy',
  'drop_policy',
  'reassign_owned',
  'drop_owned',
  'drop_role',
];

function readOperation(fields: Fields): Operation {
  const type = fields.oneOf('type', OPERATION_TYPES);
  const op = operationOf(type, fields);
  fields.done();
  return op;
}

function operationOf(type: OperationType, f: Fields): Operation {
  switch (type) {
    case 'create_role': {
      const password = f.optionalRecord('password');
      return {
        type,
        role: f.string('role'),
        attributes: readAttributes(f.record('attributes'), { complete: true }) as RoleAttributes,
        ...(password !== undefined && { password: readPasswordSource(password) }),
      };
    }
    case 'rename_role':
      return { type, from: f.string('from'), to: f.string('to') };
    case 'alter_role':
      return {
        type,
        role: f.string('role'),
        changes: readAttributes(f.record('changes'), { complete: false }),
      };
    case 'set_password':
      return { type, role: f.string('role'), password: readPasswordSource(f.record('password')) };
    case 'comment_role':
      return { type, role: f.string('role'), comment: f.nullableString('comment') };
    case 'set_role_config': {
      const database = f.optionalString('database');
      return {
        type,
        role: f.string('role'),
        name: f.string('name'),
        value: f.nullableString('value'),
        ...(database !== undefined && { database }),
      };
    }
    case 'grant_membership': {
      const inherit = f.optionalBoolean('inherit');
      const set = f.optionalBoolean('set');
      return {
        type,
        role: f.string('role'),
        member: f.string('member'),
        admin: f.boolean('admin'),
        ...(inherit !== undefined && { inherit }),
        ...(set !== undefined && { set }),
      };
    }
    case 'alter_membership': {
      const grantor = f.optionalString('grantor');
      const admin = f.optionalBoolean('admin');
      const inherit = f.optionalBoolean('inherit');
      const set = f.optionalBoolean('set');
      return {
        type,
        role: f.string('role'),
        member: f.string('member'),
        ...(grantor !== undefined && { grantor }),
        ...(admin !== undefined && { admin }),
        ...(inherit !== undefined && { inherit }),
        ...(set !== undefined && { set }),
      };
    }
    case 'revoke_membership': {
      const grantor = f.optionalString('grantor');
      return {
        type,
        role: f.string('role'),
        member: f.string('member'),
        ...(grantor !== undefined && { grantor }),
      };
    }
    case 'grant_privileges':
    case 'revoke_privileges': {
      const columns = f.optionalStringArray('columns');
      const common = {
        target: readTarget(f.record('target')),
        privileges: f.oneOfArray('privileges', PRIVILEGES),
        ...(columns !== undefined && { columns }),
        grantees: f.stringArray('grantees'),
      };
      if (type === 'grant_privileges')
        return { type, ...common, withGrantOption: f.boolean('with_grant_option') };
      const cascade = f.optionalBoolean('cascade');
      const asGrantor = f.optionalString('as_grantor');
      return {
        type,
        ...common,
        grantOptionOnly: f.boolean('grant_option_only'),
        ...(cascade !== undefined && { cascade }),
        ...(asGrantor !== undefined && { asGrantor }),
      };
    }
    case 'grant_default_privileges':
    case 'revoke_default_privileges': {
      const common = {
        forRole: f.string('for_role'),
        schema: f.nullableString('schema'),
        objectType: f.oneOf('object_type', DEFAULT_PRIVILEGE_OBJECT_TYPES),
        privileges: f.oneOfArray('privileges', PRIVILEGES),
        grantees: f.stringArray('grantees'),
      };
      return type === 'grant_default_privileges'
        ? { type, ...common, withGrantOption: f.boolean('with_grant_option') }
        : { type, ...common, grantOptionOnly: f.boolean('grant_option_only') };
    }
    case 'alter_owner': {
      const relkind = f.optionalString('relkind');
      return {
        type,
        object: readObject(f.record('object')),
        ...(relkind !== undefined && { relkind }),
        from: f.string('from'),
        owner: f.string('owner'),
      };
    }
    case 'grant_public':
    case 'revoke_public': {
      const columns = f.optionalStringArray('columns');
      const common = {
        object: readObject(f.record('object')),
        privileges: f.oneOfArray('privileges', PRIVILEGES),
        ...(columns !== undefined && { columns }),
      };
      if (type === 'grant_public') return { type, ...common };
      const asGrantor = f.optionalString('as_grantor');
      return { type, ...common, ...(asGrantor !== undefined && { asGrantor }) };
    }
    case 'set_row_security': {
      const enable = f.optionalBoolean('enable');
      const force = f.optionalBoolean('force');
      return {
        type,
        table: readObject(f.record('table')),
        to: f.oneOf('to', ROW_SECURITY),
        ...(enable !== undefined && { enable }),
        ...(force !== undefined && { force }),
      };
    }
    case 'create_policy':
      return { type, policy: readPolicy(f.record('policy')) };
    case 'alter_policy': {
      const roles = f.optionalStringArray('roles');
      const using = f.optionalString('using');
      const withCheck = f.optionalString('with_check');
      return {
        type,
        table: readObject(f.record('table')),
        name: f.string('name'),
        ...(roles !== undefined && { roles }),
        ...(using !== undefined && { using }),
        ...(withCheck !== undefined && { withCheck }),
      };
    }
    case 'drop_policy':
      return { type, table: readObject(f.record('table')), name: f.string('name') };
    case 'reassign_owned':
      return { type, role: f.string('role'), to: f.string('to') };
    case 'drop_owned':
    case 'drop_role':
      return { type, role: f.string('role') };
    default:
      return assertNever(type);
  }
}

function readAttributes(
  f: Fields,
  { complete }: { complete: boolean },
): Partial<{ -readonly [K in keyof RoleAttributes]: RoleAttributes[K] }> {
  const attributes: Partial<{ -readonly [K in keyof RoleAttributes]: RoleAttributes[K] }> = {};
  for (const flag of BOOLEAN_ROLE_ATTRIBUTES) {
    const value = complete ? f.boolean(flag) : f.optionalBoolean(flag);
    if (value !== undefined) attributes[flag] = value;
  }
  if (complete || f.has('connection_limit'))
    attributes.connectionLimit = f.integer('connection_limit');
  if (complete || f.has('valid_until')) attributes.validUntil = f.nullableString('valid_until');
  f.done();
  return attributes;
}

function readPasswordSource(f: Fields): PasswordSource {
  const from = f.oneOf('from', ['env', 'file', 'hashed'] as const);
  const source: PasswordSource =
    from === 'env'
      ? { from, name: f.string('name') }
      : from === 'file'
        ? { from, path: f.string('path') }
        : { from };
  f.done();
  return source;
}

function readTarget(f: Fields): GrantTarget {
  const scope = f.oneOf('scope', ['objects', 'all_in_schema'] as const);
  const target: GrantTarget =
    scope === 'all_in_schema'
      ? {
          scope,
          kind: f.oneOf('kind', Object.keys(ALL_IN_SCHEMA_KEYWORD) as AllInSchemaKind[]),
          schema: f.string('schema'),
        }
      : {
          scope,
          kind: f.oneOf('kind', OBJECT_KINDS),
          objects: f.records('objects').map(readObject),
        };
  f.done();
  return target;
}

const ROW_SECURITY: readonly RowSecurity[] = ['disabled', 'enabled', 'forced'];

function readPolicy(f: Fields): Policy {
  const policy: Policy = {
    table: readObject(f.record('table')),
    name: f.string('name'),
    command: f.oneOf('command', POLICY_COMMANDS),
    permissive: f.boolean('permissive'),
    roles: f.stringArray('roles'),
    using: f.nullableString('using'),
    withCheck: f.nullableString('with_check'),
  };
  f.done();
  return policy;
}

function readObject(f: Fields): ObjectRef {
  const args = f.optionalString('args');
  const ref: ObjectRef = {
    kind: f.oneOf('kind', OBJECT_KINDS) as ObjectKind,
    schema: f.nullableString('schema'),
    name: f.string('name'),
    ...(args !== undefined && { args }),
  };
  f.done();
  return ref;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads the fields of one JSON object, each check naming the field's path in its message;
 * `done()` refuses fields nobody read (a newer or hand-made file).
 */
class Fields {
  private readonly read = new Set<string>();

  constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.value, key) && this.value[key] !== undefined;
  }

  private get(key: string): unknown {
    this.read.add(key);
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  private fail(key: string, expected: string): never {
    throw new PgwardError(`invalid plan: ${this.path}.${key} must be ${expected}`);
  }

  string(key: string): string {
    const value = this.get(key);
    return typeof value === 'string' ? value : this.fail(key, 'a string');
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : (this.get(key), undefined);
  }

  nullableString(key: string): string | null {
    const value = this.get(key);
    return value === null || typeof value === 'string' ? value : this.fail(key, 'a string or null');
  }

  boolean(key: string): boolean {
    const value = this.get(key);
    return typeof value === 'boolean' ? value : this.fail(key, 'true or false');
  }

  optionalBoolean(key: string): boolean | undefined {
    return this.has(key) ? this.boolean(key) : (this.get(key), undefined);
  }

  integer(key: string): number {
    const value = this.get(key);
    return Number.isSafeInteger(value) ? (value as number) : this.fail(key, 'an integer');
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const value = this.get(key);
    return values.includes(value as T)
      ? (value as T)
      : this.fail(key, `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  }

  stringArray(key: string): string[] {
    const value = this.get(key);
    return Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? [...value]
      : this.fail(key, 'an array of strings');
  }

  optionalStringArray(key: string): string[] | undefined {
    return this.has(key) ? this.stringArray(key) : (this.get(key), undefined);
  }

  oneOfArray<T extends string>(key: string, values: readonly T[]): T[] {
    const items = this.stringArray(key);
    if (!items.every((item) => values.includes(item as T)))
      this.fail(key, `an array of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    return items as T[];
  }

  /** An object whose every value is a string matching `pattern`. */
  stringRecord(key: string, pattern: RegExp): Record<string, string> {
    const value = this.get(key);
    if (
      !isRecord(value) ||
      !Object.values(value).every((item) => typeof item === 'string' && pattern.test(item))
    )
      this.fail(key, `an object of strings matching ${String(pattern)}`);
    // A fresh object without a prototype: a key like "__proto__" stays data.
    return Object.assign(Object.create(null) as Record<string, string>, value);
  }

  record(key: string): Fields {
    const value = this.get(key);
    return isRecord(value) ? new Fields(value, `${this.path}.${key}`) : this.fail(key, 'an object');
  }

  optionalRecord(key: string): Fields | undefined {
    return this.has(key) ? this.record(key) : (this.get(key), undefined);
  }

  records(key: string): Fields[] {
    const value = this.get(key);
    if (!Array.isArray(value) || !value.every(isRecord)) this.fail(key, 'an array of objects');
    return value.map((item, index) => new Fields(item, `${this.path}.${key}[${index}]`));
  }

  done(): void {
    const unknown = Object.keys(this.value).filter((key) => !this.read.has(key));
    if (unknown.length > 0)
      throw new PgwardError(
        `invalid plan: ${this.path} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
      );
  }
}
