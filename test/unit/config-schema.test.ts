/**
 * The JSON Schema users' editors load (yaml-language-server) must be valid, describe every key,
 * and agree with the model's vocabulary.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { OBJECT_KINDS, PRIVILEGES } from '../../src/model/privileges.js';

type Schema = Record<string, unknown>;
const schema = configSchema();
const definitions = schema.definitions as Record<string, Schema>;

/** Every property schema, with its path, throughout the schema. */
function properties(node: unknown, path = ''): [string, Schema][] {
  if (typeof node !== 'object' || node === null) return [];
  const found: [string, Schema][] = [];
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null)
      for (const [name, property] of Object.entries(value as Record<string, Schema>))
        found.push([`${path}/${name}`, property]);
    found.push(...properties(value, `${path}/${key}`));
  }
  return found;
}

describe('pgward.schema.json', () => {
  it('is a draft-07 schema that ajv compiles in strict mode, with no option relaxing it', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toMatch(/^https:\/\//);
    expect(schema.title).toBeTruthy();
    // Strict refuses unknown keywords and formats, union types (strictTypes), required keys
    // that properties does not define (strictRequired), ...: warnings would be thrown too.
    const warnings: unknown[] = [];
    const logger = {
      log: () => undefined,
      warn: (...args: unknown[]) => warnings.push(args),
      error: (...args: unknown[]) => warnings.push(args),
    };
    const ajv = new Ajv({ strict: true, logger });
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(warnings).toEqual([]);
  });

  it('is valid against the draft-07 meta-schema and uses no keyword of later drafts', () => {
    // Ajv's default class is draft-07 and ships its meta-schema; validateSchema checks against it.
    const ajv = new Ajv({ strict: false });
    expect(ajv.getSchema('http://json-schema.org/draft-07/schema')).toBeDefined();
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    // The meta-schema allows any other key, so later drafts' keywords are looked for by name
    // (in keyword positions: not inside `properties`, whose keys are config keys).
    const LATER = [
      '$defs',
      '$anchor',
      '$dynamicRef',
      '$dynamicAnchor',
      '$recursiveRef',
      '$recursiveAnchor',
      '$vocabulary',
      'dependentRequired',
      'dependentSchemas',
      'unevaluatedProperties',
      'unevaluatedItems',
      'prefixItems',
      'minContains',
      'maxContains',
      'contentSchema',
    ];
    const found: string[] = [];
    const walk = (node: unknown, path: string, keywords: boolean): void => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}/${i}`, true));
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      for (const [key, value] of Object.entries(node)) {
        if (keywords && LATER.includes(key)) found.push(`${path}/${key}`);
        const namesKeys =
          key === 'properties' || key === 'definitions' || key === 'patternProperties';
        walk(value, `${path}/${key}`, keywords ? !namesKeys : true);
      }
    };
    walk(schema, '#', true);
    expect(found).toEqual([]);
  });

  it('has a title and a description on every key, for editor help', () => {
    const all = properties(schema);
    expect(all.length).toBeGreaterThanOrEqual(50);
    const undocumented = all
      .filter(([, property]) => property.$ref === undefined)
      .filter(([, property]) => !property.title || !property.description)
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  it('accepts exactly the model privileges, in any case, plus ALL', () => {
    const pattern = new RegExp(definitions.privilege?.pattern as string);
    for (const privilege of [...PRIVILEGES, 'ALL', 'ALL PRIVILEGES']) {
      expect(pattern.test(privilege)).toBe(true);
      expect(pattern.test(privilege.toLowerCase())).toBe(true);
    }
    for (const word of ['SELEKT', 'ALTERSYSTEM', ' SELECT', 'SELECT,INSERT', 'CONNECT TEMPORARY'])
      expect(pattern.test(word)).toBe(false);
    expect(definitions.privilege?.examples).toEqual(PRIVILEGES);
  });

  it('offers the model object kinds as grant object types', () => {
    const grant = definitions.grant?.properties as Record<string, Schema>;
    expect(grant.object_type?.enum).toEqual(OBJECT_KINDS);
  });
});
