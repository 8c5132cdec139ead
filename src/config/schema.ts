/**
 * The JSON Schema of pgward.yaml (`schemas/pgward.schema.json`, also what editors use through
 * yaml-language-server), compiled once per process: compiling generates code and costs far
 * more than validating.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** Resolves from both src/config (tests) and dist/config (the package) to the package root. */
export const CONFIG_SCHEMA_URL = new URL('../../schemas/pgward.schema.json', import.meta.url);

let schema: Record<string, unknown> | undefined;
let compiled: ValidateFunction | undefined;

/** The schema as a JSON object (read once). */
export function configSchema(): Record<string, unknown> {
  schema ??= JSON.parse(readFileSync(CONFIG_SCHEMA_URL, 'utf8')) as Record<string, unknown>;
  return schema;
}

/** Every way `data` departs from the schema (empty when it conforms). */
export function schemaErrors(data: unknown): readonly ErrorObject[] {
  if (!compiled) {
    // allErrors: report every problem at once, not just the first.
    // allowUnionTypes: the schema uses `type: [string, object]` for "a name or a mapping".
    // verbose: errors carry their parentSchema, which names what was expected (the allowed
    // keys, say) even inside a $ref, where schemaPath restarts at the referenced definition.
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, verbose: true });
    compiled = ajv.compile(configSchema());
  }
  return compiled(data) ? [] : (compiled.errors ?? []);
}
