import type { Sql } from 'postgres';
import { intCell, saveCursor, type BadRows } from '@wxyc/legacy-etl';
import { advance, JOB, type FlowsheetCursor } from './cursor.js';
import { ENTRY_TABLE, type LegacyTable } from './legacy-tables.js';
import { mapEntry, mapShow } from './mapping.js';
import { resolveDjNames } from './resolve-dj-names.js';
import { writeEntries, writeShows } from './write-batch.js';

export interface BatchResult {
  cursor: FlowsheetCursor;
  inserted: number;
  updated: number;
  resolved: number;
}

/**
 * One batch of legacy rows of one table, in one transaction: map, upsert, resolve dj_name of
 * the entries it inserted, and move the cursor past the batch. Either all of it commits or
 * none of it does, so the cursor never runs ahead of the data.
 */
export async function importBatch(
  sql: Sql,
  table: LegacyTable,
  rows: Record<string, unknown>[],
  cursor: FlowsheetCursor,
  bad: BadRows,
  opts: { moveCursor: boolean },
): Promise<BatchResult> {
  const isEntry = table === ENTRY_TABLE;
  const now = Date.now();
  return sql.begin(async (tx) => {
    let resolved = 0;
    let results;
    if (isEntry) {
      results = await writeEntries(tx, rows.map((r) => mapEntry(r, bad, now)).filter((e) => e !== null), bad);
      resolved = (await resolveDjNames(tx, results.filter((r) => r.inserted).map((r) => r.id))).resolved;
    } else {
      results = await writeShows(tx, rows.map((r) => mapShow(r, bad, now)).filter((s) => s !== null));
    }
    let next = cursor;
    if (opts.moveCursor) {
      const key = isEntry ? 'entries' : 'shows';
      const moved = advance(
        cursor[key],
        rows.map((r) => intCell(r.ID as number)!),
        rows.map((r) => intCell(r.TIME_LAST_MODIFIED as number)),
        now,
      );
      next = { ...cursor, [key]: moved };
      await saveCursor(tx, JOB, next);
    }
    const inserted = results.filter((r) => r.inserted).length;
    return { cursor: next, inserted, updated: results.length - inserted, resolved };
  }) as Promise<BatchResult>;
}
