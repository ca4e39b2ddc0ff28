import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { djNameExpression, djNameSource, intArray } from '@wxyc/database';

/** The UPDATE of resolveDjNames, apart so a test can EXPLAIN exactly what runs. */
export function resolveDjNamesQuery(sql: Sql | TransactionSql, entryIds: readonly number[]): PendingQuery<Row[]> {
  const s = sql as Sql;
  return s`
    UPDATE wxyc_schema.flowsheet f
    SET dj_name = ${djNameExpression(s)}
    FROM ${djNameSource(s)}
    WHERE f.id = ANY(${intArray(s, entryIds)}) AND f.dj_name IS NULL
      AND s.id = f.show_id AND ${djNameExpression(s)} IS NOT NULL`;
}

/**
 * Fills flowsheet.dj_name for exactly the given entries (those this tick or batch inserted),
 * with the one shared DJ-name expression. The cost follows the number of ids, never the
 * table: the rows are found by primary key, their shows by primary key. Rows that already
 * have a dj_name, and all other rows, are not touched. An empty list is a no-op.
 */
export async function resolveDjNames(sql: Sql | TransactionSql, entryIds: readonly number[]): Promise<{ resolved: number; requested: number }> {
  if (entryIds.length === 0) return { resolved: 0, requested: 0 };
  const result = await resolveDjNamesQuery(sql, entryIds);
  return { resolved: result.count, requested: entryIds.length };
}
