/**
 * Privilege lists as the config writes them (any case, or ALL) and the checks that they apply
 * to the object kind they are granted on.
 */
import type { Privilege } from '../model/privileges.js';
import { PRIVILEGES } from '../model/privileges.js';
import type { CheckContext } from './context.js';
import type { Path } from './describe.js';
import { labelOf, q } from './describe.js';

/** Privileges as written: every one with its index in the list (for positions), or ALL. */
export type WrittenPrivileges = 'ALL' | readonly { privilege: Privilege; index: number }[];

function normalize(word: string): string {
  return word.trim().replace(/\s+/g, ' ').toUpperCase();
}

function isAll(word: string): boolean {
  const normalized = normalize(word);
  return normalized === 'ALL' || normalized === 'ALL PRIVILEGES';
}

function isPrivilege(word: string): word is Privilege {
  return (PRIVILEGES as readonly string[]).includes(word);
}

/**
 * Reads `privileges:` (a list, or ALL). Unknown words were reported by the schema check and
 * are left out; a repeated privilege counts once.
 */
export function readPrivileges(
  raw: unknown,
  path: Path,
  ctx: CheckContext,
): WrittenPrivileges | undefined {
  if (typeof raw === 'string') return isAll(raw) ? 'ALL' : undefined;
  if (!Array.isArray(raw)) return undefined;
  const written: { privilege: Privilege; index: number }[] = [];
  const seen = new Set<string>();
  let allAt: number | undefined;
  raw.forEach((item: unknown, index) => {
    if (typeof item !== 'string') return;
    if (isAll(item)) {
      allAt = index;
      return;
    }
    const word = normalize(item);
    if (!isPrivilege(word) || seen.has(word)) return;
    seen.add(word);
    written.push({ privilege: word, index });
  });
  if (allAt === undefined) return written;
  if (raw.length === 1) return 'ALL';
  ctx.report(
    [...path, allAt],
    `"ALL" cannot be combined with other privileges in ${labelOf(path)}`,
  );
  return undefined;
}

/**
 * Reports each written privilege that `allowed` lacks. `on` names what they are granted on
 * (`table`, `columns`), `kind` the kind whose privileges are listed as the alternative.
 */
export function checkPrivilegesApply(
  written: WrittenPrivileges,
  allowed: readonly Privilege[],
  on: string,
  kind: string,
  path: Path,
  ctx: CheckContext,
): void {
  if (written === 'ALL') return;
  for (const { privilege, index } of written) {
    if (!allowed.includes(privilege))
      ctx.report(
        [...path, index],
        `privilege ${q(privilege)} does not apply to ${on} (${kind} privileges: ${allowed.join(', ')})`,
      );
  }
}

/** The model's form: ALL, or the privileges in the order written. */
export function privilegeList(written: WrittenPrivileges): readonly Privilege[] | 'ALL' {
  return written === 'ALL' ? 'ALL' : written.map((w) => w.privilege);
}
