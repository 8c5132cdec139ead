/**
 * plan and drift load their config while the server reads the catalog's objects (engine.ts
 * planLoading, issue 13): the objects query goes out before the config is parsed. What a user
 * sees must not change: the config's errors come first even when the database cannot be
 * reached, a config error with a reachable database is the same error, and a cluster config
 * is planned in every database even when its `databases` key is spelt with escapes (which
 * the look at the file before connecting cannot see).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { planLoading } from '../../src/engine.js';
import type { Queryable } from '../../src/introspect/queryable.js';
import { runCli } from '../support/cli.js';
import { connected } from '../support/login.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const server = useTestServer();
let dir: string;

async function configFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

beforeAll(async () => {
  dir = await tempDir('while-reading');
  await server.query('CREATE ROLE cwr_reader');
});

describe('the config loaded while the catalog is read', () => {
  it('sends the objects query before the config is parsed, and plans the same', async () => {
    const events: string[] = [];
    const client = await connected(server.url());
    try {
      const recording: Queryable = {
        query: (sql, params) => {
          if (sql.includes('Every object pgward can grant on')) events.push('objects query sent');
          return client.query(sql, params);
        },
      };
      const text = 'version: 1\nroles:\n  cwr_reader: {}\n  cwr_new: {}\n';
      const { plan } = await planLoading(recording, () => {
        events.push('config loaded');
        return parseConfig(text, 'pgward.yaml');
      });
      expect(events).toEqual(['objects query sent', 'config loaded']);
      expect(plan.steps.map((step) => step.summary)).toEqual(['create role "cwr_new"']);
    } finally {
      await client.end();
    }
  });

  it('reports the config errors first when the database cannot be reached', async () => {
    const file = await configFile('bad.yaml', 'version: 1\nroles:\n  cwr_reader: { logn: true }\n');
    for (const command of ['plan', 'drift']) {
      const result = await runCli([
        command,
        '-c',
        file,
        '--db',
        'postgresql://someone@127.0.0.1:1/nowhere',
      ]);
      expect(result.exitCode, command).toBe(1);
      expect(result.stderr, command).toContain('bad.yaml:3');
      expect(result.stderr, command).toContain('logn');
      expect(result.stderr, command).not.toContain('could not connect');
    }
  });

  it('reports a config error the same way when the database is reachable', async () => {
    const file = await configFile(
      'bad2.yaml',
      'version: 1\nroles:\n  cwr_reader: { logn: true }\n',
    );
    const validate = await runCli(['validate', '-c', file]);
    for (const command of ['plan', 'drift']) {
      const result = await runCli([command, '-c', file, '--db', server.url()]);
      expect(result.exitCode, command).toBe(1);
      expect(result.stderr, command).toBe(validate.stderr);
    }
  });

  it('reports the connection failure for a valid config', async () => {
    const file = await configFile('good.yaml', 'version: 1\nroles:\n  cwr_reader: {}\n');
    const result = await runCli([
      'drift',
      '-c',
      file,
      '--db',
      'postgresql://someone@127.0.0.1:1/nowhere',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: could not connect to database "nowhere"/);
  });

  it('plans a cluster config in every database, its databases key written with escapes', async () => {
    const other = await server.createDatabase('cwr_other');
    // "d\u0061tabases" is `databases` to YAML, but not the word the file is searched for.
    const file = await configFile(
      'cluster.yaml',
      `version: 1
settings:
  "d\\u0061tabases": [${server.database}, ${other}]
roles:
  cwr_reader:
    permissions:
      - { type: read, schemas: [public] }
`,
    );
    const result = await runCli(['plan', '--format', 'json', '-c', file, '--db', server.url()]);
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { databases?: string[] };
    expect(plan.databases).toEqual([server.database, other]);
  });
});
