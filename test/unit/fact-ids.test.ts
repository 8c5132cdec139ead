/** FactIds: one id per (column, grantee, privilege), whatever the order facts come in. */
import { describe, expect, it } from 'vitest';
import { FactIds } from '../../src/model/fact-ids.js';
import { PRIVILEGES, type Privilege } from '../../src/model/privileges.js';

describe('FactIds', () => {
  it('gives each (column, grantee, privilege) its own id, and the same one again', () => {
    const ids = new FactIds();
    const facts: [string | undefined, string, Privilege][] = [];
    for (const column of [undefined, 'id', 'e.mail'])
      for (const grantee of ['alice', 'bob', 'Ca rol', 'PUBLIC', ''])
        for (const privilege of PRIVILEGES) facts.push([column, grantee, privilege]);
    const first = facts.map((fact) => ids.of(...fact));
    expect(new Set(first).size).toBe(facts.length);
    // Asked again, in the other order, each gets its first id.
    const again = [...facts].reverse().map((fact) => ids.of(...fact));
    expect(again).toEqual([...first].reverse());
  });
});
