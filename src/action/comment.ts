/**
 * The pull-request comment: one per command and config, found again on every push by a hidden
 * marker and updated in place, so a pull request carries the plan of its latest commit and
 * no trail of outdated ones.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { codeBlock } from '../report/markdown.js';

/**
 * GitHub refuses comment bodies over 65,536 characters; the plan is cut well before, and the
 * full plan stays in the job summary and the plan-json file.
 */
export const MAX_COMMENT_LENGTH = 60_000;

/**
 * Plans with more visible lines than this (the SQL is already folded by the markdown report)
 * are folded under a `<details>`, the headline left out.
 */
export const COLLAPSE_LINES = 40;

/**
 * The hidden marker of a comment: `<!-- pgward:plan:db/pgward.yaml -->`. Keyed by command,
 * working directory and config, so two configs of one repository (or plan and drift) keep a
 * comment each. The key is percent-encoded: a path cannot close the HTML comment early.
 */
export function commentMarker(command: string, workingDirectory: string, config: string): string {
  const path = posix.normalize(posix.join(workingDirectory.replaceAll('\\', '/') || '.', config));
  return `<!-- pgward:${command}:${encodeURIComponent(path).replaceAll('%2F', '/')} -->`;
}

/** A short, stable id of a marker, for file names. */
export function markerId(marker: string): string {
  return createHash('sha256').update(marker).digest('hex').slice(0, 12);
}

/**
 * A long report folded: its first block (the `### pgward plan: database ...` title) and
 * second (the counts) stay visible, the steps go under a `<details>`.
 */
export function collapseLongReport(markdown: string): string {
  const visible = markdown
    .replace(/<details>[\s\S]*?<\/details>/g, '')
    .trimEnd()
    .split('\n');
  if (visible.length <= COLLAPSE_LINES) return markdown;
  const lines = markdown.trimEnd().split('\n');
  const blocks = markdown.trimEnd().split('\n\n');
  const folded = blocks.slice(2).join('\n\n');
  return [
    ...blocks.slice(0, 2),
    `<details>\n<summary>Show the plan (${lines.length} lines)</summary>\n\n${folded}\n\n</details>`,
  ].join('\n\n');
}

/** A report cut to fit a comment, with a note saying where the rest is. */
function fitted(report: string, room: number): string {
  if (report.length <= room) return report;
  const note =
    '\n\n**The plan is too long for a comment: it was cut here. The job summary and the plan-json output have all of it.**';
  const fence = '\n```';
  let cut = report.slice(0, Math.max(0, room - note.length - fence.length));
  // Close an open code block so the rest of the comment renders as markdown.
  if ((cut.match(/^```/gm)?.length ?? 0) % 2 === 1) cut += fence;
  return `${cut}${note}`;
}

export interface CommentContext {
  readonly marker: string;
  /** Where the report came from: `` `pgward.yaml` in `db/` ``. */
  readonly source: string;
  /** The commit the report is for (`GITHUB_SHA`), and a link to the run. */
  readonly sha?: string;
  readonly runUrl?: string;
}

/** The comment's last line: what, for which commit, and the run that wrote it. */
function footerLine(context: CommentContext): string {
  const parts = [`<sub>${context.source}`];
  if (context.sha) parts.push(`commit ${context.sha.slice(0, 7)}`);
  if (context.runUrl) parts.push(`[workflow run](${context.runUrl})`);
  return `${parts.join(' · ')}</sub>`;
}

/** The whole comment body: marker, report (folded if long, cut if huge), footer. */
export function commentBody(report: string, context: CommentContext): string {
  const head = `${context.marker}\n`;
  const foot = `\n\n${footerLine(context)}\n`;
  // Cut first, then fold: folding a cut report keeps its <details> closed. 200 characters
  // are left for the fold's own tags.
  const room = MAX_COMMENT_LENGTH - head.length - foot.length - 200;
  return `${head}${collapseLongReport(fitted(report.trimEnd(), room)).trimEnd()}${foot}`;
}

/** The report for a failed run: the error (already redacted), in a text block. */
export function errorReport(title: string, message: string): string {
  return `### ${title}\n\n**pgward failed (exit 1).**\n\n${codeBlock('text', message.trimEnd().split('\n'))}\n`;
}

/** The comment that carries `marker`, if one was posted before. */
export function findMarkedComment<C extends { readonly body?: string | null }>(
  comments: readonly C[],
  marker: string,
): C | undefined {
  return comments.find((comment) => comment.body?.startsWith(marker) === true);
}
