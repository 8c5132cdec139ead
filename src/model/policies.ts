/** Identities of row-level security facts, shared by introspection and the diff. */
import { objectKey, type ObjectRef } from './objects.js';

/** Key of "this config text is equivalent to the stored expression" facts. */
export function expressionKey(
  table: ObjectRef,
  policy: string,
  which: 'using' | 'with_check',
  text: string,
): string {
  return JSON.stringify([objectKey(table), policy, which, text]);
}
