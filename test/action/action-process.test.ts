/**
 * The action as the runner starts it: `node dist/action/main.js` (action.yml's last step) in a
 * process of its own, from a fresh build of this checkout (test/support/package-build.ts), with
 * the environment GitHub sets, a real PostgreSQL and the local GitHub API. It runs the `pgward`
 * bin of the same build as a child process.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/action/comment.js';
import { startFakeGitHub, type FakeGitHub } from '../support/github-api.js';
import { buildPackage, type PackageBuild } from '../support/package-build.js';
import { useTestServer } from '../support/server.js';
import { cleanUp, readStepFiles, stepEnv, tempDir, visibleLog } from './step.js';

const server = useTestServer();
let github: FakeGitHub;
let build: PackageBuild;

beforeAll(async () => {
  github = await startFakeGitHub('acme/app');
  build = await buildPackage();
}, 300_000);
afterAll(async () => {
  await github?.close();
  build?.remove();
  cleanUp();
});

function runEntry(
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(build.dir, 'dist', 'action', 'main.js')],
      { env, cwd, timeout: 120_000 },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout });
      },
    );
  });
}

describe('node dist/action/main.js', () => {
  it('plans with the built pgward, comments on the pull request and writes its outputs', async () => {
    const workspace = tempDir('pgward-workspace-');
    writeFileSync(join(workspace, 'pgward.yaml'), 'version: 1\nroles:\n  ci_process_role: {}\n');
    const runnerTemp = tempDir('pgward-runner-');
    const env = stepEnv(
      {
        inputs: { command: 'plan', 'database-url': server.url() },
        event: { name: 'pull_request', number: 21, headSha: '9'.repeat(40) },
        cwd: workspace,
        apiUrl: github.url,
      },
      runnerTemp,
    );

    const { code, stdout } = await runEntry(env, workspace);
    expect(code).toBe(0);
    const { outputs, summary } = readStepFiles(runnerTemp);
    expect(outputs).toMatchObject({ changes: '1', 'exit-code': '2' });
    expect(summary).toContain('+ create role "ci_process_role"');
    expect(stdout).toContain(`::add-mask::${server.url()}`);
    expect(visibleLog(stdout)).not.toContain(new URL(server.url()).password);
    const comments = github.comments.filter((c) =>
      c.body.startsWith(commentMarker('plan', '.', 'pgward.yaml')),
    );
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  });
});
