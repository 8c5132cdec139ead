import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/compute.js';
import { inventoryToJson, renderInventoryText } from '../../src/inventory/report.js';

const inventory: Inventory = {
  missing_roles: ['ghost'],
  configured_roles: [
    {
      name: 'reader',
      exists: true,
      login: false,
      superuser: false,
      schema_permissions: [
        { schema: 'data', expected: 'read', has_read: true, has_write: false, satisfied: true },
        { schema: 'public', expected: 'read', has_read: true, has_write: true, satisfied: true },
      ],
    },
    {
      name: 'editor_lausanne',
      exists: true,
      login: true,
      superuser: true,
      schema_permissions: [
        { schema: 'data', expected: 'write', has_read: false, has_write: false, satisfied: false },
      ],
    },
    { name: 'nothing', exists: true, login: true, superuser: false, schema_permissions: [] },
    {
      name: 'ghost',
      exists: false,
      login: null,
      superuser: null,
      schema_permissions: [
        { schema: 'data', expected: 'read', has_read: false, has_write: false, satisfied: false },
      ],
    },
  ],
  unknown_roles: [
    { name: 'intruder', schemas: ['data', 'public'], login: true },
    { name: 'g', schemas: ['data'], login: false },
  ],
  other_login_roles: ['lonely'],
};

describe('renderInventoryText', () => {
  it('marks ✓ satisfied, ✗ not satisfied, ? unknown, in aligned columns', () => {
    expect(renderInventoryText(inventory, { color: false })).toBe(
      [
        'Configured roles:',
        '  ✓  reader           nologin           data    expects read   has read',
        '  ✓  reader           nologin           public  expects read   has read, write',
        '  ✗  editor_lausanne  login, superuser  data    expects write  has neither read nor write',
        '  ✓  nothing          login                                    no schema permissions configured',
        '  ✗  ghost                                                     role does not exist',
        '',
        'Missing roles:',
        '  ✗  ghost',
        '',
        'Unknown roles (outside the config, with access to configured schemas):',
        '  ?  intruder  data, public  login',
        '  ?  g         data          nologin',
        '',
        'Other login roles (no access to configured schemas):',
        '  lonely',
        '',
        'Inventory: 4 configured, 1 missing, 1 of 3 schema permissions not satisfied, 2 unknown, 1 other login.',
        '',
      ].join('\n'),
    );
  });

  it('says (none) for empty sections', () => {
    const text = renderInventoryText(
      { missing_roles: [], configured_roles: [], unknown_roles: [], other_login_roles: [] },
      { color: false },
    );
    expect(text).toBe(
      [
        'Configured roles:',
        '  (none)',
        '',
        'Missing roles:',
        '  (none)',
        '',
        'Unknown roles (outside the config, with access to configured schemas):',
        '  (none)',
        '',
        'Other login roles (no access to configured schemas):',
        '  (none)',
        '',
        'Inventory: 0 configured, 0 missing, 0 of 0 schema permissions not satisfied, 0 unknown, 0 other login.',
        '',
      ].join('\n'),
    );
  });
});

describe('inventoryToJson', () => {
  it('has exactly the four fields of spec §5', () => {
    const json = JSON.parse(JSON.stringify(inventoryToJson(inventory))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'missing_roles',
      'configured_roles',
      'unknown_roles',
      'other_login_roles',
    ]);
    expect(json).toEqual(inventory);
  });
});
