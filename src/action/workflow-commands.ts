/**
 * GitHub Actions' side of the runner protocol: workflow commands on stdout (`::error::`,
 * `::add-mask::`) and the files the runner reads after the step (`$GITHUB_OUTPUT`,
 * `$GITHUB_STEP_SUMMARY`). Documented at
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/** Data of a workflow command: `%`, CR and LF are escaped so the message stays one command. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** `::error::message` (an annotation on the run's page); the message may have several lines. */
export function errorCommand(message: string): string {
  return `::error::${escapeData(message)}\n`;
}

/** `::warning::message`. */
export function warningCommand(message: string): string {
  return `::warning::${escapeData(message)}\n`;
}

/**
 * `::add-mask::` lines for a secret: the runner replaces it by `***` in every later log line.
 * The runner masks line by line, so a multi-line secret is masked one line at a time. The
 * command lines themselves are not shown in the log.
 */
export function maskCommands(secret: string): string {
  return secret
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => `::add-mask::${line}\n`)
    .join('');
}

/**
 * One `name<<DELIMITER` block of `$GITHUB_OUTPUT`, the form the runner reads for any value and
 * the only one for a value with line breaks. The delimiter is random and checked to be absent
 * from the value, so a value cannot end its block early and set other outputs.
 */
export function outputBlock(name: string, value: string): string {
  let delimiter = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Appends outputs to the `$GITHUB_OUTPUT` file; without one (run by hand) it does nothing. */
export function writeOutputs(
  file: string | undefined,
  outputs: Readonly<Record<string, string>>,
): void {
  if (!file) return;
  appendFileSync(
    file,
    Object.entries(outputs)
      .map(([name, value]) => outputBlock(name, value))
      .join(''),
  );
}

/** Appends markdown to the job summary (`$GITHUB_STEP_SUMMARY`), if the runner gave one. */
export function appendSummary(file: string | undefined, markdown: string): void {
  if (!file) return;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}
