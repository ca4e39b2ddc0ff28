import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { djNameExpression, djNameSource, intArray } from '@wxyc/database';
import { followMerges } from '@wxyc/legacy-etl';

type Db = Sql | TransactionSql;

export interface ShowName {
  id: number;
  /** What the DJ-name rule gives the show now (NULL: no handle anywhere). */
  djName: string | null;
}

/**
 * Shows by legacy id, each with the name the one DJ-name rule gives it: a new entry is
 * inserted with its name, in the INSERT, instead of being updated right after (a second,
 * non-HOT write of the row and of its search_doc GIN entries).
 */
export async function showsByLegacyId(sql: Db, legacyIds: (number | null)[]): Promise<Map<number, ShowName>> {
  const wanted = [...new Set(legacyIds.filter((id): id is number => id !== null))];
  const s = sql as Sql;
  // A show a merge retired answers with the show that absorbed it (its entries follow it).
  return followMerges(s, 'wxyc_schema.shows', wanted, async (ids) => {
    const rows = await s<{ legacy_id: number; id: number; dj_name: string | null }[]>`
      SELECT s.legacy_show_id AS legacy_id, s.id, ${djNameExpression(s)} AS dj_name
      FROM ${djNameSource(s)} WHERE s.legacy_show_id = ANY(${intArray(s, ids)})`;
    return new Map(rows.map((r) => [r.legacy_id, { id: r.id, djName: r.dj_name }]));
  });
}

/**
 * Names follow their show: gives every entry of these shows the name the rule gives now,
 * writing only the entries whose stored name differs. Run in the transaction that updated the
 * shows. The cost follows the entries of these shows (a few hundred each, found by
 * flowsheet_show_id_idx), never the table. Returns the number of entries rewritten.
 */
export async function renameShowEntries(sql: Db, showIds: readonly number[]): Promise<number> {
  if (showIds.length === 0) return 0;
  return (await renameShowEntriesQuery(sql, showIds)).count;
}

/** The UPDATE of renameShowEntries, apart so a test can EXPLAIN exactly what runs. */
export function renameShowEntriesQuery(sql: Db, showIds: readonly number[]): PendingQuery<Row[]> {
  const s = sql as Sql;
  return s`
    UPDATE wxyc_schema.flowsheet f SET dj_name = ${djNameExpression(s)}
    FROM ${djNameSource(s)}
    WHERE s.id = ANY(${intArray(s, showIds)}) AND f.show_id = s.id
      AND f.dj_name IS DISTINCT FROM ${djNameExpression(s)}`;
}
