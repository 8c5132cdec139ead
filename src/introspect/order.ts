/**
 * The order of objects and privilege facts in CurrentState, so that the same database always
 * introspects to the same value. Names compare by UTF-16 code units, independent of locale.
 */
import type { ObjectRef } from '../model/objects.js';
import { OBJECT_KINDS } from '../model/privileges.js';
import { compareOptionalStrings } from '../model/order.js';
import type { PrivilegeFact } from '../model/state.js';

/** What identifies an object: an ObjectRef, or a catalog row where absent args are null. */
type ObjectIdentity = Pick<ObjectRef, 'kind' | 'schema' | 'name'> & {
  readonly args?: string | null | undefined;
};

/**
 * Catalog rows by kind (in OBJECT_KINDS order), schema, name, then argument types: the order
 * of `CurrentState.objects` (the diff orders its output by `compareObjectKeys` instead).
 */
export function compareObjectsByKind(a: ObjectIdentity, b: ObjectIdentity): number {
  return (
    OBJECT_KINDS.indexOf(a.kind) - OBJECT_KINDS.indexOf(b.kind) ||
    compareOptionalStrings(a.schema, b.schema) ||
    compareOptionalStrings(a.name, b.name) ||
    compareOptionalStrings(a.args, b.args)
  );
}

/** Facts on one object: the object's own first, then by column, grantee, privilege. */
export function compareFactsOnOneObject(a: PrivilegeFact, b: PrivilegeFact): number {
  return (
    compareOptionalStrings(a.column, b.column) ||
    compareOptionalStrings(a.grantee, b.grantee) ||
    compareOptionalStrings(a.privilege, b.privilege)
  );
}
