/**
 * The GitHub Action (action.yml): runs `pgward plan | drift | apply` once, then reports the
 * result where a team looks — the step's log, the job summary, the step's outputs and, on a
 * pull request, one comment updated in place on every push.
 *
 * pgward itself runs as a child process of the `pgward` bin (the runner is passed in), with
 * the database URL in its environment, never on its command line. Plan and drift run with
 * `--format json`; the comment is the same markdown as `pgward plan --format markdown`,
 * rendered from that JSON by the library's renderer, warnings included.
 *
 * Order matters when something fails: the log, the summary and the outputs are written before
 * the comment is posted, so a comment that cannot be posted (rate limit, read-only token)
 * never hides the plan. It still fails the step: a pull request would otherwise show the
 * previous push's comment as if it were current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { planFromJson } from '../plan/planfile.js';
import { driftFromJson } from '../report/drift-json.js';
import type { Plan } from '../model/operations.js';
import { codeBlock, codeSpan, renderPlanMarkdown } from '../report/markdown.js';
import { renderPlanText } from '../report/text.js';
import {
  commentBody,
  commentMarker,
  errorReport,
  findMarkedComment,
  markerId,
  type CommentContext,
} from './comment.js';
import { GitHubClient, GitHubError } from './github.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { Redactor } from './redact.js';
import {
  appendSummary,
  errorCommand,
  maskCommands,
  warningCommand,
  writeOutputs,
} from './workflow-commands.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface PgwardResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pgward ...args` with that environment and working directory. */
export type PgwardRunner = (
  args: readonly string[],
  options: { readonly env: Env; readonly cwd: string },
) => Promise<PgwardResult>;

export interface ActionRuntime {
  /** The step's environment, as the runner sets it (GITHUB_*, RUNNER_TEMP, INPUT_*). */
  readonly env: Env;
  readonly cwd: string;
  /** The step's log (stdout), where workflow commands go too. */
  readonly write: (text: string) => void;
  readonly pgward: PgwardRunner;
  readonly fetch?: typeof fetch;
}

/** What one pgward run produced, ready to report. */
interface Outcome {
  /** pgward's exit code: 0, 2 (changes or drift), 1 (error). */
  readonly exitCode: number;
  readonly changes: boolean;
  /** The markdown report: the plan, the apply's output, or the error. */
  readonly report: string;
  /** The JSON plan file, when there is one. */
  readonly planJson: string;
  /** One line for `::error::` when the run failed. */
  readonly error?: string;
}

/** The pull request a run is for, from the event payload (`GITHUB_EVENT_PATH`). */
interface PullRequest {
  readonly number: number;
  readonly headSha: string | undefined;
}

function pullRequestOf(env: Env): PullRequest | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  let event: {
    pull_request?: { number?: unknown; head?: { sha?: unknown } };
    issue?: { number?: unknown; pull_request?: unknown };
  };
  try {
    event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as typeof event;
  } catch {
    return undefined;
  }
  if (typeof event.pull_request?.number === 'number') {
    const sha = event.pull_request.head?.sha;
    return {
      number: event.pull_request.number,
      headSha: typeof sha === 'string' ? sha : undefined,
    };
  }
  // issue_comment on a pull request ("/plan" bots): the issue is the pull request.
  if (event.issue?.pull_request !== undefined && typeof event.issue.number === 'number') {
    return { number: event.issue.number, headSha: undefined };
  }
  return undefined;
}

function pgwardArgs(inputs: ActionInputs): string[] {
  const common = ['--config', inputs.config, '--no-color'];
  const sandbox = inputs.sandboxSql === undefined ? [] : ['--sandbox', inputs.sandboxSql];
  switch (inputs.command) {
    case 'plan':
      return ['plan', '--format', 'json', '--detailed-exitcode', ...common, ...sandbox];
    case 'drift':
      return ['drift', '--format', 'json', ...common, ...sandbox];
    case 'apply':
      return [
        'apply',
        '--yes',
        ...common,
        ...(inputs.planFile === undefined ? [] : [inputs.planFile]),
      ];
  }
}

/** pgward's environment: the step's, without the GitHub token and the inputs it has no use for. */
function pgwardEnv(env: Env, inputs: ActionInputs): Env {
  const child: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name === 'GITHUB_TOKEN' || name.startsWith('INPUT_')) continue;
    child[name] = value;
  }
  if (inputs.databaseUrl !== undefined) child.DATABASE_URL = inputs.databaseUrl;
  return child;
}

/** `### pgward apply` and pgward's own output, for the summary and the comment. */
function applyReport(stdout: string): string {
  return `### pgward apply\n\n${codeBlock('text', stdout.trimEnd().split('\n'))}\n`;
}

async function runPgward(
  inputs: ActionInputs,
  runtime: ActionRuntime,
  workingDirectory: string,
  files: { readonly planJson: string },
  redactor: Redactor,
): Promise<Outcome> {
  const log = (text: string): void => runtime.write(redactor.redact(text));
  const result = await runtime.pgward(pgwardArgs(inputs), {
    env: pgwardEnv(runtime.env, inputs),
    cwd: workingDirectory,
  });
  // pgward's notes and warnings (stderr) belong in the log whatever happened.
  if (result.stderr.trim() !== '')
    log(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`);
  if (result.exitCode !== 0 && result.exitCode !== 2) {
    const message = result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`;
    const headline = (message.split('\n')[0] ?? '').replace(/^error: /, '');
    return {
      exitCode: result.exitCode,
      changes: false,
      report: errorReport(`pgward ${inputs.command} failed`, message),
      planJson: '',
      error: `pgward ${inputs.command} failed: ${headline}`,
    };
  }
  if (inputs.command === 'apply') {
    log(result.stdout);
    return {
      exitCode: result.exitCode,
      // The CLI's last line after an apply that changed something (cli/commands/apply.ts).
      changes: /^Apply complete: /m.test(result.stdout),
      report: applyReport(result.stdout),
      planJson: inputs.planFile === undefined ? '' : resolve(workingDirectory, inputs.planFile),
    };
  }
  const mode = inputs.command === 'drift' ? 'drift' : 'plan';
  const parsed: unknown = JSON.parse(result.stdout);
  const plan: Plan = mode === 'drift' ? driftFromJson(parsed) : planFromJson(parsed);
  // An artifact like the log: what a step uploads must not hold what the log hides.
  writeFileSync(files.planJson, redactor.redact(result.stdout));
  // Warnings are in the log already (pgward's stderr); the comment keeps them, for reviewers.
  log(renderPlanText({ ...plan, warnings: [] }, { color: false, mode }));
  return {
    exitCode: result.exitCode,
    // pgward's own verdict: plan --detailed-exitcode and drift exit 2 on changes or drift
    // (drift also counts access the config does not account for).
    changes: result.exitCode === 2,
    report: renderPlanMarkdown(plan, { mode }),
    planJson: files.planJson,
  };
}

/** Creates the pull request's pgward comment, or updates the one this config posted before. */
async function upsertComment(
  github: GitHubClient,
  issue: number,
  marker: string,
  body: string,
): Promise<string> {
  const previous = findMarkedComment(await github.listComments(issue), marker);
  const comment = previous
    ? await github.updateComment(previous.id, body)
    : await github.createComment(issue, body);
  return `${previous ? 'Updated' : 'Posted'} the plan comment on #${issue}${comment.html_url ? `: ${comment.html_url}` : ''}`;
}

/**
 * Runs the action and returns the step's exit code: 1 when pgward failed, when `drift` found
 * drift (unless fail-on-drift is false), or when the comment could not be posted; else 0.
 */
export async function runAction(runtime: ActionRuntime): Promise<number> {
  const { env } = runtime;
  const redactor = new Redactor([
    env.INPUT_DATABASE_URL,
    env['INPUT_DATABASE-URL'],
    env.DATABASE_URL,
    env.PGPASSWORD,
    env.GITHUB_TOKEN,
  ]);
  for (const secret of redactor.values) runtime.write(maskCommands(secret));
  const log = (text: string): void => runtime.write(redactor.redact(text));

  let inputs: ActionInputs;
  try {
    inputs = readInputs(env);
  } catch (error) {
    log(errorCommand(error instanceof Error ? error.message : String(error)));
    return 1;
  }

  const workingDirectory = resolve(runtime.cwd, inputs.workingDirectory);
  const marker = commentMarker(inputs.command, inputs.workingDirectory, inputs.config);
  const temp = env.RUNNER_TEMP || tmpdir();
  const files = {
    planJson: join(temp, `pgward-${markerId(marker)}.json`),
    report: join(temp, `pgward-${markerId(marker)}.md`),
  };

  let outcome: Outcome;
  try {
    outcome = await runPgward(inputs, runtime, workingDirectory, files, redactor);
  } catch (error) {
    // pgward could not be started, or printed something that is not a plan.
    const message = error instanceof Error ? error.message : String(error);
    outcome = {
      exitCode: 1,
      changes: false,
      report: errorReport(`pgward ${inputs.command} failed`, message),
      planJson: '',
      error: `pgward ${inputs.command} failed: ${message}`,
    };
  }
  const report = redactor.redact(outcome.report);
  writeFileSync(files.report, report);

  appendSummary(env.GITHUB_STEP_SUMMARY, report);
  writeOutputs(env.GITHUB_OUTPUT, {
    changes: outcome.changes ? '1' : '0',
    'exit-code': String(outcome.exitCode),
    'plan-json': outcome.planJson,
    report: files.report,
  });

  let failed = false;
  if (outcome.error !== undefined) {
    log(errorCommand(outcome.error));
    failed = true;
  } else if (inputs.command === 'drift' && outcome.changes) {
    const message = 'pgward drift: the database differs from the configuration';
    log(inputs.failOnDrift ? errorCommand(message) : warningCommand(message));
    failed = inputs.failOnDrift;
  }

  const pullRequest = pullRequestOf(env);
  const comment = inputs.comment ?? pullRequest !== undefined;
  if (comment && pullRequest === undefined) {
    log(
      warningCommand('comment is true, but this run is not for a pull request: no comment posted'),
    );
  } else if (comment && pullRequest !== undefined) {
    // On pull_request events GITHUB_SHA is a merge commit; the head is what people pushed.
    const sha = pullRequest.headSha ?? env.GITHUB_SHA;
    const context: CommentContext = {
      marker,
      source: [
        codeSpan(inputs.config),
        inputs.workingDirectory === '.' ? '' : ` in ${codeSpan(inputs.workingDirectory)}`,
        inputs.sandboxSql === undefined ? '' : ` (sandbox: ${codeSpan(inputs.sandboxSql)})`,
      ].join(''),
      ...(sha !== undefined && { sha }),
      ...(env.GITHUB_RUN_ID &&
        env.GITHUB_REPOSITORY && {
          runUrl: `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`,
        }),
    };
    try {
      if (!env.GITHUB_TOKEN) {
        throw new GitHubError(
          'cannot comment: no GitHub token; pass github-token, or set comment: false',
        );
      }
      if (!env.GITHUB_REPOSITORY)
        throw new GitHubError('cannot comment: GITHUB_REPOSITORY is not set');
      const github = new GitHubClient({
        apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
        token: env.GITHUB_TOKEN,
        repository: env.GITHUB_REPOSITORY,
        ...(runtime.fetch && { fetch: runtime.fetch }),
      });
      log(
        `${await upsertComment(github, pullRequest.number, marker, commentBody(report, context))}\n`,
      );
    } catch (error) {
      log(errorCommand(error instanceof Error ? error.message : String(error)));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
