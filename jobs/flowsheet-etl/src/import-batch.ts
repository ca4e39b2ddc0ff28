import type { Sql } from 'postgres';
import { saveCursor, type BadRows } from '@wxyc/legacy-etl';
import { JOB, type FlowsheetCursor } from './cursor.js';
import { ENTRY_TABLE, type LegacyTable } from './legacy-tables.js';
import { mapEntry, mapShow } from './mapping.js';
import { renameShowEntries } from './show-dj-names.js';
import { writeEntries, writeShows } from './write-batch.js';

export interface BatchResult {
  inserted: number;
  updated: number;
  /** Inserted entries written with a dj_name. */
  resolved: number;
  /** Entries of updated shows whose dj_name changed with their show. */
  renamed: number;
}

/**
 * One batch of legacy rows of one table, in one transaction: map, upsert (a new entry carries its
 * dj_name in its INSERT), rename the entries of the shows it updated (names follow their show),
 * and save `cursor` (the cursor moved past the batch; null: leave it).
 * Either all of it commits or none of it does, so the cursor never runs ahead of the data.
 */
export async function importBatch(
  sql: Sql,
  table: LegacyTable,
  rows: Record<string, unknown>[],
  bad: BadRows,
  cursor: FlowsheetCursor | null,
): Promise<BatchResult> {
  const now = Date.now();
  return sql.begin(async (tx) => {
    let resolved = 0;
    let renamed = 0;
    let results;
    if (table === ENTRY_TABLE) {
      ({ results, resolved } = await writeEntries(tx, rows.map((r) => mapEntry(r, bad, now)).filter((e) => e !== null), bad));
    } else {
      results = await writeShows(tx, rows.map((r) => mapShow(r, bad, now)).filter((s) => s !== null));
      // A new show has no entries yet; only an updated one can have entries to rename.
      renamed = await renameShowEntries(tx, results.filter((r) => !r.inserted).map((r) => r.id));
    }
    if (cursor) await saveCursor(tx, JOB, cursor);
    const inserted = results.filter((r) => r.inserted).length;
    return { inserted, updated: results.length - inserted, resolved, renamed };
  }) as Promise<BatchResult>;
}
