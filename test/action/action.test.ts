/**
 * The GitHub Action end to end: its entry point (runAction) with the environment GitHub sets,
 * a real PostgreSQL, the real pgward CLI, and a local server that answers like the GitHub REST
 * API (test/support/github-api.ts). What a team would check: the pull request's one comment,
 * the job summary, the step's outputs and exit code, and that no secret shows anywhere.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/action/comment.js';
import { runCli } from '../support/cli.js';
import { startFakeGitHub, type FakeGitHub } from '../support/github-api.js';
import { useTestServer } from '../support/server.js';
import {
  cleanUp,
  runStep,
  tempDir,
  TOKEN,
  visibleLog,
  type StepOptions,
  type TestEvent,
} from './step.js';

const server = useTestServer();
let github: FakeGitHub;
let workspace: string;

beforeAll(async () => {
  github = await startFakeGitHub('acme/app');
  workspace = tempDir('pgward-workspace-');
});
afterAll(async () => {
  await github.close();
  cleanUp();
});

function pullRequest(number: number, sha: string): TestEvent {
  return { name: 'pull_request', number, headSha: sha.repeat(40 / sha.length) };
}

function step(
  inputs: Record<string, string>,
  event: TestEvent,
  options: Partial<StepOptions> = {},
): ReturnType<typeof runStep> {
  return runStep({ inputs, event, cwd: workspace, apiUrl: github.url, ...options });
}

function writeConfig(path: string, roles: readonly string[]): void {
  writeFileSync(
    join(workspace, path),
    `version: 1\nroles:\n${roles.map((role) => `  ${role}: {}\n`).join('')}`,
  );
}

function commentsOf(issue: number, marker: string): { id: number; body: string }[] {
  return github.comments.filter((c) => c.issue === issue && c.body.startsWith(marker));
}

describe('plan on a pull request', () => {
  it('posts one comment on the first push and updates it in place on the next', async () => {
    // 120 comments from people first: at 50 a page, the action must follow the Link headers
    // to find its own comment on the third page.
    github.pageSize = 50;
    for (let i = 0; i < 120; i++) github.addComment(7, `LGTM ${i}`);
    writeConfig('pgward.yaml', ['ci_first_reader']);
    const marker = commentMarker('plan', '.', 'pgward.yaml');

    const first = await step({ 'database-url': server.url() }, pullRequest(7, 'a'));
    expect(first.exitCode).toBe(0);
    expect(first.outputs.changes).toBe('1');
    expect(first.outputs['exit-code']).toBe('2');
    const [comment] = commentsOf(7, marker);
    expect(commentsOf(7, marker)).toHaveLength(1);
    // The comment is the markdown `pgward plan --format markdown` prints, for the head commit.
    const cli = await runCli(['plan', '--format', 'markdown'], {
      env: { DATABASE_URL: server.url() },
      cwd: workspace,
    });
    expect(comment?.body).toContain(cli.stdout.trim());
    expect(comment?.body).toContain('+ create role "ci_first_reader"');
    expect(comment?.body).toContain('commit aaaaaaa');
    expect(first.summary).toContain(cli.stdout.trim());
    const planJson = JSON.parse(readFileSync(first.outputs['plan-json'] ?? '', 'utf8')) as {
      changes: { kind: string }[];
    };
    expect(planJson.changes.map((change) => change.kind)).toEqual(['create_role']);

    writeConfig('pgward.yaml', ['ci_first_reader', 'ci_second_reader']);
    const requestsBefore = github.requests.length;
    const second = await step({ 'database-url': server.url() }, pullRequest(7, 'b'));
    expect(second.exitCode).toBe(0);
    expect(commentsOf(7, marker)).toHaveLength(1);
    const [updated] = commentsOf(7, marker);
    expect(updated?.id).toBe(comment?.id);
    expect(updated?.body).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expect(updated?.body).toContain('commit bbbbbbb');
    expect(updated?.body).not.toContain('commit aaaaaaa');
    expect(github.comments.filter((c) => c.issue === 7)).toHaveLength(121);
    const calls = github.requests.slice(requestsBefore);
    expect(calls.map((call) => call.method)).toEqual(['GET', 'GET', 'GET', 'PATCH']);
    expect(calls.every((call) => call.authorization === `Bearer ${TOKEN}`)).toBe(true);
    github.pageSize = 100;
  });

  it('keeps one comment per working directory and config', async () => {
    writeConfig('pgward.yaml', ['ci_dir_root']);
    mkdirSync(join(workspace, 'analytics'), { recursive: true });
    writeConfig('analytics/pgward.yaml', ['ci_dir_analytics']);
    await step({ 'database-url': server.url() }, pullRequest(11, 'c'));
    await step(
      { 'database-url': server.url(), 'working-directory': 'analytics' },
      pullRequest(11, 'c'),
    );
    const root = commentsOf(11, commentMarker('plan', '.', 'pgward.yaml'));
    const analytics = commentsOf(11, commentMarker('plan', 'analytics', 'pgward.yaml'));
    expect(root).toHaveLength(1);
    expect(analytics).toHaveLength(1);
    expect(root[0]?.body).toContain('ci_dir_root');
    expect(root[0]?.body).not.toContain('ci_dir_analytics');
    expect(analytics[0]?.body).toContain('ci_dir_analytics');
    expect(analytics[0]?.body).toContain('`pgward.yaml` in `analytics`');
  });

  it('plans against a sandbox loaded with the schema, without a database', async () => {
    writeFileSync(
      join(workspace, 'schema.sql'),
      'CREATE SCHEMA app; CREATE TABLE app.orders (id int);',
    );
    writeFileSync(
      join(workspace, 'sandbox.yaml'),
      'version: 1\nroles:\n  ci_sandbox_reader:\n    grants:\n      - { privileges: [SELECT], object_type: table, objects: [app.orders] }\n',
    );
    const result = await step(
      { 'sandbox-sql': 'schema.sql', config: 'sandbox.yaml' },
      pullRequest(12, 'd'),
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs.changes).toBe('1');
    const [comment] = commentsOf(12, commentMarker('plan', '.', 'sandbox.yaml'));
    expect(comment?.body).toContain('GRANT SELECT ON TABLE "app"."orders" TO "ci_sandbox_reader";');
    expect(comment?.body).toContain('(sandbox: `schema.sql`)');
  });
});

describe('warnings', () => {
  it('shows each warning once in the log, and in the comment for reviewers', async () => {
    await server.query('CREATE ROLE ci_stray_role');
    writeFileSync(
      join(workspace, 'warned.yaml'),
      'version: 1\nsettings: { unmanaged_roles: report }\nroles:\n  ci_warned_role: {}\n',
    );
    const result = await step(
      { config: 'warned.yaml', 'database-url': server.url() },
      pullRequest(14, '3'),
    );
    expect(result.exitCode).toBe(0);
    const warning =
      'role "ci_stray_role" exists but is not in the config: unmanaged_roles: report: apply leaves it';
    expect(result.log.split(warning)).toHaveLength(2);
    const [comment] = commentsOf(14, commentMarker('plan', '.', 'warned.yaml'));
    expect(comment?.body).toContain('**Warnings**');
    expect(comment?.body).toContain(warning);
  });
});

describe('apply, then plan', () => {
  it('applies on push, then the plan says there are no changes', async () => {
    writeConfig('applied.yaml', ['ci_applied_role']);
    const requestsBefore = github.requests.length;
    const applied = await step(
      { command: 'apply', config: 'applied.yaml', 'database-url': server.url() },
      { name: 'push' },
    );
    expect(applied.exitCode).toBe(0);
    expect(applied.outputs.changes).toBe('1');
    expect(applied.summary).toContain('Apply complete: 1 added, 0 changed, 0 destroyed.');
    expect(
      await server.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ci_applied_role'"),
    ).toHaveLength(1);
    // A push is not a pull request: nothing is posted.
    expect(github.requests.length).toBe(requestsBefore);

    const planned = await step(
      { config: 'applied.yaml', 'database-url': server.url() },
      pullRequest(8, 'e'),
    );
    expect(planned.exitCode).toBe(0);
    expect(planned.outputs).toMatchObject({ changes: '0', 'exit-code': '0' });
    const [comment] = commentsOf(8, commentMarker('plan', '.', 'applied.yaml'));
    expect(comment?.body).toContain('No changes. The database matches the configuration.');

    const again = await step(
      { command: 'apply', config: 'applied.yaml', 'database-url': server.url() },
      { name: 'push' },
    );
    expect(again.outputs).toMatchObject({ changes: '0', 'exit-code': '0' });
  });
});

describe('apply a saved plan', () => {
  it('applies the reviewed plan file, and refuses it once stale', async () => {
    writeConfig('saved.yaml', ['ci_saved_one']);
    const env = { DATABASE_URL: server.url() };
    const saved = await runCli(['plan', '-c', 'saved.yaml', '--out', 'saved.json'], {
      env,
      cwd: workspace,
    });
    expect(saved.exitCode).toBe(0);
    const applied = await step(
      {
        command: 'apply',
        config: 'saved.yaml',
        'plan-file': 'saved.json',
        'database-url': server.url(),
      },
      { name: 'push' },
    );
    expect(applied.exitCode).toBe(0);
    expect(applied.outputs).toMatchObject({
      changes: '1',
      'plan-json': join(workspace, 'saved.json'),
    });
    expect(
      await server.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ci_saved_one'"),
    ).toHaveLength(1);

    writeConfig('saved.yaml', ['ci_saved_one', 'ci_saved_two']);
    await runCli(['plan', '-c', 'saved.yaml', '--out', 'saved.json'], { env, cwd: workspace });
    await server.query('CREATE ROLE ci_saved_two'); // someone was quicker, by hand
    const stale = await step(
      {
        command: 'apply',
        config: 'saved.yaml',
        'plan-file': 'saved.json',
        'database-url': server.url(),
      },
      { name: 'push' },
    );
    expect(stale.exitCode).toBe(1);
    expect(stale.outputs).toMatchObject({ changes: '0', 'exit-code': '1' });
    expect(stale.log).toMatch(/^::error::pgward apply failed: .*stale/m);
    expect(stale.summary).toContain('### pgward apply failed');
  });
});

describe('errors', () => {
  it('posts an error comment, fails the step, and shows the password nowhere', async () => {
    const password = 'Ci-S3cret-pw-4u';
    await server.query(`CREATE ROLE ci_login LOGIN PASSWORD 'something else'`);
    const url = new URL(server.url());
    url.username = 'ci_login';
    url.password = password;
    writeConfig('error.yaml', ['ci_error_role']);

    const result = await step(
      { config: 'error.yaml', 'database-url': url.toString() },
      pullRequest(9, 'f'),
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ changes: '0', 'exit-code': '1', 'plan-json': '' });
    expect(result.log).toContain('::error::pgward plan failed: could not connect to database');
    const [comment] = commentsOf(9, commentMarker('plan', '.', 'error.yaml'));
    expect(comment?.body).toContain('### pgward plan failed');
    expect(comment?.body).toContain('password authentication failed for user "ci_login"');
    // The runner hides the URL and password from the log (they are masked first) ...
    expect(result.log).toContain(`::add-mask::${password}`);
    // ... and they are in no text the action writes.
    for (const text of [
      comment?.body ?? '',
      visibleLog(result.log),
      result.summary,
      result.outputFile,
    ]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(url.toString());
      expect(text).not.toContain(TOKEN);
    }
  });

  it('scrubs a connection string that pgward or the driver quotes in a message', async () => {
    const secretUrl = 'postgres://deploy:Hunter2-S3cret@db.internal:5432/app';
    writeConfig('scrub.yaml', ['ci_scrub_role']);
    const result = await step(
      { config: 'scrub.yaml', 'database-url': secretUrl },
      pullRequest(10, '1'),
      {
        // A failure whose message quotes the URL, and another URL with a password.
        pgward: () =>
          Promise.resolve({
            exitCode: 1,
            stdout: '',
            stderr: `error: cannot use ${secretUrl}\ndetail: also tried postgresql://admin:Other-Pw@backup/app\n`,
          }),
      },
    );
    expect(result.exitCode).toBe(1);
    const [comment] = commentsOf(10, commentMarker('plan', '.', 'scrub.yaml'));
    expect(comment?.body).toContain('error: cannot use ***');
    expect(comment?.body).toContain('postgresql://admin:***@backup/app');
    for (const text of [comment?.body ?? '', visibleLog(result.log), result.summary]) {
      expect(text).not.toContain('Hunter2-S3cret');
      expect(text).not.toContain('Other-Pw');
    }
  });

  it('still writes the plan to the log, summary and outputs when GitHub refuses the comment', async () => {
    writeConfig('refused.yaml', ['ci_refused_role']);
    const cases = [
      {
        failure: { status: 403, message: 'Resource not accessible by integration' },
        says: 'pull-requests: write',
      },
      {
        failure: {
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' },
        },
        says: 'GitHub API rate limit reached until 00:00 UTC',
      },
      {
        failure: { status: 429, headers: { 'retry-after': '60' } },
        says: 'rate limit reached for 60 s',
      },
      { failure: { status: 404, message: 'Not Found' }, says: 'not found (404)' },
    ];
    for (const { failure, says } of cases) {
      github.failNext('GET', failure);
      const result = await step(
        { config: 'refused.yaml', 'database-url': server.url() },
        pullRequest(13, '2'),
      );
      expect(result.exitCode, says).toBe(1);
      expect(result.log).toMatch(
        new RegExp(
          `^::error::cannot list the comments of #13: .*${says.replace(/[()]/g, '\\$&')}`,
          'm',
        ),
      );
      expect(result.log).toContain('+ create role "ci_refused_role"');
      expect(result.summary).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
      expect(result.outputs).toMatchObject({ changes: '1', 'exit-code': '2' });
    }
    expect(commentsOf(13, commentMarker('plan', '.', 'refused.yaml'))).toHaveLength(0);
  });
});

describe('drift on a schedule', () => {
  it('fails the step on drift, or warns with fail-on-drift: false', async () => {
    writeConfig('drift.yaml', ['ci_drift_role']);
    const applied = await runCli(['apply', '--yes', '-c', 'drift.yaml'], {
      env: { DATABASE_URL: server.url() },
      cwd: workspace,
    });
    expect(applied.exitCode).toBe(0);
    const inputs = { command: 'drift', config: 'drift.yaml', 'database-url': server.url() };
    const requestsBefore = github.requests.length;

    const inSync = await step(inputs, { name: 'schedule' });
    expect(inSync.exitCode, inSync.log).toBe(0);
    expect(inSync.outputs).toMatchObject({ changes: '0', 'exit-code': '0' });
    expect(inSync.summary).toContain('No drift. The database matches the configuration.');

    await server.query('ALTER ROLE ci_drift_role CREATEDB');
    const drifted = await step(inputs, { name: 'schedule' });
    expect(drifted.exitCode).toBe(1);
    expect(drifted.outputs).toMatchObject({ changes: '1', 'exit-code': '2' });
    expect(drifted.log).toContain(
      '::error::pgward drift: the database differs from the configuration',
    );
    expect(drifted.summary).toContain('Drift: 0 to add, 1 to change, 0 to destroy.');
    expect(readFileSync(drifted.outputs.report ?? '', 'utf8')).toBe(drifted.summary);

    const warned = await step({ ...inputs, 'fail-on-drift': 'false' }, { name: 'schedule' });
    expect(warned.exitCode).toBe(0);
    expect(warned.log).toContain(
      '::warning::pgward drift: the database differs from the configuration',
    );
    // A schedule has no pull request: nothing was posted.
    expect(github.requests.length).toBe(requestsBefore);
  });
});

describe('inputs', () => {
  it('refuses an unknown command before running anything', async () => {
    const result = await step({ command: 'destroy' }, { name: 'push' });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('::error::input command is "destroy": use plan, drift, apply');
    expect(result.outputFile).toBe('');
  });
});
