import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, ConfigRole } from '../../src/config/types.js';
import { BUILTIN_PROFILES } from '../../src/config/types.js';
import { takeInventory, renderInventoryText, inventoryToJson } from '../../src/inventory/index.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

function configRole(name: string, permissions: [string, string[]][] = []): ConfigRole {
  return {
    name,
    attributes: {},
    description: null,
    config: {},
    memberOf: [],
    permissions: permissions.map(([type, schemas]) => ({ type, schemas })),
    grants: [],
    defaultPrivileges: [],
  };
}
const config: Config = {
  file: 'pgward.yaml',
  version: 1,
  settings: {
    unmanagedRoles: 'ignore',
    ignoreRoles: [],
    reassignOwnedTo: null,
    objectCreators: null,
  },
  profiles: BUILTIN_PROFILES,
  roles: [
    configRole('reader', [['read', ['data', 'public']]]),
    configRole('editor', [['write', ['data']]]),
    configRole('ghost', [['read', ['data']]]),
  ],
};

let client: pg.Client;
beforeAll(async () => {
  await server.query(`
    CREATE SCHEMA data;
    CREATE TABLE data.orders (id serial PRIMARY KEY, total integer);
    CREATE VIEW data.big_orders AS SELECT * FROM data.orders WHERE total > 100;
    CREATE ROLE reader;
    GRANT USAGE ON SCHEMA data TO reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA data TO reader;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA data TO reader;
    CREATE ROLE editor;
    GRANT USAGE ON SCHEMA data TO editor;
    GRANT INSERT, UPDATE ON data.orders TO editor;
    CREATE ROLE intruder LOGIN;
    GRANT SELECT ON data.orders TO intruder;
    CREATE ROLE lonely LOGIN;
    CREATE ROLE alice LOGIN IN ROLE reader;
  `);
  client = new pg.Client({ connectionString: server.url() });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
});

describe('inventory', () => {
  it('scratch', async () => {
    const inventory = await takeInventory(client, config);
    console.log(JSON.stringify(inventoryToJson(inventory), null, 2));
    console.log(renderInventoryText(inventory, { color: false }));
    expect(inventory).toBeDefined();
  });
});
