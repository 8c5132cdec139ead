/**
 * Globs with characters a RegExp treats specially (`-`, `.`, `[`, …) used to crash plan and
 * export with "internal error: Invalid regular expression". They are literal.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTestServer } from '../support/server.js';
import { tempDir } from '../safety/support.js';

const server = useTestServer();

let dir: string;
beforeAll(async () => {
  dir = await tempDir('globs');
  await server.query(`
    CREATE ROLE "glob-svc-api";
    CREATE ROLE "glob-my-role";
    CREATE ROLE "glob-my_role";
    CREATE ROLE "glob.[x]";
  `);
});

describe('globs with regex characters', () => {
  it('ignore_roles: [glob-svc-*] plans, and protects exactly the roles it matches', async () => {
    const config = join(dir, 'pgward.yaml');
    await writeFile(
      config,
      `version: 1
settings:
  unmanaged_roles: drop
  ignore_roles: ['*', 'glob-svc-*', 'glob.[x]']
roles: {}
`,
    );
    const plan = await runCli(['plan', '-c', config, '--db', server.url()]);
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(0);

    const onlyGlobs = join(dir, 'only-globs.yaml');
    await writeFile(
      onlyGlobs,
      `version: 1
settings:
  unmanaged_roles: report
  ignore_roles: ['glob-svc-*', 'glob.[x]']
roles: {}
`,
    );
    // unmanaged_roles: report makes each unmanaged role that no glob protects a drift finding
    // (stdout, exit 2); the protected ones are never mentioned.
    const drift = await runCli(['drift', '-c', onlyGlobs, '--db', server.url()]);
    const reported = drift.stdout + drift.stderr;
    expect(drift.exitCode, drift.stderr).toBe(2);
    expect(reported).not.toContain('internal error');
    expect(reported).toContain('glob-my-role');
    expect(reported).not.toContain('glob-svc-api');
    expect(reported).not.toContain('glob.[x]');
  });

  it('export --include glob-my-role exports that role only', async () => {
    const result = await runCli(['export', '--include', 'glob-my-role', '--db', server.url()]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('glob-my-role');
    expect(result.stdout).not.toContain('glob-my_role');
    const brackets = await runCli(['export', '--include', 'glob.[x]', '--db', server.url()]);
    expect(brackets.exitCode).toBe(0);
    expect(brackets.stdout).toContain('glob.[x]');
  });
});
