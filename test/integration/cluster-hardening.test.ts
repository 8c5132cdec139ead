/**
 * Cluster scope keeps, in every managed database, what one-database runs guarantee: sessions
 * with search_path pinned and in UTC, apply transactions READ COMMITTED whatever a database's
 * default, system objects read when the config names them, findings reported once for the
 * cluster next to the changes' `database`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyCluster } from '../../src/cluster.js';
import { parseConfig } from '../../src/config/load.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { openConnection, openSibling } from '../../src/execute/connection.js';
import { pgward } from '../support/convergence.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const server = useTestServer();

let dir: string;
let shop: string;
let crm: string;

beforeAll(async () => {
  dir = await tempDir('cluster-hardening');
  shop = await server.createDatabase('shop');
  crm = await server.createDatabase('crm');
  // What a session in crm gets unless pgward says otherwise.
  await server.query(`ALTER DATABASE "${crm}" SET search_path = public, pg_catalog`);
  await server.query(`ALTER DATABASE "${crm}" SET default_transaction_isolation = serializable`);
  await server.query(`ALTER DATABASE "${crm}" SET TimeZone = 'Pacific/Kiritimati'`);
});

/** Both databases managed; iso_reader reads public in crm only. */
function isoReaderConfig(): string {
  return `version: 1
settings:
  databases: [${shop}, ${crm}]
roles:
  iso_reader:
    permissions:
      - { type: read, schemas: [public], databases: [${crm}] }
`;
}

async function withClient<T>(database: string, work: (client: pg.Client) => Promise<T>) {
  const client = await openConnection({ url: server.url(database) });
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function show(client: Queryable, setting: string): Promise<string> {
  const { rows } = await client.query<Record<string, string>>(`SHOW ${setting}`);
  return Object.values(rows[0] ?? {})[0] ?? '';
}

describe('connections to the other databases', () => {
  it('get the first connection’s startup options: search_path pinned, UTC', async () => {
    await withClient(shop, async (client) => {
      const sibling = await openSibling(client, crm);
      try {
        // crm's own default is `public, pg_catalog`: the startup option outranks it.
        expect(await show(sibling, 'search_path')).toBe(await show(client, 'search_path'));
        expect(await show(sibling, 'search_path')).toBe('pg_catalog,pg_temp');
        expect(await show(sibling, 'TimeZone')).toBe('UTC');
        expect(await show(sibling, 'jit')).toBe('off');
      } finally {
        await sibling.end();
      }
    });
  });

  it('apply runs each database’s transaction READ COMMITTED with search_path pinned', async () => {
    const config = parseConfig(isoReaderConfig(), 'iso.yaml');
    const file = join(dir, 'iso.yaml');
    await writeFile(file, isoReaderConfig());
    const inventory = () =>
      pgward(['inventory', '--detailed-exitcode', '--db', server.url(shop), '-c', file]);
    // Not yet satisfied in crm: --detailed-exitcode covers every managed database.
    expect((await inventory()).code).toBe(2);
    const seen: Record<string, [string, string]> = {};
    await withClient(shop, async (client) => {
      const result = await applyCluster(client, config, (db) => openSibling(client, db), {
        lockTimeout: '10s',
        beforeExecute: async (session, database) => {
          seen[database ?? '(cluster)'] = [
            await show(session, 'transaction_isolation'),
            await show(session, 'search_path'),
          ];
        },
      });
      expect(result.outcome).toBe('applied');
    });
    expect(seen[crm]).toEqual(['read committed', 'pg_catalog, pg_temp']);
    expect(seen[shop]).toEqual(['read committed', 'pg_catalog, pg_temp']);
    const [row] = await server.query<{ ok: boolean }>(
      "SELECT has_schema_privilege('iso_reader', 'public', 'USAGE') AS ok",
      [],
      crm,
    );
    expect(row?.ok).toBe(true);
    const satisfied = await inventory();
    expect(satisfied.code, satisfied.stderr).toBe(0);
  });
});

describe('system objects and findings per database', () => {
  it('grants on a system function in one database, converges, and reports an unmanaged role once', async () => {
    await server.query('CREATE ROLE intruder REPLICATION');
    const file = join(dir, 'sys.yaml');
    await writeFile(
      file,
      `${isoReaderConfig()}  sys_api:
    login: true
    grants:
      - privileges: [EXECUTE]
        object_type: function
        objects: ["pg_catalog.pg_ls_dir(text)"]
        databases: [${crm}]
`,
    );
    const cli = (...args: string[]) => pgward([...args, '--db', server.url(shop), '-c', file]);
    const canList = async (database: string): Promise<unknown> =>
      (
        await server.query<{ ok: boolean }>(
          "SELECT has_function_privilege('sys_api', 'pg_catalog.pg_ls_dir(text)', 'EXECUTE') AS ok",
          [],
          database,
        )
      )[0]?.ok;

    // The function is read in crm because the config names it (it has no grant yet).
    const plan = await cli('plan', '--format', 'json');
    expect(plan.code, plan.stderr).toBe(0);
    const changes = (
      JSON.parse(plan.stdout) as { changes: { database: string | null; sql: string[] }[] }
    ).changes.map((change) => [change.database, change.sql.join('; ')]);
    expect(changes).toContainEqual([
      crm,
      'GRANT EXECUTE ON FUNCTION "pg_catalog"."pg_ls_dir"(text) TO "sys_api"',
    ]);
    // Found in both databases, reported once.
    expect(plan.stderr.split('role "intruder" has REPLICATION').length - 1).toBe(1);

    const apply = await cli('apply', '--yes');
    expect(apply.code, apply.stderr).toBe(0);
    expect(await canList(crm)).toBe(true);
    expect(await canList(shop)).toBe(false);

    // Converged: no change left; the unmanaged role is still a finding (exit 2).
    const converged = await cli('drift', '--format', 'json');
    expect(converged.code, converged.stderr).toBe(2);
    const clean = JSON.parse(converged.stdout) as {
      changes: unknown[];
      findings: { kind: string; role?: string; fixed_by_apply: boolean }[];
    };
    expect(clean.changes).toEqual([]);
    expect(clean.findings).toEqual([
      expect.objectContaining({
        kind: 'privileged_unmanaged_role',
        role: 'intruder',
        fixed_by_apply: false,
        database: null,
      }),
    ]);

    // A grant taken away by hand in crm: a change in crm and a finding, side by side; and a
    // cluster-wide change (the role's attributes).
    await server.query(
      'REVOKE EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text) FROM sys_api',
      [],
      crm,
    );
    await server.query('ALTER ROLE sys_api CONNECTION LIMIT 3');
    const drift = await cli('drift', '--format', 'json');
    expect(drift.code).toBe(2);
    const json = JSON.parse(drift.stdout) as {
      changes: { database: string | null; summary: string }[];
      findings: {
        kind: string;
        fixed_by_apply: boolean;
        database: string | null;
        summary: string;
      }[];
    };
    expect(json.changes.map((change) => change.database)).toEqual([null, crm]);
    // Every finding says where it is: the change's database, null for the role's.
    expect(
      json.findings.map((finding) => [finding.kind, finding.fixed_by_apply, finding.database]),
    ).toEqual([
      ['role_attributes', true, null],
      ['missing_privilege', true, crm],
      ['privileged_unmanaged_role', false, null],
    ]);
    await server.query('DROP ROLE intruder');
  });
});
