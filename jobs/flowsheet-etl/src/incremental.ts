import { finishTick, pagesById, readWatermark, intCell, type EtlContext } from '@wxyc/legacy-etl';
import { emptyCursor, JOB, type FlowsheetCursor } from './cursor.js';
import { importBatch } from './import-batch.js';
import { editedRowsSql, ENTRY_TABLE, maxIdSql, newRowsSql, SHOW_TABLE, type LegacyTable } from './legacy-tables.js';

type Row = Record<string, unknown>;

interface Totals {
  read: number;
  inserted: number;
  updated: number;
  resolved: number;
}

/**
 * One cron tick: shows first, then entries (an entry needs its show). For each table, new
 * rows by primary key above the cursor, then edits within the recent id window. Each batch
 * commits with the cursor; last_run is stamped when the whole tick is done.
 */
export async function runIncremental(ctx: EtlContext): Promise<void> {
  const { sql, legacy, log } = ctx;
  const started = Date.now();
  let cursor: FlowsheetCursor = (await readWatermark<FlowsheetCursor>(sql, JOB)).cursor ?? emptyCursor();
  // Bound both tables before reading either: every entry up to entryBound was written before
  // the shows were read, so its show is among them. Later entries wait for the next tick.
  const bound = async (t: LegacyTable) => intCell((await legacy.query<{ max_id: number }>(maxIdSql(t)))[0]?.max_id as number) ?? 0;
  const entryBound = await bound(ENTRY_TABLE);
  const showBound = await bound(SHOW_TABLE);

  const totals: Record<LegacyTable, Totals> = {
    [SHOW_TABLE]: { read: 0, inserted: 0, updated: 0, resolved: 0 },
    [ENTRY_TABLE]: { read: 0, inserted: 0, updated: 0, resolved: 0 },
  };
  const run = async (table: LegacyTable, upTo: number) => {
    const key = table === SHOW_TABLE ? 'shows' : 'entries';
    const t = totals[table];
    const pages = async (fetch: (after: number, limit: number) => Promise<Row[]>, startAfter: number, maxRows?: number) => {
      for await (const page of pagesById<Row>({
        startAfter,
        pageSize: ctx.config.batchSize,
        maxRows,
        idOf: (r) => r.ID as number,
        fetch,
        signal: ctx.signal,
      })) {
        const r = await importBatch(sql, table, page, cursor, ctx.bad, { moveCursor: true });
        cursor = r.cursor;
        t.read += page.length;
        t.inserted += r.inserted;
        t.updated += r.updated;
        t.resolved += r.resolved;
      }
    };
    const before = cursor[key];
    // Edits first, against the cursor as it was: rows imported in this tick are current anyway.
    if (before.maxModified !== null && ctx.config.editWindowIds > 0 && before.maxId > 0) {
      const since = before.maxModified;
      await pages(
        (after, limit) => legacy.query(editedRowsSql(table), [after, before.maxId, since, limit]),
        Math.max(0, before.maxId - ctx.config.editWindowIds),
      );
    }
    await pages((after, limit) => legacy.query(newRowsSql(table), [after, upTo, limit]), before.maxId, ctx.config.maxRowsPerTick);
  };

  await run(SHOW_TABLE, showBound);
  if (!ctx.signal.aborted) await run(ENTRY_TABLE, entryBound);
  if (ctx.signal.aborted) return;
  await finishTick(sql, JOB, cursor);

  const s = totals[SHOW_TABLE];
  const e = totals[ENTRY_TABLE];
  log.info(`Resolved dj_name for ${e.resolved}/${e.inserted} flowsheet entries.`);
  log.info(
    `tick done in ${Date.now() - started} ms: shows ${s.inserted} new, ${s.updated} updated; ` +
      `entries ${e.inserted} new, ${e.updated} updated (${s.read + e.read} legacy rows read); ` +
      `${ctx.bad.rejectedCount} skipped, ${ctx.bad.repairedCount} repaired; cursor shows ${cursor.shows.maxId}, entries ${cursor.entries.maxId}.`,
  );
}
