/**
 * `pgward inventory` against a real server: the JSON of spec §5 exactly, the text marks, and
 * the effective privileges computed in memory checked against PostgreSQL's own answer
 * (has_schema_privilege / has_table_privilege) for inheritance, NOINHERIT, PUBLIC and the
 * predefined roles.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { takeInventory } from '../../src/inventory/index.js';
import { pgward } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const server = useTestServer();

const CONFIG = `version: 1
roles:
  reader:
    permissions:
      - { type: read, schemas: [data, public] }
  editor:
    permissions:
      - { type: write, schemas: [data] }
  ghost:
    permissions:
      - { type: read, schemas: [data] }
`;

let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = await tempDir('inventory');
  configFile = join(dir, 'pgward.yaml');
  await writeFile(configFile, CONFIG);
  await server.query(`
    CREATE SCHEMA data;
    CREATE TABLE data.orders (id serial PRIMARY KEY, total integer);
    CREATE VIEW data.big_orders AS SELECT * FROM data.orders WHERE total > 100;
    CREATE ROLE reader;
    GRANT USAGE ON SCHEMA data TO reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA data TO reader;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA data TO reader;
    -- editor: INSERT and UPDATE but no DELETE, so write is not satisfied.
    CREATE ROLE editor;
    GRANT USAGE ON SCHEMA data TO editor;
    GRANT INSERT, UPDATE ON data.orders TO editor;
    -- An intruder with a grant of its own on a configured schema.
    CREATE ROLE intruder LOGIN;
    GRANT SELECT ON data.orders TO intruder;
    -- A login role with no access at all.
    CREATE ROLE lonely LOGIN;
    -- A member of a configured role: its access is the config's, so it is listed nowhere.
    CREATE ROLE alice LOGIN IN ROLE reader;
    -- A superuser is never listed.
    CREATE ROLE root SUPERUSER LOGIN;
  `);
});

function cli(args: string[]) {
  return pgward(['inventory', ...args, '--db', server.url(), '-c', configFile]);
}

describe('pgward inventory', () => {
  it('prints the JSON of spec §5', async () => {
    const result = await cli(['--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      missing_roles: ['ghost'],
      configured_roles: [
        {
          name: 'reader',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [
            { schema: 'data', expected: 'read', has_read: true, has_write: false, satisfied: true },
            // USAGE on public comes from PUBLIC; no tables there, so nothing else to hold.
            {
              schema: 'public',
              expected: 'read',
              has_read: true,
              has_write: true,
              satisfied: true,
            },
          ],
        },
        {
          name: 'editor',
          exists: true,
          login: false,
          superuser: false,
          schema_permissions: [
            {
              schema: 'data',
              expected: 'write',
              has_read: false,
              has_write: false,
              satisfied: false,
            },
          ],
        },
        {
          name: 'ghost',
          exists: false,
          login: null,
          superuser: null,
          schema_permissions: [
            {
              schema: 'data',
              expected: 'read',
              has_read: false,
              has_write: false,
              satisfied: false,
            },
          ],
        },
      ],
      unknown_roles: [{ name: 'intruder', schemas: ['data'], login: true }],
      other_login_roles: ['lonely'],
    });
  });

  it('marks ✓ satisfied, ✗ not satisfied and ? unknown in the text form', async () => {
    const result = await cli([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'Configured roles:',
        '  ✓  reader  nologin  data    expects read   has read',
        '  ✓  reader  nologin  public  expects read   has read, write',
        '  ✗  editor  nologin  data    expects write  has neither read nor write',
        '  ✗  ghost                                   role does not exist',
        '',
        'Missing roles:',
        '  ✗  ghost',
        '',
        'Unknown roles (outside the config, with access to configured schemas):',
        '  ?  intruder  data  login',
        '',
        'Other login roles (no access to configured schemas):',
        '  lonely',
        '',
        'Inventory: 3 configured, 1 missing, 1 of 3 schema permissions not satisfied, 1 unknown, 1 other login.',
        '',
      ].join('\n'),
    );
  });

  it('--detailed-exitcode exits 2 while something is ✗, 0 once every role is satisfied', async () => {
    expect((await cli([])).code).toBe(0);
    expect((await cli(['--detailed-exitcode'])).code).toBe(2);
    // Only the missing role: still 2.
    const onlyMissing = join(dir, 'missing-only.yaml');
    await writeFile(
      onlyMissing,
      'version: 1\nroles:\n  reader:\n    permissions:\n      - { type: read, schemas: [data] }\n  ghost: {}\n',
    );
    const missing = await pgward([
      'inventory',
      '--detailed-exitcode',
      '--db',
      server.url(),
      '-c',
      onlyMissing,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('  ✗  ghost');
    const satisfied = join(dir, 'satisfied.yaml');
    await writeFile(
      satisfied,
      'version: 1\nroles:\n  reader:\n    permissions:\n      - { type: read, schemas: [data] }\n  root:\n    superuser: true\n    login: true\n',
    );
    const ok = await pgward([
      'inventory',
      '--detailed-exitcode',
      '--db',
      server.url(),
      '-c',
      satisfied,
    ]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('  ✓  root    login, superuser  ');
  });

  it('exits 1 with a message, not a stack trace, when the config is invalid', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\nroles:\n  reader:\n    permissions: nope\n');
    const result = await pgward(['inventory', '--db', server.url(), '-c', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:4:\d+/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('effective privileges', () => {
  const ROLES = ['direct', 'heir', 'noheir', 'reads_all', 'writes_all', 'nothing', 'owner_of'];

  beforeAll(async () => {
    await server.query(`
      CREATE SCHEMA shop;
      CREATE TABLE shop.items (id integer);
      CREATE TABLE shop.prices (id integer);
      CREATE MATERIALIZED VIEW shop.totals AS SELECT count(*) FROM shop.items;
      CREATE FUNCTION shop.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
      CREATE ROLE direct;
      GRANT USAGE ON SCHEMA shop TO direct;
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA shop TO direct;
      CREATE ROLE heir IN ROLE direct;
      -- NOINHERIT: before 16 the attribute stops inheritance; from 16 it makes the grant's
      -- INHERIT option false. Either way noheir does not use direct's privileges.
      CREATE ROLE noheir NOINHERIT;
      GRANT direct TO noheir;
      CREATE ROLE reads_all IN ROLE pg_read_all_data;
      CREATE ROLE writes_all IN ROLE pg_write_all_data;
      CREATE ROLE nothing;
      CREATE ROLE owner_of;
      ALTER TABLE shop.prices OWNER TO owner_of;
      GRANT USAGE ON SCHEMA shop TO owner_of;
    `);
  });

  it('agrees with has_schema_privilege / has_table_privilege', async () => {
    const config = parseConfig(
      `version: 1\nroles:\n${ROLES.map((r) => `  ${r}:\n    permissions: [{ type: read, schemas: [shop] }]\n`).join('')}`,
      'pgward.yaml',
    );
    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    try {
      const inventory = await takeInventory(client, config);
      const computed = Object.fromEntries(
        inventory.configured_roles.map((role) => {
          const permission = role.schema_permissions[0];
          return [role.name, { has_read: permission?.has_read, has_write: permission?.has_write }];
        }),
      );
      const rows = await server.query<{ name: string; has_read: boolean; has_write: boolean }>(
        `SELECT r.name,
                has_schema_privilege(r.name, 'shop', 'USAGE')
                  AND bool_and(has_table_privilege(r.name, c.oid, 'SELECT')) AS has_read,
                has_schema_privilege(r.name, 'shop', 'USAGE')
                  AND bool_and((has_table_privilege(r.name, c.oid, 'INSERT')
                                AND has_table_privilege(r.name, c.oid, 'UPDATE')
                                AND has_table_privilege(r.name, c.oid, 'DELETE'))
                               -- has_write looks at tables that store rows only.
                               OR c.relkind NOT IN ('r', 'p', 'f')) AS has_write
           FROM unnest($1::text[]) AS r(name)
          CROSS JOIN pg_class AS c
          WHERE c.relnamespace = 'shop'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          GROUP BY r.name`,
        [ROLES],
      );
      const expected = Object.fromEntries(
        rows.map((row) => [row.name, { has_read: row.has_read, has_write: row.has_write }]),
      );
      expect(computed).toEqual(expected);
      // The cases are not all alike: the comparison would catch a wrong rule.
      expect(expected).toMatchObject({
        direct: { has_read: true, has_write: true },
        heir: { has_read: true, has_write: true },
        noheir: { has_read: false, has_write: false },
        reads_all: { has_read: true, has_write: false },
        writes_all: { has_read: false, has_write: true },
        nothing: { has_read: false, has_write: false },
      });
    } finally {
      await client.end();
    }
  });

  it('reads the catalog in a fixed number of queries, whatever the number of schemas', async () => {
    const count = async (schemas: string[]): Promise<number> => {
      const config = parseConfig(
        `version: 1\nroles:\n  direct:\n    permissions: [{ type: read, schemas: [${schemas.join(', ')}] }]\n`,
        'pgward.yaml',
      );
      const client = new pg.Client({ connectionString: server.url() });
      await client.connect();
      let queries = 0;
      const counting: Queryable = {
        query: (sql, params) => {
          queries++;
          return client.query(sql, params as unknown[]);
        },
      };
      try {
        await takeInventory(counting, config);
      } finally {
        await client.end();
      }
      return queries;
    };
    expect(await count(['shop', 'data', 'public'])).toBe(await count(['shop']));
  });
});
