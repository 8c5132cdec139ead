/**
 * The few GitHub REST calls the action makes — list, create and update the comments of a pull
 * request (pull requests are issues to the comments API) — with Node's built-in fetch. Every
 * failure becomes a GitHubError whose one-line message says what to do about it.
 */
import { GitHubError } from '../errors.js';

export interface IssueComment {
  readonly id: number;
  readonly body: string;
  readonly html_url?: string;
}

export interface GitHubOptions {
  /** `GITHUB_API_URL`: https://api.github.com, or a GitHub Enterprise Server's `/api/v3`. */
  readonly apiUrl: string;
  readonly token: string;
  /** `owner/name`, from `GITHUB_REPOSITORY`. */
  readonly repository: string;
  readonly fetch?: typeof fetch;
}

/** `<https://...?page=2>; rel="next", <...>; rel="last"` → the `next` URL. */
export function nextPageUrl(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** When a rate limit ends, from `x-ratelimit-reset` (epoch seconds) or `retry-after` (seconds). */
function rateLimitReset(headers: Headers): string {
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) {
    return ` until ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`;
  }
  const retryAfter = Number(headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return ` for ${retryAfter} s`;
  return '';
}

/**
 * The message for an answer that is not 2xx. GitHub answers a primary rate limit with 403 and
 * `x-ratelimit-remaining: 0`, a secondary one with 403 or 429 (and `retry-after`); any other
 * 403 is the token's permissions.
 */
function failureMessage(what: string, response: Response, detail: string): string {
  const { status, headers } = response;
  const reason = detail ? ` (GitHub says: ${detail})` : '';
  if (status === 429 || (status === 403 && headers.get('x-ratelimit-remaining') === '0')) {
    return `cannot ${what}: GitHub API rate limit reached${rateLimitReset(headers)}${reason}`;
  }
  if (status === 401) {
    return `cannot ${what}: the GitHub token was refused (401); pass github-token, or leave it to its default \${{ github.token }}${reason}`;
  }
  if (status === 403) {
    return `cannot ${what}: the token may not write pull-request comments (403); give the job "permissions: pull-requests: write" (pull requests from forks only get a read-only token: set comment: false there)${reason}`;
  }
  if (status === 404) {
    return `cannot ${what}: not found (404); the repository or pull request does not exist or the token cannot see it${reason}`;
  }
  return `cannot ${what}: GitHub answered ${status} ${response.statusText}${reason}`;
}

/** GitHub's JSON error body `{ "message": ... }`, or the start of whatever else it sent. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: fall through
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

export class GitHubClient {
  private readonly fetch: typeof fetch;
  private readonly base: URL;

  constructor(private readonly options: GitHubOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.base = new URL(options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
  }

  private url(path: string): URL {
    return new URL(path, this.base);
  }

  private async request(what: string, url: URL, init: RequestInit = {}): Promise<Response> {
    // The token goes only to the API's own origin: a Link header pointing elsewhere is refused.
    if (url.origin !== this.base.origin) {
      throw new GitHubError(`cannot ${what}: GitHub sent a link to another server (${url.origin})`);
    }
    let response: Response;
    try {
      response = await this.fetch(url, {
        ...init,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/json',
          'user-agent': 'pgward-action',
          'x-github-api-version': '2022-11-28',
        },
      });
    } catch (error) {
      const reason = error instanceof Error ? (error.cause ?? error).toString() : String(error);
      throw new GitHubError(
        `cannot ${what}: cannot reach ${this.base.origin}: ${reason}`,
        undefined,
        {
          cause: error,
        },
      );
    }
    if (!response.ok) {
      throw new GitHubError(
        failureMessage(what, response, await errorDetail(response)),
        response.status,
      );
    }
    return response;
  }

  /** Every comment of an issue or pull request, following the `Link: rel="next"` pages. */
  async listComments(issue: number): Promise<IssueComment[]> {
    const what = `list the comments of #${issue}`;
    const comments: IssueComment[] = [];
    let url: URL | undefined = this.url(
      `repos/${this.options.repository}/issues/${issue}/comments?per_page=100`,
    );
    while (url) {
      const response: Response = await this.request(what, url);
      comments.push(...((await response.json()) as IssueComment[]));
      const next = nextPageUrl(response.headers.get('link'));
      url = next === undefined ? undefined : new URL(next);
    }
    return comments;
  }

  async createComment(issue: number, body: string): Promise<IssueComment> {
    const response = await this.request(
      `comment on #${issue}`,
      this.url(`repos/${this.options.repository}/issues/${issue}/comments`),
      { method: 'POST', body: JSON.stringify({ body }) },
    );
    return (await response.json()) as IssueComment;
  }

  async updateComment(id: number, body: string): Promise<IssueComment> {
    const response = await this.request(
      `update comment ${id}`,
      this.url(`repos/${this.options.repository}/issues/comments/${id}`),
      { method: 'PATCH', body: JSON.stringify({ body }) },
    );
    return (await response.json()) as IssueComment;
  }
}
