/**
 * Privileges passed on by a role other than the owner (WITH GRANT OPTION): only their grantor
 * can revoke them, a lost grant option with dependents needs CASCADE, and what the config
 * keeps of the dependents is granted again in the owner's name first.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigGrant } from '../../src/config/types.js';
import type { PrivilegeFact } from '../../src/model/state.js';
import { buildPlan } from '../../src/plan/build.js';
import type { Operation } from '../../src/model/operations.js';
import { planFromJson, planToJson } from '../../src/plan/planfile.js';
import { summarizeOperation } from '../../src/model/summary.js';
import { renderOperation } from '../../src/sql/render.js';
import {
  baseRoles,
  config,
  configRole,
  dependency,
  fact,
  membership,
  objectName,
  planOf,
  planProblems,
  ref,
  role,
  schema,
  state,
  table,
} from './diff-builders.js';

const t = table('s.t', { owner: 'o', columns: ['id', 'secret'] });
const objects = [schema('s', 'o'), t];
const roles = [
  ...baseRoles(),
  role('o'),
  role('lead'),
  role('member'),
  role('intern'),
  role('contractor'),
];
const onT = { scope: 'objects', kind: 'table', objects: [ref(t)] } as const;

/** A current fact with its grantors, as introspection gives it. */
const passedOn = (
  grantee: string,
  grantors: string[],
  options: { grantable?: boolean; column?: string } = {},
): PrivilegeFact => ({ ...fact(t, grantee, 'SELECT', options), grantors });

const select = (overrides: Partial<ConfigGrant> = {}): ConfigGrant => ({
  privileges: ['SELECT'],
  objectType: 'table',
  objects: [objectName('table', 's.t')],
  withGrantOption: false,
  ...overrides,
});

/** Operations in plan order, as `pgward plan` shows them. */
const planned = (operations: readonly Operation[]): Operation[] =>
  buildPlan(state({ roles, objects }), operations).steps.map((step) => step.operation);

describe('diff: privileges passed on by a grantor other than the owner', () => {
  it('revokes a privilege a lead passed on as the lead, not in the owner name', () => {
    const { operations } = planOf(
      config([
        configRole('lead', { grants: [select({ withGrantOption: true })] }),
        configRole('member'),
      ]),
      state({
        roles,
        objects,
        privileges: [fact(t, 'lead', 'SELECT', { grantable: true }), passedOn('member', ['lead'])],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        grantOptionOnly: false,
        asGrantor: 'lead',
      },
    ]);
  });

  it('revokes as each grantor when the owner and a lead both granted it', () => {
    const { operations } = planOf(
      config([
        configRole('lead', { grants: [select({ withGrantOption: true })] }),
        configRole('member'),
      ]),
      state({
        roles,
        objects,
        privileges: [
          fact(t, 'lead', 'SELECT', { grantable: true }),
          passedOn('member', ['lead', 'o']),
        ],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        grantOptionOnly: false,
      },
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        grantOptionOnly: false,
        asGrantor: 'lead',
      },
    ]);
  });

  it('takes the grant option without CASCADE when the plan revokes every dependent itself', () => {
    const { operations } = planOf(
      config([configRole('lead', { grants: [select()] }), configRole('member')]),
      state({
        roles,
        objects,
        privileges: [fact(t, 'lead', 'SELECT', { grantable: true }), passedOn('member', ['lead'])],
      }),
    );
    expect(planned(operations)).toEqual([
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        grantOptionOnly: false,
        asGrantor: 'lead',
      },
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['lead'],
        grantOptionOnly: true,
      },
    ]);
  });

  it('grants a kept dependent privilege in the owner name before taking the grant option with CASCADE', () => {
    const { operations } = planOf(
      config([
        configRole('lead', { grants: [select()] }),
        configRole('member', { grants: [select()] }),
      ]),
      state({
        roles,
        objects,
        privileges: [fact(t, 'lead', 'SELECT', { grantable: true }), passedOn('member', ['lead'])],
      }),
    );
    expect(planned(operations)).toEqual([
      {
        type: 'grant_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        withGrantOption: false,
      },
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['lead'],
        grantOptionOnly: true,
        cascade: true,
      },
    ]);
  });

  it('keeps a dependent the owner granted too, without granting it again', () => {
    const { operations } = planOf(
      config([
        configRole('lead', { grants: [select()] }),
        configRole('member', { grants: [select()] }),
      ]),
      state({
        roles,
        objects,
        privileges: [
          fact(t, 'lead', 'SELECT', { grantable: true }),
          passedOn('member', ['lead', 'o']),
        ],
      }),
    );
    expect(operations).toEqual([
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['lead'],
        grantOptionOnly: true,
        cascade: true,
      },
    ]);
  });

  it('grants again a kept grant option that came down a chain through a role outside the config, and warns about that role', () => {
    const { operations, warnings } = planOf(
      config([
        configRole('lead', { grants: [select()] }),
        configRole('member', { grants: [select({ withGrantOption: true })] }),
        configRole('intern', { grants: [select()] }),
      ]),
      state({
        roles,
        objects,
        privileges: [
          fact(t, 'lead', 'SELECT', { grantable: true }),
          passedOn('contractor', ['lead'], { grantable: true }),
          passedOn('member', ['contractor'], { grantable: true }),
          passedOn('intern', ['member']),
        ],
      }),
    );
    // member keeps its grant option (granted again by the owner), so intern's grant from
    // member survives the CASCADE; contractor, outside the config, loses what lead gave it.
    expect(planned(operations)).toEqual([
      {
        type: 'grant_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        withGrantOption: true,
      },
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['lead'],
        grantOptionOnly: true,
        cascade: true,
      },
    ]);
    expect(warnings).toEqual([
      'taking the grant option for SELECT on table "s.t" from "lead" cascades to roles outside the config it passed SELECT on to: "contractor"',
    ]);
  });

  it('orders a chain deepest grantor first, the owner name last', () => {
    // lead → contractor → member: by name alone, lead's revoke from "contractor" would come
    // before contractor's revoke from "member", when contractor no longer could.
    const { operations } = planOf(
      config([
        configRole('lead', { grants: [select()] }),
        configRole('contractor'),
        configRole('member'),
        configRole('intern'),
      ]),
      state({
        roles,
        objects,
        privileges: [
          fact(t, 'lead', 'SELECT', { grantable: true }),
          passedOn('contractor', ['lead'], { grantable: true }),
          passedOn('member', ['contractor']),
          passedOn('intern', ['lead'], { column: 'secret' }),
        ],
      }),
    );
    const steps = buildPlan(state({ roles, objects }), operations).steps;
    expect(steps.map((step) => step.sql)).toEqual([
      ['SET ROLE "contractor"', 'REVOKE SELECT ON TABLE "s"."t" FROM "member"', 'RESET ROLE'],
      ['SET ROLE "lead"', 'REVOKE SELECT ON TABLE "s"."t" FROM "contractor"', 'RESET ROLE'],
      ['SET ROLE "lead"', 'REVOKE SELECT ("secret") ON TABLE "s"."t" FROM "intern"', 'RESET ROLE'],
      ['REVOKE GRANT OPTION FOR SELECT ON TABLE "s"."t" FROM "lead"'],
    ]);
  });

  it('leaves what a dropped grantor passed on to DROP OWNED', () => {
    const { operations } = planOf(
      config([configRole('member')], {
        settings: {
          unmanagedRoles: 'drop',
          ignoreRoles: ['owner', 'o', 'intern', 'contractor', 'lead'],
        },
      }),
      state({
        roles: [...roles, role('gone')],
        objects,
        dependencies: [dependency('gone', 'app', 'acl', 1)],
        privileges: [fact(t, 'gone', 'SELECT', { grantable: true }), passedOn('member', ['gone'])],
      }),
    );
    expect(operations).toEqual([
      { type: 'drop_owned', role: 'gone' },
      { type: 'drop_role', role: 'gone' },
    ]);
  });

  it('takes a grant option as planned next to a dropped role that holds one on the object', () => {
    // gone's DROP OWNED only takes what gone passed on: lead's grant option (which the config
    // takes) and member's SELECT (which lead passed on, kept) are planned as without the drop.
    const { operations } = planOf(
      config(
        [configRole('lead', { grants: [select()] }), configRole('member', { grants: [select()] })],
        {
          settings: {
            unmanagedRoles: 'drop',
            ignoreRoles: ['owner', 'o', 'intern', 'contractor'],
          },
        },
      ),
      state({
        roles: [...roles, role('gone')],
        objects,
        dependencies: [dependency('gone', 'app', 'acl', 1)],
        privileges: [
          fact(t, 'gone', 'SELECT', { grantable: true }),
          fact(t, 'lead', 'SELECT', { grantable: true }),
          passedOn('member', ['lead']),
        ],
      }),
    );
    expect(planned(operations)).toEqual([
      {
        type: 'grant_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        withGrantOption: false,
      },
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['lead'],
        grantOptionOnly: true,
        cascade: true,
      },
      { type: 'drop_owned', role: 'gone' },
      { type: 'drop_role', role: 'gone' },
    ]);
  });

  it('grants again in the owner name a kept privilege that only a dropped role backs', () => {
    const dropping = config(
      [configRole('member', { grants: [select()] }), configRole('intern', { grants: [select()] })],
      {
        settings: { unmanagedRoles: 'drop', ignoreRoles: ['owner', 'o', 'lead', 'contractor'] },
      },
    );
    const { operations } = planOf(
      dropping,
      state({
        roles: [...roles, role('gone')],
        objects,
        dependencies: [dependency('gone', 'app', 'acl', 1)],
        privileges: [
          fact(t, 'gone', 'SELECT', { grantable: true }),
          passedOn('member', ['gone']),
          // The owner granted it too: DROP OWNED leaves the owner's entry.
          passedOn('intern', ['gone', 'o']),
        ],
      }),
    );
    expect(planned(operations)).toEqual([
      {
        type: 'grant_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        withGrantOption: false,
      },
      { type: 'drop_owned', role: 'gone' },
      { type: 'drop_role', role: 'gone' },
    ]);
  });

  it('revokes as the grantor under its new name when the plan renames it', () => {
    const { operations } = planOf(
      config([
        configRole('chief', { renamedFrom: 'lead', grants: [select({ withGrantOption: true })] }),
        configRole('member'),
      ]),
      state({
        roles,
        objects,
        privileges: [fact(t, 'lead', 'SELECT', { grantable: true }), passedOn('member', ['lead'])],
      }),
    );
    expect(operations).toContainEqual({
      type: 'revoke_privileges',
      target: onT,
      privileges: ['SELECT'],
      grantees: ['member'],
      grantOptionOnly: false,
      asGrantor: 'chief',
    });
  });
});

describe('diff: a connecting role that is not a superuser', () => {
  const deployer = role('deployer', { attributes: { login: true, createrole: true } });
  const current = (versionNum: number, memberships: ReturnType<typeof membership>[]) =>
    state({
      server: { currentUser: 'deployer', currentUserIsSuperuser: false, versionNum },
      roles: [...roles, deployer],
      memberships: [membership('o', 'deployer', { grantor: 'postgres' }), ...memberships],
      objects,
      privileges: [fact(t, 'lead', 'SELECT', { grantable: true }), passedOn('member', ['lead'])],
    });
  const wanted = config([configRole('member')], { settings: { ignoreRoles: ['o', 'lead'] } });

  it('is a plan error naming the grantor when it cannot SET ROLE to it', () => {
    expect(planProblems(() => planOf(wanted, current(160004, []))).map((p) => p.message)).toEqual([
      'role "lead" passed on privileges the config revokes (revoke SELECT on table "s.t" from "member" as "lead"), and only "lead" can revoke them: the connecting role "deployer" is not a superuser and cannot SET ROLE "lead" (a superuser can allow it: GRANT "lead" TO "deployer")',
    ]);
  });

  it('from 16 needs the SET option on the way to the grantor', () => {
    const noSet = membership('lead', 'deployer', { set: false, inherit: false });
    expect(planProblems(() => planOf(wanted, current(160004, [noSet])))).toHaveLength(1);
    const withSet = membership('lead', 'deployer', { set: true, inherit: false });
    expect(planOf(wanted, current(160004, [withSet])).operations).toHaveLength(1);
  });

  it('before 16 any membership lets it SET ROLE, through a chain of roles too', () => {
    const chain = [
      membership('team', 'deployer', { set: null, inherit: null }),
      membership('lead', 'team', { set: null, inherit: null }),
    ];
    expect(planOf(wanted, current(140012, chain)).operations).toEqual([
      {
        type: 'revoke_privileges',
        target: onT,
        privileges: ['SELECT'],
        grantees: ['member'],
        grantOptionOnly: false,
        asGrantor: 'lead',
      },
    ]);
  });
});

describe('revoking as a grantor: SQL, summary and plan file', () => {
  const asLead: Operation = {
    type: 'revoke_privileges',
    target: onT,
    privileges: ['SELECT', 'INSERT'],
    grantees: ['member'],
    grantOptionOnly: true,
    cascade: true,
    asGrantor: 'le"ad',
  };

  it('renders SET ROLE, the REVOKE, RESET ROLE with the grantor quoted', () => {
    expect(renderOperation(asLead, 140012)).toEqual([
      'SET ROLE "le""ad"',
      'REVOKE GRANT OPTION FOR SELECT, INSERT ON TABLE "s"."t" FROM "member" CASCADE',
      'RESET ROLE',
    ]);
  });

  it('says who revokes and that it cascades', () => {
    expect(summarizeOperation(asLead)).toBe(
      'revoke grant option for SELECT, INSERT on table "s.t" from "member" as "le\\"ad" (cascade to what they passed on)',
    );
  });

  it('round-trips through the plan file, and a grantor edited in the file is refused', () => {
    const plan = buildPlan(state({ roles, objects }), [asLead]);
    const json = JSON.parse(JSON.stringify(planToJson(plan))) as {
      changes: { operation: Record<string, unknown> }[];
    };
    expect(json.changes[0]?.operation).toMatchObject({ as_grantor: 'le"ad', cascade: true });
    expect(planFromJson(json)).toEqual(plan);
    const edited = structuredClone(json);
    (edited.changes[0] as { operation: Record<string, unknown> }).operation.as_grantor = 'o';
    expect(() => planFromJson(edited)).toThrow(/was the plan file edited/);
  });
});
