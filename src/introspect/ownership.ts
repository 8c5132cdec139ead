/**
 * Per-database ownership facts beyond each object's owner (which objects.sql reads): the
 * sequences whose owner follows their table's.
 */
import { SYSTEM_SCHEMAS } from '../model/privileges.js';
import type { LinkedSequence } from '../model/state.js';
import { loadSql } from './load-sql.js';
import type { Queryable } from './queryable.js';

interface LinkedSequenceRow {
  sequence_schema: string;
  sequence_name: string;
  table_schema: string;
  table_name: string;
}

export async function readLinkedSequences(client: Queryable): Promise<readonly LinkedSequence[]> {
  const { rows } = await client.query<LinkedSequenceRow>(loadSql('linked-sequences'), [
    SYSTEM_SCHEMAS,
  ]);
  return rows.map((row) => ({
    sequence: { kind: 'sequence', schema: row.sequence_schema, name: row.sequence_name },
    table: { kind: 'table', schema: row.table_schema, name: row.table_name },
  }));
}
