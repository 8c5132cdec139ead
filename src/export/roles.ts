/**
 * A role's own part of the exported config: attributes that differ from CREATE ROLE's
 * defaults, comment, settings and memberships, in the config's key names.
 */
import { roleReferenceProblem } from '../config/names.js';
import { compareStrings, sortedStrings } from '../model/order.js';
import {
  DEFAULT_ROLE_ATTRIBUTES,
  type CurrentMembership,
  type CurrentRole,
  type CurrentState,
} from '../model/state.js';

/** A `member_of` entry: the role's name alone when every option is the default. */
export type ExportedMembership =
  | string
  | {
      readonly role: string;
      readonly admin?: true;
      readonly inherit?: boolean;
      readonly set?: false;
    };

/** Role keys of the config, in the order the spec lists them. */
export interface ExportedRoleBase {
  description?: string;
  login?: boolean;
  superuser?: boolean;
  createdb?: boolean;
  createrole?: boolean;
  inherit?: boolean;
  replication?: boolean;
  bypassrls?: boolean;
  connection_limit?: number;
  valid_until?: string;
  config?: Record<string, string>;
  /** `ALTER ROLE ... IN DATABASE` settings, by database (the exported databases'). */
  database_config?: Record<string, Record<string, string>>;
  member_of?: ExportedMembership[];
}

const BOOLEAN_ATTRIBUTES = [
  'login',
  'superuser',
  'createdb',
  'createrole',
  'inherit',
  'replication',
  'bypassrls',
] as const;

/** Attributes, comment and settings of a role; only what differs from a bare CREATE ROLE. */
export function exportRoleBase(role: CurrentRole, database?: string): ExportedRoleBase {
  const entry: ExportedRoleBase = {};
  if (role.description !== null) entry.description = role.description;
  for (const name of BOOLEAN_ATTRIBUTES)
    if (role.attributes[name] !== DEFAULT_ROLE_ATTRIBUTES[name])
      entry[name] = role.attributes[name];
  if (role.attributes.connectionLimit !== DEFAULT_ROLE_ATTRIBUTES.connectionLimit)
    entry.connection_limit = role.attributes.connectionLimit;
  if (role.attributes.validUntil !== null) entry.valid_until = role.attributes.validUntil;
  if (Object.keys(role.config).length > 0) entry.config = sortedSettings(role.config);
  if (database !== undefined && Object.keys(role.databaseConfig ?? {}).length > 0)
    entry.database_config = { [database]: sortedSettings(role.databaseConfig ?? {}) };
  return entry;
}

function sortedSettings(settings: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    sortedStrings(Object.keys(settings)).map((name) => [name, settings[name] as string]),
  );
}

/**
 * The `member_of` list of every exported role. Every membership of an exported member is kept,
 * whatever the role it is in (an exported role, a pg_* role, or one outside the export that
 * exists): the resolver manages all memberships of a declared member, so leaving one out
 * would make applying the export revoke it.
 *
 * Options are written only when they differ from what a plain `member_of: [role]` gives:
 * ADMIN false, SET true, and INHERIT following the member's INHERIT attribute (PostgreSQL 16+;
 * before 16 memberships have no INHERIT/SET options). From 16 a membership may have one row
 * per grantor: an option holds if any row gives it, as the diff reads them.
 */
export function exportMemberships(
  current: CurrentState,
  exported: ReadonlySet<string>,
  warnings: string[],
): Map<string, ExportedMembership[]> {
  const rowsByPair = new Map<string, CurrentMembership[]>();
  for (const row of current.memberships) {
    if (!exported.has(row.member)) continue;
    const pair = `${row.member}\0${row.role}`;
    rowsByPair.set(pair, [...(rowsByPair.get(pair) ?? []), row]);
  }
  const memberInherits = new Map(current.roles.map((role) => [role.name, role.attributes.inherit]));
  const byMember = new Map<string, ExportedMembership[]>();
  const pairs = [...rowsByPair.values()].sort(
    ([a], [b]) =>
      compareStrings(a?.member ?? '', b?.member ?? '') ||
      compareStrings(a?.role ?? '', b?.role ?? ''),
  );
  for (const rows of pairs) {
    const [first] = rows;
    if (first === undefined) continue;
    const problem = roleReferenceProblem(first.role, 'role name');
    if (problem !== undefined) {
      warnings.push(
        `membership of "${first.member}" in "${first.role}" is not exported: ${problem}`,
      );
      continue;
    }
    const admin = rows.some((row) => row.admin);
    const inherit = rows.some((row) => row.inherit === true);
    const set = rows.some((row) => row.set === true);
    const since16 = rows.some((row) => row.inherit !== null);
    const defaultInherit = memberInherits.get(first.member) ?? true;
    const options = {
      ...(admin ? { admin: true as const } : {}),
      ...(since16 && inherit !== defaultInherit ? { inherit } : {}),
      ...(since16 && !set ? { set: false as const } : {}),
    };
    const entry: ExportedMembership =
      Object.keys(options).length === 0 ? first.role : { role: first.role, ...options };
    byMember.set(first.member, [...(byMember.get(first.member) ?? []), entry]);
  }
  return byMember;
}
