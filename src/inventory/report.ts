/**
 * The inventory for people (aligned text with ✓ satisfied, ✗ not satisfied, ? unknown role)
 * and for programs (the JSON of spec §5).
 */
import { alignColumns } from '../report/columns.js';
import { painter } from '../report/paint.js';
import { printable } from '../report/terminal.js';
import type { Inventory, SchemaPermissionStatus } from './compute.js';

/**
 * The JSON form: the four fields of spec §5, arrays in the inventory's order; each configured
 * role also has `login` and `superuser` (null when it does not exist).
 */
export function inventoryToJson(inventory: Inventory): object {
  return {
    missing_roles: [...inventory.missing_roles],
    configured_roles: inventory.configured_roles.map((role) => ({
      name: role.name,
      exists: role.exists,
      login: role.login,
      superuser: role.superuser,
      schema_permissions: role.schema_permissions.map((permission) => ({
        schema: permission.schema,
        expected: permission.expected,
        has_read: permission.has_read,
        has_write: permission.has_write,
        satisfied: permission.satisfied,
      })),
    })),
    unknown_roles: inventory.unknown_roles.map((role) => ({
      name: role.name,
      schemas: [...role.schemas],
      login: role.login,
    })),
    other_login_roles: [...inventory.other_login_roles],
  };
}

function held(permission: SchemaPermissionStatus): string {
  if (permission.has_read && permission.has_write) return 'has read, write';
  if (permission.has_read) return 'has read';
  if (permission.has_write) return 'has write';
  return 'has neither read nor write';
}

/** Aligned rows (see columns.ts), indented under their section's heading. */
function table(rows: readonly (readonly string[])[]): string[] {
  return alignColumns(rows).map((line) => `  ${line}`);
}

/**
 * Renders the inventory as text, one section per list, columns aligned.
 *
 * @example
 * renderInventoryText(inventory, { color: false });
 * // Configured roles:
 * //   ✓ reader  nologin  public  expects read  has read
 * //   ✗ ghost                                   role does not exist
 */
export function renderInventoryText(inventory: Inventory, options: { color: boolean }): string {
  const paint = painter(options.color);
  const ok = paint.green('✓');
  const bad = paint.red('✗');
  const unknown = paint.yellow('?');
  const lines: string[] = [];

  lines.push('Configured roles:');
  const configuredRows: string[][] = [];
  for (const role of inventory.configured_roles) {
    if (!role.exists) {
      configuredRows.push([bad, printable(role.name), '', '', '', 'role does not exist']);
      continue;
    }
    const status = `${role.login === true ? 'login' : 'nologin'}${role.superuser === true ? ', superuser' : ''}`;
    if (role.schema_permissions.length === 0) {
      configuredRows.push([
        ok,
        printable(role.name),
        status,
        '',
        '',
        'no schema permissions configured',
      ]);
      continue;
    }
    for (const permission of role.schema_permissions) {
      configuredRows.push([
        permission.satisfied ? ok : bad,
        printable(role.name),
        status,
        printable(permission.schema),
        `expects ${permission.expected}`,
        held(permission),
      ]);
    }
  }
  lines.push(...(configuredRows.length > 0 ? table(configuredRows) : ['  (none)']));

  lines.push('', 'Missing roles:');
  lines.push(
    ...(inventory.missing_roles.length > 0
      ? table(inventory.missing_roles.map((name) => [bad, printable(name)]))
      : ['  (none)']),
  );

  lines.push('', 'Unknown roles (outside the config, with access to configured schemas):');
  lines.push(
    ...(inventory.unknown_roles.length > 0
      ? table(
          inventory.unknown_roles.map((role) => [
            unknown,
            printable(role.name),
            role.schemas.map(printable).join(', '),
            role.login ? 'login' : 'nologin',
          ]),
        )
      : ['  (none)']),
  );

  lines.push('', 'Other login roles (no access to configured schemas):');
  lines.push(
    ...(inventory.other_login_roles.length > 0
      ? inventory.other_login_roles.map((name) => `  ${printable(name)}`)
      : ['  (none)']),
  );

  const permissions = inventory.configured_roles.flatMap((role) =>
    role.exists ? role.schema_permissions : [],
  );
  const unsatisfied = permissions.filter((permission) => !permission.satisfied).length;
  lines.push(
    '',
    `Inventory: ${inventory.configured_roles.length} configured, ` +
      `${inventory.missing_roles.length} missing, ` +
      `${unsatisfied} of ${permissions.length} schema permissions not satisfied, ` +
      `${inventory.unknown_roles.length} unknown, ` +
      `${inventory.other_login_roles.length} other login.`,
  );
  return `${lines.join('\n')}\n`;
}
