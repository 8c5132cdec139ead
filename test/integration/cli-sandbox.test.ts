/**
 * `--sandbox [SQL_FILE]`: a throwaway PostgreSQL, loaded with the file, used by the command
 * and gone afterwards — in-process, and once from the built bin in a fresh process, as a
 * newcomer runs it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, runCliProcess } from '../support/cli.js';

let dir: string;
let setupSql: string;
let configYaml: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgward-sandbox-'));
  setupSql = join(dir, 'setup.sql');
  await writeFile(
    setupSql,
    `CREATE SCHEMA shop;
CREATE TABLE shop.orders (id int PRIMARY KEY);
CREATE TABLE shop.customers (id int PRIMARY KEY);
`,
  );
  configYaml = join(dir, 'pgward.yaml');
  await writeFile(
    configYaml,
    `version: 1
roles:
  sb_reader:
    grants:
      - { privileges: [USAGE], object_type: schema, objects: [shop] }
      - { privileges: [SELECT], object_type: table, all_in_schemas: [shop] }
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The private socket directory the sandbox announced on stderr. */
function sandboxSocketDir(stderr: string): string {
  const match = /throwaway PostgreSQL \d+(?:\.\d+)* on a private socket in (\S+) \(no TCP\)/.exec(
    stderr,
  );
  expect(match, stderr).not.toBeNull();
  return match?.[1] ?? '';
}

describe('--sandbox', () => {
  it('plans against a throwaway server loaded with the SQL file, then removes it', async () => {
    const result = await runCli([
      'plan',
      '--sandbox',
      setupSql,
      '-c',
      configYaml,
      '--format',
      'json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`set up with ${setupSql}; it is removed afterwards`);
    const plan = JSON.parse(result.stdout) as { changes: { sql: string[] }[] };
    const statements = plan.changes.flatMap((change) => change.sql).join('\n');
    expect(statements).toContain('CREATE ROLE "sb_reader"');
    // The tables come from setup.sql: without them there would be no SELECT to grant.
    expect(statements).toMatch(/GRANT SELECT ON .*"shop"/);
    expect(existsSync(sandboxSocketDir(result.stderr))).toBe(false);
  });

  it('names the line of the SQL file that fails, and still removes the server', async () => {
    const broken = join(dir, 'broken.sql');
    await writeFile(broken, 'CREATE SCHEMA ok;\n\nCREATE TABLE ok.t (id nosuchtype);\n');
    const result = await runCli(['plan', '--sandbox', broken, '-c', configYaml]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: ${broken}:3:\\d+: type "nosuchtype" does not exist \\(while setting up the sandbox\\)\\n`,
      ),
    );
    const missing = await runCli(['plan', '--sandbox', join(dir, 'missing.sql'), '-c', configYaml]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read sandbox SQL file .*missing\.sql/);
  });

  it('works from a fresh process with the built bin: apply, then nothing left behind', async () => {
    ensureBuilt();
    const result = await runCliProcess(['apply', '--sandbox', setupSql, '-c', configYaml, '--yes']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/GRANT SELECT ON .*"shop"/);
    expect(result.stdout).toContain('Apply complete: ');
    expect(existsSync(sandboxSocketDir(result.stderr))).toBe(false);
  }, 240_000);
});
