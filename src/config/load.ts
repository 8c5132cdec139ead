/**
 * Loads pgward.yaml: YAML syntax → JSON Schema → semantic checks → Config. Every problem of
 * every stage that can run is collected and thrown together in one ConfigError, each with
 * its `file:line:column`, so one `pgward validate` shows everything to fix.
 */
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../errors.js';
import { ConfigError } from '../errors.js';
import { buildConfig } from './build.js';
import { CheckContext } from './context.js';
import { inPlace, q } from './describe.js';
import { MAX_CONFIG_BYTES, readTextFile } from './read-file.js';
import { configSchema, schemaErrors } from './schema.js';
import { schemaProblems } from './schema-errors.js';
import { SourceMap } from './source-map.js';
import { nonStringKeys } from './yaml-keys.js';
import type { Config } from './types.js';

export interface LoadOptions {
  /** Where `{ env: VAR }` passwords are read from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths start from (the config file, password files); default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * `required` (default): an `env` or `file` password that cannot be read is an error.
   * `optional`: for what only reads (validate, plan, drift, inventory): it is left unread and
   * listed in `Config.unreadPasswords`, each with a note to show.
   */
  readonly secrets?: 'required' | 'optional';
}

/**
 * A limit on alias expansion, so a "billion laughs" document (aliases of aliases of ...) is
 * an error instead of exhausting memory and time. Counts multiply along nested aliases, so a
 * bomb trips it within a few levels, while a flat `<<: *defaults` in every one of thousands of
 * roles stays well under it.
 */
const MAX_ALIAS_COUNT = 10_000;

function byPosition(a: Problem, b: Problem): number {
  const pa = a.position;
  const pb = b.position;
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  return pa.line - pb.line || pa.column - pb.column;
}

function finish(problems: Problem[]): never {
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${problem.position?.line}:${problem.position?.column}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Stable sort: problems on the same node keep the order they were found in.
  throw new ConfigError(unique.sort(byPosition));
}

/**
 * Parses and validates config text. `file` is used in positions and to resolve relative
 * password files (against `options.cwd`).
 *
 * @throws ConfigError with every problem found.
 * @example
 * const config = parseConfig('version: 1\nroles:\n  reader: {}\n', 'pgward.yaml');
 * config.roles[0]?.name; // 'reader'
 */
export function parseConfig(text: string, file: string, options: LoadOptions = {}): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    // yaml's own duplicate check compares each key with every earlier key of its mapping:
    // quadratic, 80 s for 32k roles. SourceMap.duplicateKeys finds them in one pass.
    uniqueKeys: false,
    // The YAML 1.2 core schema even under a `%YAML 1.1` directive: 1.1 would turn an unquoted
    // 2026-12-31 into a Date and `yes` into true, and pgward's types are 1.2's.
    schema: 'core',
    merge: true,
    prettyErrors: false,
  });
  const source = new SourceMap(file, doc, lineCounter);

  const syntax: Problem[] = [];
  for (const error of doc.errors) {
    const detail =
      error.code === 'MULTIPLE_DOCS'
        ? 'the file holds several YAML documents (separated by ---); pgward reads one'
        : error.message.replace(/\s+/g, ' ').trim();
    syntax.push({
      message: `YAML syntax error: ${detail}`,
      position: source.offset(error.pos[0]),
    });
  }
  for (const { key, path, position } of source.duplicateKeys())
    syntax.push({ message: `duplicate key ${q(key)} ${inPlace(path)}`, position });
  syntax.push(...nonStringKeys(doc, source, text));
  if (syntax.length > 0) finish(syntax);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unresolved = /^Unresolved alias.*: (.*)$/.exec(message)?.[1];
    finish([
      unresolved !== undefined
        ? {
            message: `alias "*${unresolved}" has no anchor "&${unresolved}" before it`,
            position: source.firstAlias(unresolved) ?? source.offset(0),
          }
        : {
            message: /alias count/i.test(message)
              ? `aliases expand more than ${MAX_ALIAS_COUNT} times (a "billion laughs" document?); write the values out instead`
              : `YAML error: ${message}`,
            position: source.firstAlias() ?? source.offset(0),
          },
    ]);
  }
  if (data === null || data === undefined)
    finish([
      {
        message: 'the config is empty; it needs at least "version: 1"',
        position: source.offset(0),
      },
    ]);

  const ctx = new CheckContext(source);
  ctx.problems.push(...schemaProblems(schemaErrors(data), data, configSchema(), source));

  const baseDir = dirname(resolve(options.cwd ?? process.cwd(), file));
  const config = buildConfig(
    data,
    file,
    source.keysInOrder(['roles']),
    { env: options.env ?? process.env, baseDir, optional: options.secrets === 'optional' },
    ctx,
  );
  if (ctx.problems.length > 0) finish(ctx.problems);
  return config;
}

/**
 * Throws the errors of the passwords a read-only load left unread: what applies a config (or
 * saves a plan that must be complete) needs every secret.
 *
 * @throws ConfigError naming each password that cannot be read, at its place in the file.
 */
export function requirePasswords(config: Config): void {
  const unread = config.unreadPasswords ?? [];
  if (unread.length > 0) throw new ConfigError(unread.map((password) => password.problem));
}

/**
 * Reads and validates a config file (a path relative to `options.cwd`, default the current
 * directory).
 *
 * @throws ConfigError with every problem found, or if the file cannot be read.
 * @example
 * const config = loadConfig('pgward.yaml', { env: { ALICE_PASSWORD: 's3cret' } });
 */
export function loadConfig(file: string, options: LoadOptions = {}): Config {
  const path = resolve(options.cwd ?? process.cwd(), file);
  const read = readTextFile(path, MAX_CONFIG_BYTES);
  if (!('text' in read)) {
    const reason =
      read.code === 'ENOENT'
        ? `no such file${path === file ? '' : ` (looked for ${path})`}`
        : read.reason;
    const message = `cannot read config file ${q(file)}: ${reason}`;
    throw new ConfigError([
      read.line === undefined
        ? { message }
        : { message, position: { file, line: read.line, column: read.column ?? 1 } },
    ]);
  }
  return parseConfig(read.text, file, options);
}
