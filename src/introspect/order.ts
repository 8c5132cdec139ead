/**
 * The order of objects and privilege facts in CurrentState, so that the same database always
 * introspects to the same value. Names compare by UTF-16 code units, independent of locale.
 */
import type { ObjectRef } from '../model/objects.js';
import { OBJECT_KINDS } from '../model/privileges.js';
import type { PrivilegeFact } from '../model/state.js';

/** Code-unit order, absent parts first. */
export function compareText(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  // Absent parts (no schema, no args, no column) first.
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return a < b ? -1 : 1;
}

/** What identifies an object: an ObjectRef, or a catalog row where absent args are null. */
type ObjectIdentity = Pick<ObjectRef, 'kind' | 'schema' | 'name'> & {
  readonly args?: string | null | undefined;
};

/** By kind (in OBJECT_KINDS order), schema, name, then argument types. */
export function compareObjects(a: ObjectIdentity, b: ObjectIdentity): number {
  return (
    OBJECT_KINDS.indexOf(a.kind) - OBJECT_KINDS.indexOf(b.kind) ||
    compareText(a.schema, b.schema) ||
    compareText(a.name, b.name) ||
    compareText(a.args, b.args)
  );
}

/** Facts on one object: the object's own first, then by column, grantee, privilege. */
export function compareFactsOnOneObject(a: PrivilegeFact, b: PrivilegeFact): number {
  return (
    compareText(a.column, b.column) ||
    compareText(a.grantee, b.grantee) ||
    compareText(a.privilege, b.privilege)
  );
}
