/**
 * The table of role attributes drives every stage: for each row, flip the attribute from its
 * default and check that config loading, introspection's query, the diff, the SQL, the summary,
 * the plan file and the export all see it. A row added to the table without its stage fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { diffRoles } from '../../src/diff/roles.js';
import { exportRoleBase } from '../../src/export/roles.js';
import { summarizeOperation } from '../../src/model/summary.js';
import {
  DEFAULT_ROLE_ATTRIBUTES,
  ROLE_ATTRIBUTES,
  type RoleAttributeRow,
} from '../../src/model/role-attributes.js';
import type {
  CurrentRole,
  CurrentState,
  DesiredState,
  RoleAttributes,
} from '../../src/model/state.js';
import { buildPlan } from '../../src/plan/build.js';
import { planFromJson, planToJson } from '../../src/plan/planfile.js';
import { renderOperation } from '../../src/sql/render.js';
import { current as fixtureState } from './plan-fixture.js';

const NO_SECRETS = (): string => {
  throw new Error('no password here');
};

/** A value other than the default, with its YAML, SQL option and summary words. */
function flipped(row: RoleAttributeRow): {
  value: RoleAttributes[RoleAttributeRow['key']];
  yaml: string;
  sql: string;
  summary: string;
} {
  switch (row.kind) {
    case 'flag': {
      const value = !row.default;
      return {
        value,
        yaml: String(value),
        sql: value ? row.keyword : `NO${row.keyword}`,
        summary: value ? row.keyword.toLowerCase() : `no${row.keyword.toLowerCase()}`,
      };
    }
    case 'connection_limit':
      return { value: 5, yaml: '5', sql: 'CONNECTION LIMIT 5', summary: 'connection limit 5' };
    case 'valid_until':
      return {
        value: '2030-01-01T00:00:00.000Z',
        yaml: '"2030-01-01T00:00:00Z"',
        sql: "VALID UNTIL '2030-01-01T00:00:00.000Z'",
        summary: 'valid until 2030-01-01T00:00:00.000Z',
      };
  }
}

const roleWith = (attributes: RoleAttributes): CurrentRole => ({
  name: 'alice',
  oid: 16384,
  attributes,
  description: null,
  config: {},
});

describe.each(ROLE_ATTRIBUTES.map((row) => [row.key, row] as const))(
  'role attribute %s',
  (key, row) => {
    const { value, yaml, sql, summary } = flipped(row);
    const attributes = { ...DEFAULT_ROLE_ATTRIBUTES, [key]: value } as RoleAttributes;

    it('is read from the config under its key', () => {
      const config = parseConfig(
        `version: 1\nroles:\n  alice:\n    ${row.configKey}: ${yaml}\n`,
        'pgward.yaml',
      );
      expect(config.roles[0]?.attributes).toEqual({ [key]: value });
    });

    it('is read by introspection from its pg_roles column', () => {
      const text = readFileSync(
        new URL('../../src/introspect/sql/roles.sql', import.meta.url),
        'utf8',
      );
      expect(text).toMatch(new RegExp(`\\b${row.column}\\b`));
    });

    it('is a change the diff sees, rendered and summarized with its keyword', () => {
      const state: CurrentState = { ...fixtureState, roles: [roleWith(DEFAULT_ROLE_ATTRIBUTES)] };
      const desired: DesiredState = {
        roles: [{ name: 'alice', attributes, description: null, config: {}, memberOf: [] }],
        memberships: [],
        privileges: [],
        defaultPrivileges: [],
        managedRoles: new Set(['alice']),
        protectedRoles: new Set(),
        unmanagedRoles: 'ignore',
        reassignOwnedTo: null,
      } as unknown as DesiredState;
      const { operations } = diffRoles(state, desired, () => false);
      expect(operations).toEqual([
        { type: 'alter_role', role: 'alice', changes: { [key]: value } },
      ]);
      const [alter] = operations;
      if (alter === undefined) throw new Error('no operation');
      expect(renderOperation(alter, 180000, NO_SECRETS)).toEqual([
        `ALTER ROLE "alice" WITH ${sql}`,
      ]);
      expect(summarizeOperation(alter)).toBe(`alter role "alice" (${summary})`);
    });

    it('is written by CREATE ROLE and its summary only when not the default', () => {
      const create = { type: 'create_role', role: 'alice', attributes } as const;
      expect(renderOperation(create, 180000, NO_SECRETS)).toEqual([
        `CREATE ROLE "alice" WITH ${sql}`,
      ]);
      expect(summarizeOperation(create)).toBe(`create role "alice" (${summary})`);
      const plain = {
        type: 'create_role',
        role: 'alice',
        attributes: DEFAULT_ROLE_ATTRIBUTES,
      } as const;
      expect(renderOperation(plain, 180000, NO_SECRETS)).toEqual(['CREATE ROLE "alice"']);
    });

    it('survives a plan file', () => {
      const plan = buildPlan(fixtureState, [
        { type: 'create_role', role: 'alice', attributes },
        { type: 'alter_role', role: 'alice', changes: { [key]: value } },
      ]);
      const read = planFromJson(JSON.parse(JSON.stringify(planToJson(plan))));
      expect(read.steps.map((step) => step.operation)).toEqual(
        plan.steps.map((step) => step.operation),
      );
    });

    it('is exported under its config key only when not the default', () => {
      expect(exportRoleBase(roleWith(attributes))).toEqual({ [row.configKey]: value });
      expect(exportRoleBase(roleWith(DEFAULT_ROLE_ATTRIBUTES))).toEqual({});
    });
  },
);
