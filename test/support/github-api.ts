/**
 * A local stand-in for the GitHub REST API's issue comments, on 127.0.0.1: list (paginated,
 * with Link headers, as GitHub pages them), create and update, for the action's tests. A test
 * can make the next answers fail (403, 404, rate limits) and read every request made.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredComment {
  id: number;
  body: string;
  issue: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

export interface Failure {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly message?: string;
}

export interface FakeGitHub {
  /** `GITHUB_API_URL` for the action. */
  readonly url: string;
  readonly repository: string;
  readonly comments: StoredComment[];
  readonly requests: RecordedRequest[];
  /** Comments per page, whatever per_page asks (GitHub caps it at 100). */
  pageSize: number;
  /** Answers for the next requests of a method, in order, instead of doing the work. */
  failNext(method: 'GET' | 'POST' | 'PATCH', failure: Failure): void;
  addComment(issue: number, body: string): StoredComment;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

export async function startFakeGitHub(repository = 'acme/app'): Promise<FakeGitHub> {
  const comments: StoredComment[] = [];
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, Failure[]>();
  let nextId = 1000;
  let base = '';

  const api: FakeGitHub = {
    get url() {
      return base;
    },
    repository,
    comments,
    requests,
    pageSize: 100,
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    addComment(issue, body) {
      const comment = { id: nextId++, body, issue };
      comments.push(comment);
      return comment;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', base);
      const method = request.method ?? 'GET';
      requests.push({
        method,
        path: url.pathname + url.search,
        authorization: request.headers.authorization,
        body,
      });
      const send = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(json));
      };
      const failure = failures.get(method)?.shift();
      if (failure) {
        send(failure.status, { message: failure.message ?? 'failure' }, { ...failure.headers });
        return;
      }
      const view = (comment: StoredComment): object => ({
        id: comment.id,
        body: comment.body,
        html_url: `https://github.com/${repository}/pull/${comment.issue}#issuecomment-${comment.id}`,
      });
      const list = new RegExp(`^/repos/${repository}/issues/(\\d+)/comments$`).exec(url.pathname);
      const one = new RegExp(`^/repos/${repository}/issues/comments/(\\d+)$`).exec(url.pathname);
      if (list && method === 'GET') {
        const issue = Number(list[1]);
        const all = comments.filter((comment) => comment.issue === issue);
        const perPage = Math.min(api.pageSize, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const pages = Math.max(1, Math.ceil(all.length / perPage));
        const links: string[] = [];
        const pageUrl = (n: number): string => {
          const next = new URL(url);
          next.searchParams.set('page', String(n));
          return next.toString();
        };
        if (page < pages)
          links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(pages)}>; rel="last"`);
        send(
          200,
          all.slice((page - 1) * perPage, page * perPage).map(view),
          links.length > 0 ? { link: links.join(', ') } : {},
        );
      } else if (list && method === 'POST') {
        send(
          201,
          view(api.addComment(Number(list[1]), (JSON.parse(body) as { body: string }).body)),
        );
      } else if (one && method === 'PATCH') {
        const comment = comments.find((c) => c.id === Number(one[1]));
        if (!comment) {
          send(404, { message: 'Not Found' });
          return;
        }
        comment.body = (JSON.parse(body) as { body: string }).body;
        send(200, view(comment));
      } else {
        send(404, { message: 'Not Found' });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
