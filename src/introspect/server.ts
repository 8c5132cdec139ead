import type { ServerInfo } from '../model/state.js';
import { loadSql } from './load-sql.js';
import type { Queryable } from './queryable.js';

interface ServerRow {
  version_num: number;
  current_user: string;
  session_user: string;
  current_database: string;
  bootstrap_superuser: string;
  current_user_is_superuser: boolean;
  can_read_passwords: boolean;
}

/** Server version, who we are, and whether stored passwords are readable. */
export async function readServer(client: Queryable): Promise<ServerInfo> {
  const { rows } = await client.query<ServerRow>(loadSql('server'));
  const row = rows[0];
  if (row === undefined) throw new Error('server.sql returned no row');
  return {
    versionNum: row.version_num,
    currentUser: row.current_user,
    sessionUser: row.session_user,
    currentDatabase: row.current_database,
    bootstrapSuperuser: row.bootstrap_superuser,
    currentUserIsSuperuser: row.current_user_is_superuser,
    canReadPasswords: row.can_read_passwords,
  };
}
