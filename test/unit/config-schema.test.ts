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
  it('is a draft-07 schema that ajv compiles in strict mode', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toMatch(/^https:\/\//);
    expect(schema.title).toBeTruthy();
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(schema)).not.toThrow();
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
