import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/build.js';
import type { Operation } from '../../src/model/operations.js';
import { orderOperations } from '../../src/plan/order.js';
import { current, operations } from './plan-fixture.js';

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

describe('buildPlan', () => {
  it('orders steps by phase: rename, create, alter, memberships, grants, revokes, drops', () => {
    const plan = buildPlan(current, operations);
    expect(plan.steps.map((step) => step.summary)).toEqual([
      'rename role "al" to "alice"',
      'create role "readers"',
      'alter role "alice" (login)',
      'set password of "alice" (sensitive)',
      'set comment of role "alice" to "Alice"',
      'set statement_timeout to "30s" for role "alice"',
      'alter membership of "dave" in role "admins" (admin option, granted by "postgres")',
      'grant role "readers" to "alice"',
      'grant SELECT on all tables in schema "app" to "readers"',
      'grant SELECT on future tables created by "migrator" in schema "app" to "readers"',
      'revoke DELETE on table "app.t" from "carol"',
      'revoke EXECUTE on future functions created by "migrator" in any schema from "carol"',
      'revoke role "readers" from "carol" (granted by "postgres")',
      'reassign objects owned by "bob" to "postgres"',
      'drop objects and privileges owned by "bob"',
      'drop role "bob"',
    ]);
  });

  it('gives the same plan whatever the order of its input', () => {
    const reference = buildPlan(current, operations);
    for (const seed of [1, 2, 3, 42, 1234]) {
      expect(buildPlan(current, shuffled(operations, seed))).toEqual(reference);
    }
  });

  it("keeps each role's drop sequence together and in order", () => {
    const drops: Operation[] = [
      { type: 'drop_role', role: 'b' },
      { type: 'drop_owned', role: 'a' },
      { type: 'drop_role', role: 'a' },
      { type: 'reassign_owned', role: 'b', to: 'admin' },
      { type: 'drop_owned', role: 'b' },
      { type: 'reassign_owned', role: 'a', to: 'admin' },
    ];
    expect(buildPlan(current, drops).steps.flatMap((step) => step.sql)).toEqual([
      'REASSIGN OWNED BY "a" TO "admin"',
      'DROP OWNED BY "a"',
      'DROP ROLE "a"',
      'REASSIGN OWNED BY "b" TO "admin"',
      'DROP OWNED BY "b"',
      'DROP ROLE "b"',
    ]);
  });

  it('renames a chain of roles so that no name is taken twice', () => {
    const renames: Operation[] = [
      { type: 'rename_role', from: 'a', to: 'b' },
      { type: 'rename_role', from: 'b', to: 'c' },
      { type: 'rename_role', from: 'c', to: 'd' },
    ];
    expect(orderOperations(renames)).toEqual([renames[2], renames[1], renames[0]]);
  });

  it('orders two grants that differ only by grant option, whatever their input order', () => {
    const grant = (withGrantOption: boolean): Operation => ({
      type: 'grant_privileges',
      target: { scope: 'all_in_schema', kind: 'table', schema: 's' },
      privileges: ['SELECT'],
      grantees: ['x'],
      withGrantOption,
    });
    expect(orderOperations([grant(true), grant(false)])).toEqual(
      orderOperations([grant(false), grant(true)]),
    );
  });

  it('puts lists inside an operation in canonical order', () => {
    const plan = buildPlan(current, [
      {
        type: 'grant_privileges',
        target: {
          scope: 'objects',
          kind: 'table',
          objects: [
            { kind: 'table', schema: 'app', name: 'b' },
            { kind: 'table', schema: 'app', name: 'a' },
          ],
        },
        privileges: ['UPDATE', 'SELECT', 'INSERT'],
        grantees: ['y', 'x'],
        withGrantOption: false,
      },
    ]);
    expect(plan.steps[0]?.sql).toEqual([
      'GRANT SELECT, INSERT, UPDATE ON TABLE "app"."a", "app"."b" TO "x", "y"',
    ]);
    expect(plan.steps[0]?.summary).toBe(
      'grant SELECT, INSERT, UPDATE on 2 tables in schema "app" to "x", "y"',
    );
  });

  it('counts steps per action and carries the display SQL, database and version', () => {
    const plan = buildPlan(current, operations, {
      warnings: ['role "x" is not managed'],
      suffix: 'prod',
    });
    expect(plan.summary).toEqual({ add: 4, change: 6, destroy: 6 });
    expect(plan.formatVersion).toBe(1);
    expect(plan.database).toBe('app');
    expect(plan.serverVersionNum).toBe(160004);
    expect(plan.suffix).toBe('prod');
    expect(plan.warnings).toEqual(['role "x" is not managed']);
    // Fingerprints are computed only for a plan that is saved (withFingerprints).
    expect(plan).not.toHaveProperty('fingerprints');
    const password = plan.steps.find((step) => step.operation.type === 'set_password');
    expect(password?.sql).toEqual(['ALTER ROLE "alice" PASSWORD (sensitive)']);
    expect(password?.action).toBe('update');
  });

  it('makes an empty plan from no operations', () => {
    const plan = buildPlan(current, []);
    expect(plan.steps).toEqual([]);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(plan).not.toHaveProperty('suffix');
  });
});
