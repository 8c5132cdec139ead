/**
 * Runs the action's entry point (runAction) as the GitHub runner would run its step: the
 * environment GitHub sets (GITHUB_*, RUNNER_TEMP, INPUT_*), an event file, and the output and
 * summary files read back afterwards. pgward runs in-process (the CLI's run()) unless a test
 * passes another runner.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, type PgwardRunner } from '../../src/action/run.js';
import { runCli } from '../support/cli.js';

export const TOKEN = 'ghs_test_token_0123456789';

/** Every directory a test made here (workspaces, runner temp dirs), removed by cleanUp(). */
const made: string[] = [];

/** A fresh temporary directory, removed by cleanUp(). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes the directories tempDir() made; for afterAll. */
export function cleanUp(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The pull request of a `pull_request` event; `push` and `schedule` have none. */
export type TestEvent =
  | { readonly name: 'pull_request'; readonly number: number; readonly headSha: string }
  | { readonly name: 'push' | 'schedule' };

export interface StepOptions {
  readonly inputs: Readonly<Record<string, string>>;
  readonly event: TestEvent;
  /** The workspace (the step's working directory). */
  readonly cwd: string;
  readonly apiUrl: string;
  readonly repository?: string;
  readonly pgward?: PgwardRunner;
}

export interface StepResult {
  readonly exitCode: number;
  /** Everything the step wrote to stdout, workflow commands included. */
  readonly log: string;
  readonly outputs: Readonly<Record<string, string>>;
  /** The raw $GITHUB_OUTPUT file. */
  readonly outputFile: string;
  readonly summary: string;
}

/**
 * Reads a `$GITHUB_OUTPUT` file as the runner does: `name=value` lines and
 * `name<<DELIMITER` ... `DELIMITER` blocks. Anything else is an error, as it is for the runner.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      if (i >= lines.length) throw new Error(`output ${name}: delimiter ${delimiter} not found`);
      outputs[name] = value.join('\n');
      continue;
    }
    const simple = /^([^=]+)=(.*)$/.exec(line);
    if (!simple) throw new Error(`not an output line: ${line}`);
    outputs[simple[1] ?? ''] = simple[2] ?? '';
  }
  return outputs;
}

export const inProcessPgward: PgwardRunner = (args, options) =>
  runCli(args, { env: { ...options.env }, cwd: options.cwd });

/** The step's environment, as the runner sets it for the action's step. */
export function stepEnv(options: StepOptions, runnerTemp: string): Record<string, string> {
  const eventPath = join(runnerTemp, 'event.json');
  const event =
    options.event.name === 'pull_request'
      ? {
          action: 'synchronize',
          number: options.event.number,
          pull_request: { number: options.event.number, head: { sha: options.event.headSha } },
        }
      : {};
  writeFileSync(eventPath, JSON.stringify(event));
  writeFileSync(join(runnerTemp, 'output'), '');
  writeFileSync(join(runnerTemp, 'summary'), '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: options.repository ?? 'acme/app',
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_RUN_ID: '4242',
    GITHUB_TOKEN: TOKEN,
    GITHUB_OUTPUT: join(runnerTemp, 'output'),
    GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary'),
    RUNNER_TEMP: runnerTemp,
  };
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.toUpperCase().replaceAll('-', '_')}`] = value;
  }
  return env;
}

export function readStepFiles(
  runnerTemp: string,
): Pick<StepResult, 'outputs' | 'outputFile' | 'summary'> {
  const outputFile = readFileSync(join(runnerTemp, 'output'), 'utf8');
  return {
    outputFile,
    outputs: parseOutputFile(outputFile),
    summary: readFileSync(join(runnerTemp, 'summary'), 'utf8'),
  };
}

export async function runStep(options: StepOptions): Promise<StepResult> {
  const runnerTemp = tempDir('pgward-runner-');
  let log = '';
  const exitCode = await runAction({
    env: stepEnv(options, runnerTemp),
    cwd: options.cwd,
    write: (text) => (log += text),
    pgward: options.pgward ?? inProcessPgward,
  });
  return { exitCode, log, ...readStepFiles(runnerTemp) };
}

/** The log without `::add-mask::` lines, which the runner consumes and never shows. */
export function visibleLog(log: string): string {
  return log
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}
