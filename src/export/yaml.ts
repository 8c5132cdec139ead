/**
 * The exported config as YAML text. The `yaml` package quotes whatever would read back as
 * something else (`"null"`, `"123"`, `"#admin"`, `'"$user", public'`); short lists of names
 * (privileges, schemas, columns) are written inline, object lists one per line so that a diff
 * of two exports shows one changed object per line.
 */
import { Document, isScalar, isSeq, visit } from 'yaml';
import type { ExportedConfig } from './index.js';

const HEADER = [
  ' Exported by `pgward export`: roles, memberships and privileges as they are in the database.',
  ' Applying this file back changes nothing. Passwords are not exported: add',
  ' `password: { env: VAR }` (or file / hashed) to the login roles that need one.',
].join('\n');

/** Sequences written inline: `privileges: [SELECT, INSERT]`. */
const INLINE_KEYS: ReadonlySet<string> = new Set([
  'privileges',
  'all_in_schemas',
  'columns',
  'roles',
  'manage',
  'databases',
]);

/**
 * Text a YAML reader could take for something else when written plain. The `yaml` package
 * already quotes what YAML 1.2 would misread; YAML 1.1 readers (PyYAML, Ruby, older tools)
 * also take `yes`/`no`/`on`/`off`/`y`/`n` for booleans, `2026-12-31` for a timestamp, `1_000`,
 * `0o17` or `1:30` for numbers, `<<` for a merge key and `=` for a value key. Quoted: every
 * such word, and anything that starts like a number, a date or a special float.
 */
function misreadable(text: string): boolean {
  return (
    text === '' ||
    /^[-+.0-9]/.test(text) ||
    /^(y|n|yes|no|on|off|true|false|null|nan|inf|~|<<|=)$/i.test(text)
  );
}

/** The config as YAML, with a header comment; same config, same bytes. */
export function exportedYaml(config: ExportedConfig): string {
  const doc = new Document({
    version: config.version,
    ...(config.settings === undefined ? {} : { settings: config.settings }),
    ...(config.public !== undefined && { public: config.public }),
    roles: config.roles,
    ...(config.tables !== undefined && { tables: config.tables }),
  });
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && INLINE_KEYS.has(String(pair.key.value)) && isSeq(pair.value))
        pair.value.flow = true;
    },
    Map(_, map) {
      // An empty role (`reader: {}`) reads better than `reader:` (which is null).
      if (map.items.length === 0) map.flow = true;
    },
    Scalar(_, scalar) {
      if (typeof scalar.value === 'string' && misreadable(scalar.value))
        scalar.type = 'QUOTE_DOUBLE';
    },
  });
  doc.commentBefore = HEADER;
  // lineWidth 0: never fold a long description or object list into several lines.
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
