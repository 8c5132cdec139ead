/**
 * Connections as other roles than the test server's superuser: the way a user, or pgward run
 * by a non-superuser, logs in.
 */
import pg from 'pg';
import type { TestServer } from './server.js';

/** The server's URL for a database (default: the test file's own), logged in as another role. */
export function urlAs(
  server: TestServer,
  user: string,
  password: string,
  database?: string,
): string {
  const url = new URL(server.url(database));
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** Opens a connection to `url`. */
export async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * Logs in over TCP as `user` with `password`; resolves to the session user or rejects (a wrong
 * password, a role that cannot log in).
 */
export async function loginAs(server: TestServer, user: string, password: string): Promise<string> {
  const client = new pg.Client({ connectionString: urlAs(server, user, password) });
  try {
    await client.connect();
    const { rows } = await client.query<{ u: string }>('SELECT session_user AS u');
    return rows[0]?.u ?? '';
  } finally {
    await client.end().catch(() => undefined);
  }
}
