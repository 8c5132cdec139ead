import { describe, expect, it } from 'vitest';
import { buildClusterPlan } from '../../src/plan/cluster.js';
import type { Finding } from '../../src/model/findings.js';
import type { Operation } from '../../src/model/operations.js';

const create: Operation = {
  type: 'create_role',
  role: 'analyst',
  attributes: {
    superuser: false,
    createdb: false,
    createrole: false,
    inherit: true,
    login: true,
    replication: false,
    bypassrls: false,
    connectionLimit: -1,
    validUntil: null,
  },
};
const grantOn = (kind: 'table' | 'database', name: string): Operation => ({
  type: 'grant_privileges',
  target: {
    scope: 'objects',
    kind,
    objects: [{ kind, schema: kind === 'table' ? 'app' : null, name }],
  },
  privileges: kind === 'table' ? ['SELECT'] : ['CONNECT'],
  grantees: ['analyst'],
  withGrantOption: false,
});

describe('buildClusterPlan', () => {
  it('keeps cluster-wide operations once, first; database ones under their database; DROP ROLE last', () => {
    const plan = buildClusterPlan('shop', 180000, [
      {
        database: 'shop',
        operations: [
          { type: 'drop_role', role: 'leaver' },
          { type: 'drop_owned', role: 'leaver' },
          grantOn('table', 'orders'),
          grantOn('database', 'shop'),
          create,
        ],
        findings: [],
        warnings: ['note'],
      },
      {
        database: 'crm',
        operations: [
          create,
          grantOn('database', 'shop'),
          {
            type: 'set_role_config',
            role: 'analyst',
            name: 'work_mem',
            value: '64MB',
            database: 'crm',
          },
          { type: 'drop_owned', role: 'leaver' },
          { type: 'drop_role', role: 'leaver' },
        ],
        findings: [],
        warnings: ['note'],
      },
    ]);
    expect(plan.steps.map((step) => [step.database ?? null, step.sql.join('; ')])).toEqual([
      [null, 'CREATE ROLE "analyst" WITH LOGIN'],
      // Database ACLs live in a shared catalog: cluster-wide, once.
      [null, 'GRANT CONNECT ON DATABASE "shop" TO "analyst"'],
      ['shop', 'GRANT SELECT ON TABLE "app"."orders" TO "analyst"'],
      ['shop', 'DROP OWNED BY "leaver"'],
      ['crm', `ALTER ROLE "analyst" IN DATABASE "crm" SET "work_mem" TO '64MB'`],
      ['crm', 'DROP OWNED BY "leaver"'],
      [null, 'DROP ROLE "leaver"'],
    ]);
    expect(plan.databases).toEqual(['shop', 'crm']);
    expect(plan.database).toBe('shop');
    expect(plan.summary).toEqual({ add: 3, change: 1, destroy: 3 });
    expect(plan.warnings).toEqual(['note']);
  });

  it('keeps a finding only when every database reports it: roles are cluster-wide', () => {
    const unmanaged = (role: string): Finding => ({
      kind: 'unmanaged_role',
      role,
      summary: `role "${role}" exists but is not in the config`,
      reason: 'unmanaged_roles: report',
    });
    const plan = buildClusterPlan('lausanne', 180000, [
      {
        database: 'lausanne',
        operations: [],
        // reader_zurich is declared through zurich's suffix only.
        findings: [unmanaged('intruder'), unmanaged('reader_zurich')],
        warnings: [],
      },
      { database: 'zurich', operations: [], findings: [unmanaged('intruder')], warnings: [] },
    ]);
    expect(plan.findings.map((finding) => finding.role)).toEqual(['intruder']);
  });
});
