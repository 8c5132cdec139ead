/**
 * Ids of privilege facts among the facts on one object. A fact on the whole object — nearly
 * all of them — gets a number: its grantee's place among the grantees seen so far, times the
 * number of privileges, plus its privilege's place in PRIVILEGES; a column's fact gets a
 * string key. Building a string per fact was the largest self time of resolve and diff, and
 * much of their garbage, with a fact per (object, grantee, privilege) (issue 13).
 */
import { key } from './order.js';
import { PRIVILEGES, privilegePlace, type Privilege } from './privileges.js';

/** One numbering of grantees: ids compare equal only when made by the same FactIds. */
export class FactIds {
  private readonly grantees = new Map<string, number>();

  /** The id of (column, grantee, privilege) on its object. */
  of(column: string | undefined, grantee: string, privilege: Privilege): number | string {
    const place = privilegePlace(privilege);
    if (column !== undefined || place < 0) return key(column, grantee, privilege);
    let granteePlace = this.grantees.get(grantee);
    if (granteePlace === undefined) {
      granteePlace = this.grantees.size;
      this.grantees.set(grantee, granteePlace);
    }
    return granteePlace * PRIVILEGES.length + place;
  }
}
