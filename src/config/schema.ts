/**
 * The JSON Schema of pgward.yaml (`schemas/pgward.schema.json`, also what editors use through
 * yaml-language-server) and its validator. Compiling the schema generates code and costs far
 * more than validating (and loading Ajv's compiler alone takes a while): the build generates
 * that code once (`scripts/build.mjs` → `dist/config/schema-validator.cjs`), and only where it
 * is absent (running from src/, in tests) is the schema compiled, once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass, ErrorObject, Options, ValidateFunction } from 'ajv';

/** Resolves from both src/config (tests) and dist/config (the package) to the package root. */
export const CONFIG_SCHEMA_URL = new URL('../../schemas/pgward.schema.json', import.meta.url);

/** The validator the build generates beside dist/config/schema.js. */
const PRECOMPILED = fileURLToPath(new URL('./schema-validator.cjs', import.meta.url));

/**
 * Ajv's options, for the build's generated code and for compiling here alike.
 * allErrors: report every problem at once, not just the first.
 * strict, with nothing relaxed: the schema is plain draft-07 that other tools read alike ("a
 * name or a mapping" is an anyOf of one branch per type; schema-errors.ts reports it as one).
 * verbose: errors carry their parentSchema, which names what was expected (the allowed keys,
 * say) even inside a $ref, where schemaPath restarts at the referenced definition, and their
 * schema (a pattern's text).
 */
export const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: true,
  verbose: true,
};

const require = createRequire(import.meta.url);
let schema: Record<string, unknown> | undefined;
let compiled: ValidateFunction | undefined;

/** The schema as a JSON object (read once). */
export function configSchema(): Record<string, unknown> {
  schema ??= JSON.parse(readFileSync(CONFIG_SCHEMA_URL, 'utf8')) as Record<string, unknown>;
  return schema;
}

function validator(): ValidateFunction {
  if (existsSync(PRECOMPILED)) return require(PRECOMPILED) as ValidateFunction;
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  return new Ajv(AJV_OPTIONS).compile(configSchema());
}

/** Every way `data` departs from the schema (empty when it conforms). */
export function schemaErrors(data: unknown): readonly ErrorObject[] {
  compiled ??= validator();
  return compiled(data) ? [] : (compiled.errors ?? []);
}
