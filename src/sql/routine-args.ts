/**
 * A routine's argument list is the one piece of SQL that enters a statement unquoted (see
 * `ObjectRef.args`): it must be the catalog's `oidvectortypes()` spelling. That spelling only
 * ever holds type names — lower-case words, digits, `_`, `$`, spaces, dots, commas, `[]` — with
 * anything else inside double-quoted identifiers (`"My Type"`, `"char"`). Checking that shape
 * before rendering means an edited plan file cannot smuggle `); DROP ...` into a GRANT.
 */
const CATALOG_ARGUMENT_LIST = /^(?:[A-Za-z0-9_$ ,.[\]]|"(?:[^"\0]|"")*")*$/;

/** Whether `args` has the shape of a catalog argument list (nothing that could end the statement). */
export function isCatalogArgumentList(args: string): boolean {
  return CATALOG_ARGUMENT_LIST.test(args);
}
