import type { Sql, TransactionSql } from 'postgres';
import { djNameExpression, djNameSource, intArray } from '@wxyc/database';

/**
 * Fills flowsheet.dj_name for exactly the given entries (those this tick or batch inserted),
 * with the one shared DJ-name expression. The cost follows the number of ids, never the
 * table: the rows are found by primary key, their shows by primary key. Rows that already
 * have a dj_name, and all other rows, are not touched. An empty list is a no-op.
 */
export async function resolveDjNames(sql: Sql | TransactionSql, entryIds: readonly number[]): Promise<{ resolved: number; requested: number }> {
  if (entryIds.length === 0) return { resolved: 0, requested: 0 };
  const expr = djNameExpression(sql as Sql);
  const result = await sql`
    UPDATE wxyc_schema.flowsheet f
    SET dj_name = ${expr}
    FROM ${djNameSource(sql as Sql)}
    WHERE f.id = ANY(${intArray(sql as Sql, entryIds)}) AND f.dj_name IS NULL
      AND s.id = f.show_id AND ${djNameExpression(sql as Sql)} IS NOT NULL`;
  return { resolved: result.count, requested: entryIds.length };
}
