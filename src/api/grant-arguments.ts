/**
 * The arguments of `grant` / `revoke`, checked and normalized without touching the database:
 * a privilege that the object type does not have is an error before any SQL is sent.
 */
import {
  privilegesFor,
  PRIVILEGES_BY_KIND,
  type AllInSchemaKind,
  type Privilege,
} from '../model/privileges.js';
import { firstMajorWith } from '../model/versions.js';
import { InvalidArgumentError } from '../errors.js';
import { checkName } from './names.js';

/** Object types `grant` and `revoke` accept (pycopg's spelling). */
export const GRANT_OBJECT_TYPES = ['TABLE', 'SEQUENCE', 'FUNCTION', 'SCHEMA', 'DATABASE'] as const;
export type GrantObjectType = (typeof GRANT_OBJECT_TYPES)[number];

type GrantKind = 'table' | 'sequence' | 'function' | 'schema' | 'database';

const KIND_OF_TYPE: Readonly<Record<GrantObjectType, GrantKind>> = {
  TABLE: 'table',
  SEQUENCE: 'sequence',
  FUNCTION: 'function',
  SCHEMA: 'schema',
  DATABASE: 'database',
};

/** `objectName` values that mean every object of a kind in `schema`. */
const ALL_IN_SCHEMA: Readonly<Record<string, AllInSchemaKind & GrantKind>> = {
  'ALL TABLES': 'table',
  'ALL SEQUENCES': 'sequence',
  'ALL FUNCTIONS': 'function',
};

/** Where a grant goes, before routines are looked up in the catalog. */
export type GrantSpec =
  | {
      readonly scope: 'all_in_schema';
      readonly kind: AllInSchemaKind & GrantKind;
      readonly schema: string;
    }
  | {
      readonly scope: 'object';
      readonly kind: 'table' | 'sequence' | 'schema' | 'database';
      readonly schema: string | null;
      readonly name: string;
    }
  | {
      readonly scope: 'routine';
      readonly schema: string;
      readonly name: string;
      /** The caller's argument list, resolved by the server; undefined = the only overload. */
      readonly args?: string;
    };

export interface TargetOptions {
  readonly schema?: string | undefined;
  readonly objectType?: GrantObjectType | undefined;
}

function objectTypeKind(objectType: unknown): GrantKind | undefined {
  if (objectType === undefined) return undefined;
  const upper = typeof objectType === 'string' ? objectType.trim().toUpperCase() : '';
  if (!(GRANT_OBJECT_TYPES as readonly string[]).includes(upper))
    throw new InvalidArgumentError(
      `objectType "${String(objectType)}" is not one of ${GRANT_OBJECT_TYPES.join(', ')}`,
    );
  return KIND_OF_TYPE[upper as GrantObjectType];
}

/**
 * Reads `objectName` and the options into a target. Names are literal: `'sales.orders'` is a
 * table named `sales.orders` in `public`; pass `{ schema: 'sales' }` for the `orders` table of
 * `sales`. Functions are `name` (the only overload) or `name(argtypes)`.
 */
export function parseGrantTarget(objectName: string, options: TargetOptions): GrantSpec {
  const explicitKind = objectTypeKind(options.objectType);
  if (typeof objectName !== 'string')
    throw new InvalidArgumentError('objectName must be a non-empty string');
  const allKind = ALL_IN_SCHEMA[objectName.trim().replace(/\s+/g, ' ').toUpperCase()];
  if (allKind !== undefined) {
    if (explicitKind !== undefined && explicitKind !== allKind)
      throw new InvalidArgumentError(
        `"${objectName}" covers ${allKind} objects, but objectType is ${String(options.objectType)}`,
      );
    return {
      scope: 'all_in_schema',
      kind: allKind,
      schema: checkName('schema', options.schema ?? 'public'),
    };
  }
  const kind = explicitKind ?? 'table';
  if (kind === 'schema' || kind === 'database') {
    if (options.schema !== undefined)
      throw new InvalidArgumentError(
        `the schema option does not apply to objectType ${kind.toUpperCase()}`,
      );
    return { scope: 'object', kind, schema: null, name: checkName(`${kind} name`, objectName) };
  }
  const schema = checkName('schema', options.schema ?? 'public');
  if (kind === 'function') {
    const open = objectName.indexOf('(');
    if (open === -1)
      return { scope: 'routine', schema, name: checkName('function name', objectName) };
    if (!objectName.endsWith(')'))
      throw new InvalidArgumentError(`argument list of function "${objectName}" is not closed`);
    return {
      scope: 'routine',
      schema,
      name: checkName('function name', objectName.slice(0, open).trim()),
      args: objectName.slice(open + 1, -1).trim(),
    };
  }
  return { scope: 'object', kind, schema, name: checkName(`${kind} name`, objectName) };
}

/** Spellings PostgreSQL accepts for a privilege, beyond its own name. */
const PRIVILEGE_ALIASES: Readonly<Record<string, Privilege>> = { TEMP: 'TEMPORARY' };

/**
 * Checks privileges against the closed set of the object kind on this server and returns them
 * in the set's order, each once. `ALL` / `ALL PRIVILEGES` means every privilege of the kind
 * (written out, so the statement says exactly what it grants). A string may list several
 * privileges separated by commas.
 */
export function parsePrivilegeArgument(
  input: string | readonly string[],
  kind: GrantKind,
  serverVersionNum: number,
): Privilege[] {
  const items = (typeof input === 'string' ? [input] : input).flatMap((item) => {
    if (typeof item !== 'string')
      throw new InvalidArgumentError('privileges must be a string or an array of strings');
    return item.split(',');
  });
  const valid = privilegesFor(kind, serverVersionNum);
  const wanted = new Set<Privilege>();
  for (const item of items) {
    const word = item.trim().replace(/\s+/g, ' ').toUpperCase();
    if (word === 'ALL' || word === 'ALL PRIVILEGES') {
      for (const privilege of valid) wanted.add(privilege);
      continue;
    }
    const privilege = (PRIVILEGE_ALIASES[word] ?? word) as Privilege;
    if (!valid.includes(privilege)) {
      const laterVersion =
        PRIVILEGES_BY_KIND[kind].includes(privilege) && privilege === 'MAINTAIN'
          ? ` (MAINTAIN needs PostgreSQL ${firstMajorWith('maintainPrivilege')} or later)`
          : '';
      throw new InvalidArgumentError(
        `privilege "${item.trim()}" does not apply to a ${kind}${laterVersion}; valid: ${valid.join(', ')}`,
      );
    }
    wanted.add(privilege);
  }
  if (wanted.size === 0) throw new InvalidArgumentError('no privilege given');
  return valid.filter((privilege) => wanted.has(privilege));
}

/** The kind whose privileges apply to a target (routines: functions' set, EXECUTE). */
export function specKind(spec: GrantSpec): GrantKind {
  return spec.scope === 'routine' ? 'function' : spec.kind;
}
