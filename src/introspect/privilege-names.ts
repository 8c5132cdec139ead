import { PRIVILEGES, type Privilege } from '../model/privileges.js';

const KNOWN = new Set<string>(PRIVILEGES);

/**
 * A privilege name as `aclexplode` spells it (`SELECT`, `TEMPORARY`, `ALTER SYSTEM`, ...).
 * An unknown one means a server newer than pgward knows: failing beats silently dropping
 * privileges that a plan would then not account for.
 */
export function asPrivilege(name: string): Privilege {
  if (!KNOWN.has(name)) throw new Error(`unknown privilege "${name}" in the catalog`);
  return name as Privilege;
}
