import { describe, expect, it } from 'vitest';
import { PgwardError } from '../../src/errors.js';
import { DEFAULT_ROLE_ATTRIBUTES, type DesiredState } from '../../src/model/state.js';
import { buildPlan, withFingerprints } from '../../src/plan/build.js';
import { digestOf } from '../../src/plan/fingerprint.js';
import { planFromJson, planToJson } from '../../src/plan/planfile.js';
import { renderOperation } from '../../src/sql/render.js';
import { current, operations } from './plan-fixture.js';

const desired: DesiredState = {
  roles: [],
  memberships: [],
  privileges: [],
  defaultPrivileges: [],
  managedRoles: new Set(['alice', 'bob']),
  protectedRoles: new Set(),
  unmanagedRoles: 'ignore',
  reassignOwnedTo: null,
};

/** A plan as `plan --out` saves it: with the fingerprints of what it depends on. */
const plan = withFingerprints(
  buildPlan(current, operations, { warnings: ['note'], suffix: 'prod' }),
  current,
  desired,
);

/** A plan file as it travels: JSON text, parsed back. */
const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('planToJson', () => {
  it('writes the fields of spec §3 in snake_case', () => {
    const json = planToJson(plan);
    expect(json).toMatchObject({
      format_version: 1,
      database: 'app',
      server_version_num: 160004,
      fingerprint: digestOf(plan.fingerprints ?? {}),
      fingerprints: plan.fingerprints,
      suffix: 'prod',
      summary: { add: 4, change: 6, destroy: 6 },
      warnings: ['note'],
    });
    expect(json.changes[0]).toEqual({
      action: 'update',
      database: null,
      kind: 'rename_role',
      summary: 'rename role "al" to "alice"',
      sql: ['ALTER ROLE "al" RENAME TO "alice"'],
      operation: { type: 'rename_role', from: 'al', to: 'alice' },
    });
    const grantDefaults = json.changes.find((c) => c.kind === 'grant_default_privileges');
    expect(grantDefaults?.operation).toEqual({
      type: 'grant_default_privileges',
      for_role: 'migrator',
      schema: 'app',
      object_type: 'table',
      privileges: ['SELECT'],
      grantees: ['readers'],
      with_grant_option: false,
    });
  });
});

describe('planFromJson', () => {
  it('reads back exactly the plan that was written', () => {
    expect(planFromJson(roundTrip(planToJson(plan)))).toEqual(plan);
    const empty = buildPlan(current, []);
    expect(planFromJson(roundTrip(planToJson(empty)))).toEqual(empty);
  });

  it('round-trips every field of role attributes, passwords, columns and routines', () => {
    const detailed = buildPlan(current, [
      {
        type: 'create_role',
        role: 'alice',
        attributes: {
          ...DEFAULT_ROLE_ATTRIBUTES,
          login: true,
          connectionLimit: 3,
          validUntil: '2030-01-01T00:00:00.000Z',
        },
        password: { from: 'file', path: '/run/secrets/alice' },
      },
      { type: 'alter_role', role: 'bob', changes: { validUntil: null, createdb: true } },
      {
        type: 'grant_privileges',
        target: {
          scope: 'objects',
          kind: 'table',
          objects: [{ kind: 'table', schema: 'app', name: 't' }],
        },
        privileges: ['SELECT'],
        columns: ['a', 'b'],
        grantees: ['x'],
        withGrantOption: true,
      },
      {
        type: 'revoke_privileges',
        target: {
          scope: 'objects',
          kind: 'function',
          objects: [{ kind: 'function', schema: 'app', name: 'f', args: 'integer, text' }],
        },
        privileges: ['EXECUTE'],
        grantees: ['x'],
        grantOptionOnly: false,
      },
      { type: 'grant_membership', role: 'r', member: 'm', admin: false, inherit: false },
    ]);
    expect(planFromJson(roundTrip(planToJson(detailed)))).toEqual(detailed);
  });

  it('refuses what is not a pgward plan, or another format_version', () => {
    expect(() => planFromJson('plan')).toThrow(PgwardError);
    expect(() => planFromJson({ resource_changes: [] })).toThrow(/not a pgward plan/);
    expect(() => planFromJson(null)).toThrow(/not a pgward plan/);
    expect(() => planFromJson({ ...planToJson(plan), format_version: 2 })).toThrow(
      /format_version 2 is not supported/,
    );
  });

  it('names the field that is wrong', () => {
    const json = roundTrip(planToJson(plan)) as {
      changes: { operation: Record<string, unknown> }[];
    };
    const change = json.changes[1];
    if (change === undefined) throw new Error('fixture has no second change');
    change.operation.role = 42;
    expect(() => planFromJson(json)).toThrow(
      'invalid plan: plan.changes[1].operation.role must be a string',
    );
    expect(() => planFromJson({ ...planToJson(plan), fingerprint: 'abc' })).toThrow(/fingerprint/);
    expect(() =>
      planFromJson({ ...planToJson(plan), fingerprints: { 'role "bob": attributes': 'x' } }),
    ).toThrow(/plan\.fingerprints must be an object of strings/);
    expect(() => planFromJson({ ...planToJson(plan), extra: true })).toThrow(
      /unknown field "extra"/,
    );
  });

  it('refuses a file whose SQL was edited or does not match its operations', () => {
    const json = roundTrip(planToJson(plan)) as {
      changes: { sql: string[]; operation: Record<string, unknown> }[];
    };
    const edited = structuredClone(json);
    const first = edited.changes[0];
    if (first === undefined) throw new Error('fixture has no change');
    first.sql = ['DROP DATABASE app'];
    expect(() => planFromJson(edited)).toThrow(/was the plan file edited/);

    const swapped = structuredClone(json);
    const target = swapped.changes[0];
    if (target === undefined) throw new Error('fixture has no change');
    target.operation.to = 'mallory';
    expect(() => planFromJson(swapped)).toThrow(/was the plan file edited/);

    // A fingerprint edited to hide a change is refused: "fingerprint" is their digest.
    const hidden = roundTrip(planToJson(plan)) as { fingerprints: Record<string, string> };
    hidden.fingerprints['role "bob": memberships'] = 'absent';
    expect(() => planFromJson(hidden)).toThrow(/not the digest of its "fingerprints"/);

    const miscounted = { ...planToJson(plan), summary: { add: 0, change: 0, destroy: 0 } };
    expect(() => planFromJson(roundTrip(miscounted))).toThrow(/does not count its changes/);
  });

  it('refuses an operation that cannot be rendered safely, e.g. an injected argument list', () => {
    const bad = buildPlan(current, []);
    const json = roundTrip(planToJson(bad)) as Record<string, unknown>;
    json.changes = [
      {
        action: 'create',
        kind: 'grant_privileges',
        summary: 'x',
        sql: ['x'],
        operation: {
          type: 'grant_privileges',
          target: {
            scope: 'objects',
            kind: 'function',
            objects: [
              { kind: 'function', schema: 's', name: 'f', args: 'int) TO x; DROP TABLE t; --' },
            ],
          },
          privileges: ['EXECUTE'],
          grantees: ['x'],
          with_grant_option: false,
        },
      },
    ];
    json.summary = { add: 1, change: 0, destroy: 0 };
    expect(() => planFromJson(json)).toThrow(/cannot be rendered: .*catalog's spelling/);
  });

  it('holds no password, plaintext or verifier, for plans that set passwords', () => {
    const plaintext = 'correct horse battery staple';
    const verifier = 'SCRAM-SHA-256$4096:c2FsdHNhbHQ=$c3RvcmVka2V5:c2VydmVya2V5';
    const withPasswords = buildPlan(current, [
      {
        type: 'create_role',
        role: 'alice',
        attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true },
        password: { from: 'env', name: 'ALICE_PASSWORD' },
      },
      { type: 'set_password', role: 'bob', password: { from: 'hashed' } },
      {
        type: 'set_password',
        role: 'carol',
        password: { from: 'file', path: '/run/secrets/carol' },
      },
    ]);
    // The executor's statements do carry the verifier, so the test would notice if it leaked.
    const step = withPasswords.steps[0];
    if (step === undefined) throw new Error('no step');
    expect(renderOperation(step.operation, 160004, () => verifier).join()).toContain(verifier);

    const text = JSON.stringify(planToJson(withPasswords));
    expect(text).not.toContain(plaintext);
    expect(text).not.toContain('SCRAM-SHA-256');
    expect(text).toContain('PASSWORD (sensitive)');
    expect(text).toContain('"name":"ALICE_PASSWORD"');
  });
});
