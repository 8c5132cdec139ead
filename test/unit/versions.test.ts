/**
 * Each named version check turns on at the first release of its change, as the release notes
 * say (the comments in src/model/versions.ts link them), and messages name that release.
 */
import { describe, expect, it } from 'vitest';
import {
  firstMajorWith,
  hasMaintainPrivilege,
  hasMembershipGrantors,
  hasMembershipOptions,
  hasParameterPrivileges,
  hasPublicSchemaWithoutCreate,
  needsAdminOptionToManageRoles,
  type VersionFeature,
} from '../../src/model/versions.js';

const CHECKS: readonly [VersionFeature, (versionNum: number) => boolean, number][] = [
  ['parameterPrivileges', hasParameterPrivileges, 15],
  ['publicSchemaWithoutCreate', hasPublicSchemaWithoutCreate, 15],
  ['membershipOptions', hasMembershipOptions, 16],
  ['membershipGrantors', hasMembershipGrantors, 16],
  ['adminOptionToManageRoles', needsAdminOptionToManageRoles, 16],
  ['maintainPrivilege', hasMaintainPrivilege, 17],
];

describe.each(CHECKS)('%s', (feature, has, major) => {
  it(`starts with PostgreSQL ${major}`, () => {
    expect(has((major - 1) * 10000 + 13)).toBe(false);
    expect(has(major * 10000)).toBe(true);
    expect(has(major * 10000 + 4)).toBe(true);
    expect(has(180001)).toBe(true);
    expect(firstMajorWith(feature)).toBe(major);
  });
});
