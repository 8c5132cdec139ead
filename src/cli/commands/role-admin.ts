/**
 * What the role administration commands (roles, members, grants, login) share: a library API
 * session on the command's connection, and plain-text tables that cannot be hijacked by a
 * role named with terminal escape sequences.
 */
import type pg from 'pg';
import { Session } from '../../api/session.js';
import { alignColumns } from '../../report/columns.js';
import { printable } from '../../report/terminal.js';
import type { CommandContext, GlobalArgs } from '../command.js';
import { withDatabase } from '../database.js';

/**
 * Runs `work` with a library API session (src/api) on the command's connection: the same
 * functions `connect()` gives programs, so the CLI and the library list and change roles
 * with one implementation.
 */
export async function withSession<T>(
  args: GlobalArgs,
  context: CommandContext,
  work: (session: Session, client: pg.Client) => Promise<T>,
): Promise<T> {
  return withDatabase(args, context, async (client) => {
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return work(new Session(client, Number(rows[0]?.server_version_num)), client);
  });
}

export { printable };

/**
 * Rows as aligned columns (two spaces apart), a header first; no trailing spaces. Widths are
 * terminal columns, so names with accents, CJK characters or emoji line up too.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return alignColumns([header, ...rows]).join('\n');
}

/** Formats for the listing commands. */
export const LIST_FORMATS = ['text', 'json'] as const;

/** JSON as the listing commands print it: 2-space indented. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
