/**
 * The roles pgward keeps for its own access (resolve/needed-roles.ts): the SET ROLE chain from the
 * session user to the connecting role, and the roles a non-superuser connecting role acts
 * through. The integration side is test/safety/lockout.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { rolesPgwardNeeds } from '../../src/resolve/needed-roles.js';
import {
  at,
  baseRoles,
  config,
  membership,
  planOf,
  planProblems,
  role,
  state,
} from './diff-builders.js';

const roles = [...baseRoles(), ...['deployer', 'mid', 'side', 'other', 'boss'].map((n) => role(n))];

/** Before 16, a non-superuser "mid" that "deployer" logs in as and SET ROLEs to; mid acts through boss. */
const beforeSixteen = state({
  server: {
    sessionUser: 'deployer',
    currentUser: 'mid',
    currentUserIsSuperuser: false,
    versionNum: 150008,
  },
  roles,
  memberships: [
    membership('mid', 'deployer', { inherit: null, set: null }),
    membership('boss', 'mid', { inherit: null, set: null }),
    membership('other', 'deployer', { inherit: null, set: null }),
  ],
});

describe('rolesPgwardNeeds', () => {
  it('keeps only the roles on a chain SET ROLE can follow from the session user (16+: SET rows)', () => {
    const current = state({
      server: { sessionUser: 'deployer', currentUser: 'admin', versionNum: 160004 },
      roles,
      memberships: [
        membership('mid', 'deployer'),
        membership('admin', 'mid'),
        // A group of the session user that does not lead to the connecting role.
        membership('other', 'deployer'),
        // A path without the SET option: SET ROLE cannot follow it.
        membership('side', 'deployer', { set: false }),
        membership('admin', 'side'),
      ],
    });
    const needed = rolesPgwardNeeds(current);
    expect([...needed.keys()].sort()).toEqual(['deployer', 'mid']);
    expect(needed.get('mid')).toEqual({
      why: 'the session user "deployer" becomes the connecting role "admin" (SET ROLE) through it',
      power: false,
    });
  });

  it('before 16 follows every row, and adds what a non-superuser connecting role acts through', () => {
    expect(Object.fromEntries(rolesPgwardNeeds(beforeSixteen))).toEqual({
      deployer: {
        why: 'the session user "deployer" becomes the connecting role "mid" (SET ROLE) through it',
        power: false,
      },
      boss: { why: 'the connecting role "mid" acts through it', power: true },
    });
  });

  it('16+: adds the grantors of the rows on those chains, then of the ADMIN rows they granted with, for those roles only', () => {
    const current = state({
      server: { sessionUser: 'deployer', currentUser: 'admin', versionNum: 160004 },
      roles: [...roles, role('granter'), role('root')],
      memberships: [
        membership('mid', 'deployer'),
        membership('admin', 'mid', { grantor: 'granter' }),
        membership('admin', 'granter', { admin: true, grantor: 'root' }),
        // granter's ADMIN on another role, and a row it granted off the chain: not needed.
        membership('other', 'granter', { admin: true }),
        membership('other', 'side', { grantor: 'granter' }),
      ],
    });
    const needed = rolesPgwardNeeds(current);
    expect([...needed.keys()].sort()).toEqual(['deployer', 'granter', 'mid', 'root']);
    expect(needed.get('granter')).toEqual({
      why: 'it granted the membership of "mid" in "admin", which pgward needs, and dropping it would take that membership with it',
      power: false,
      inRoles: new Set(['admin']),
    });
    expect(needed.get('root')?.inRoles).toEqual(new Set(['admin']));
  });

  it('needs nothing for a superuser that logged in as itself', () => {
    const current = state({ roles, memberships: [membership('mid', 'admin')] });
    expect(rolesPgwardNeeds(current).size).toBe(0);
  });
});

describe('absent: true on a role pgward needs', () => {
  const current = beforeSixteen;
  const retiring = (...names: string[]) => ({
    ...config([]),
    retiredRoles: names.map((name, index) => ({ name, position: at(3 + index, 3) })),
  });

  it('is refused at plan time: a role the connecting role acts through, saying so; the session user, as protected', () => {
    expect(planProblems(() => planOf(retiring('boss'), current)).map((p) => p.message)).toEqual([
      'role "boss" is absent: true but the connecting role "mid" acts through it: pgward does not drop it',
    ]);
    expect(planProblems(() => planOf(retiring('deployer'), current)).map((p) => p.message)).toEqual(
      [
        'role "deployer" is absent: true but protected (session user: pgward logs in as it): pgward never drops it',
      ],
    );
  });

  it('is refused on the SET ROLE chain from the session user to the connecting role', () => {
    const chain = state({
      server: { sessionUser: 'deployer', currentUser: 'admin', versionNum: 160004 },
      roles,
      memberships: [membership('mid', 'deployer'), membership('admin', 'mid')],
    });
    expect(planProblems(() => planOf(retiring('mid'), chain)).map((p) => p.message)).toEqual([
      'role "mid" is absent: true but the session user "deployer" becomes the connecting role "admin" (SET ROLE) through it: pgward does not drop it',
    ]);
  });

  it('drops a retired role pgward does not need', () => {
    expect(planOf(retiring('other'), current).operations.map((op) => op.type)).toContain(
      'drop_role',
    );
  });
});
