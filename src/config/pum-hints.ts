/**
 * Hints for configs written the PUM way (pum's role YAML), which many pgward users come from:
 * a list of roles with `name:` keys where pgward has a mapping, and `inherit: reader` (the role
 * to inherit from) where pgward's `inherit` is the INHERIT attribute and memberships are
 * `member_of`. The schema check already reports both; the hint, on the next line of that
 * problem, shows the pgward way with the names from the file.
 */
import type { Problem } from '../errors.js';
import { isRecord } from './context.js';
import type { Path } from './describe.js';
import type { SourceMap } from './source-map.js';

interface Hint {
  readonly path: Path;
  readonly text: string;
}

/** `inherit: reader` or `inherit: [a, b]`: the roles PUM meant, or null for a boolean. */
function inheritedRoles(value: unknown): string[] | null {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
    return value as string[];
  return null;
}

function memberOfText(roles: readonly string[]): string {
  return `member_of: [${roles.join(', ')}]`;
}

function inheritHint(roles: readonly string[]): string {
  return `hint: pgward's inherit is the INHERIT attribute (true or false); to make this role a member of ${roles.map((r) => `"${r}"`).join(', ')} as PUM's inherit does, write ${memberOfText(roles)}`;
}

function hints(data: unknown): Hint[] {
  if (!isRecord(data)) return [];
  const roles = data.roles;
  if (Array.isArray(roles)) {
    const named = roles.filter(isRecord).filter((role) => typeof role.name === 'string');
    if (named.length === 0) return [];
    const example = named
      .slice(0, 2)
      .map((role) => {
        const inherited = inheritedRoles(role.inherit);
        return `${String(role.name)}: { ${inherited === null ? '...' : memberOfText(inherited)} }`;
      })
      .join(', ');
    const inherits = named.some((role) => inheritedRoles(role.inherit) !== null)
      ? ', and PUM\'s "inherit: ROLE" is pgward\'s "member_of: [ROLE]"'
      : '';
    return [
      {
        path: ['roles'],
        text: `hint: pgward's roles are a mapping from each role's name to its settings, not PUM's list of entries with "name:": write roles: { ${example}${named.length > 2 ? ', ...' : ''} }${inherits}`,
      },
    ];
  }
  if (!isRecord(roles)) return [];
  return Object.entries(roles).flatMap(([name, role]) => {
    if (!isRecord(role)) return [];
    const inherited = inheritedRoles(role.inherit);
    return inherited === null
      ? []
      : [{ path: ['roles', name, 'inherit'], text: inheritHint(inherited) }];
  });
}

/**
 * The problems with a PUM hint added, on its own line, to the problem reported at the same
 * place (the schema's "must be a mapping" / "must be true or false").
 */
export function withPumHints(
  problems: readonly Problem[],
  data: unknown,
  source: SourceMap,
): Problem[] {
  const found = hints(data);
  if (found.length === 0) return [...problems];
  const result = [...problems];
  for (const hint of found) {
    const at = source.position(hint.path);
    const index = result.findIndex(
      (p) => p.position?.line === at.line && p.position.column === at.column,
    );
    const problem = result[index];
    if (problem !== undefined)
      result[index] = { ...problem, message: `${problem.message}\n  ${hint.text}` };
  }
  return result;
}
