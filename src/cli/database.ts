/**
 * The database a command works on: `--sandbox` (a throwaway server), else `--db URL`, else
 * `DATABASE_URL`, else the libpq environment (spec §2, in execute/connection.ts).
 */
import type pg from 'pg';
import { openConnection } from '../execute/connection.js';
import type { CommandContext, GlobalArgs } from './command.js';
import { startSandbox, type Sandbox } from './sandbox.js';

/**
 * Opens the command's connection, runs `work` with it, and closes it (and removes the
 * sandbox, if any) whatever happens.
 *
 * @example
 * return withDatabase(args, context, async (client) => { ... });
 */
export async function withDatabase<T>(
  args: GlobalArgs,
  context: CommandContext,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  let sandbox: Sandbox | undefined;
  try {
    if (args.sandbox !== undefined) {
      const file =
        args.sandbox === '' ? undefined : { path: context.path(args.sandbox), name: args.sandbox };
      sandbox = await startSandbox(file, context.note);
    }
    const client = await openConnection({ url: sandbox?.url ?? args.db, env: context.io.env });
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await sandbox?.stop();
  }
}
