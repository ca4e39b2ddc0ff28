import { finishTick, readWatermark, syncTables, type EtlContext } from '@wxyc/legacy-etl';
import { emptyCursor, JOB, type FlowsheetCursor } from './cursor.js';
import { importBatch } from './import-batch.js';
import { ENTRY_TABLE, queriesOf, SHOW_TABLE, type LegacyTable } from './legacy-tables.js';

/**
 * One cron tick: shows first, then entries (an entry needs its show). For each table, edits
 * within the recent id window, then new rows by primary key above the cursor (syncTables).
 * Each batch commits with the cursor; last_run is stamped when the whole tick is done.
 */
export async function runIncremental(ctx: EtlContext): Promise<void> {
  const { sql, log } = ctx;
  const started = Date.now();
  const start = (await readWatermark<FlowsheetCursor>(sql, JOB)).cursor ?? emptyCursor();
  let resolved = 0;
  let renamed = 0;
  const table = (key: keyof FlowsheetCursor, legacyTable: LegacyTable) => ({
    key,
    queries: queriesOf(legacyTable),
    importPage: async (rows: Record<string, unknown>[], cursor: FlowsheetCursor) => {
      const r = await importBatch(sql, legacyTable, rows, ctx.bad, cursor);
      resolved += r.resolved;
      renamed += r.renamed;
      return r;
    },
  });
  const { cursor, totals } = await syncTables(ctx, [table('shows', SHOW_TABLE), table('entries', ENTRY_TABLE)], start);
  if (ctx.signal.aborted) return;
  await finishTick(sql, JOB, cursor);

  const s = totals.shows;
  const e = totals.entries;
  log.info(`Resolved dj_name for ${resolved}/${e.inserted} flowsheet entries.`);
  if (renamed > 0) log.info(`Renamed ${renamed} flowsheet entries whose show's DJ name changed.`);
  log.info(
    `tick done in ${Date.now() - started} ms: shows ${s.inserted} new, ${s.updated} updated; ` +
      `entries ${e.inserted} new, ${e.updated} updated (${s.read + e.read} legacy rows read); ` +
      `${ctx.bad.rejectedCount} skipped, ${ctx.bad.repairedCount} repaired; cursor shows ${cursor.shows.maxId}, entries ${cursor.entries.maxId}.`,
  );
}
