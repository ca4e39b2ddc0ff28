import {
  emptyTableCursor,
  finishTick,
  intCell,
  readWatermark,
  saveCursor,
  syncTables,
  verifyTables,
  withVerifyAhead,
  writePage,
  type EtlContext,
  type LegacyRow,
  type SyncedTable,
  type TableCursor,
  type VerifyMode,
} from '@wxyc/legacy-etl';
import { ENTRY_QUERIES, ENTRY_TABLE, FLOWSHEET_MIRROR, SHOW_QUERIES, SHOWS_MIRROR } from './legacy-tables.js';
import { mergeLinks, resolveLinks, type PendingLink } from './links.js';
import { mergePendingEntries } from './pending.js';
import { writeEntryPage, writeShowPage } from './write.js';

export const JOB = 'flowsheet-etl';

/** The JSON kept in wxyc_schema.cronjob_runs.cursor for 'flowsheet-etl'. */
export interface FlowsheetCursor {
  shows: TableCursor;
  entries: TableCursor;
  /** Legacy ids of entries whose show was not imported when they were read: retried each tick. */
  pendingEntries: number[];
  /** Entries imported before their library release or rotation row: linked once it arrives. */
  pendingLinks: PendingLink[];
}

export function emptyCursor(): FlowsheetCursor {
  return { shows: emptyTableCursor(), entries: emptyTableCursor(), pendingEntries: [], pendingLinks: [] };
}

/** A saved cursor, with what older versions of it lack filled in. */
export function cursorOf(saved: Partial<FlowsheetCursor> | null): FlowsheetCursor {
  const empty = emptyCursor();
  return {
    shows: saved?.shows ?? empty.shows,
    entries: saved?.entries ?? empty.entries,
    pendingEntries: saved?.pendingEntries ?? [],
    pendingLinks: saved?.pendingLinks ?? [],
  };
}

/** What a tick did to dj_names: new entries written with a name, entries renamed with their show. */
export interface NameStats {
  resolved: number;
  renamed: number;
}

/** The job's two tables as syncTables and verifyTables take them; `stats` counts what they did to dj_names. */
export function flowsheetTables(
  ctx: EtlContext,
  stats: NameStats,
): SyncedTable<'shows' | 'entries', FlowsheetCursor>[] {
  const { sql, bad } = ctx;
  const now = Date.now();
  return [
    {
      key: 'shows',
      queries: SHOW_QUERIES,
      mirror: SHOWS_MIRROR,
      importPage: (rows, next) =>
        writePage(sql, JOB, next, async (tx) => {
          const r = await writeShowPage(tx, rows, bad, now);
          stats.renamed += r.renamed;
          return r.results;
        }),
    },
    {
      key: 'entries',
      queries: ENTRY_QUERIES,
      mirror: FLOWSHEET_MIRROR,
      importPage: (rows, next) => entryPage(ctx, rows, next, { now, retry: false, stats }),
    },
  ];
}

/** A page of entries with the cursor, one transaction; the entries still waiting for their show (re)join the pending list. */
function entryPage(
  ctx: EtlContext,
  rows: LegacyRow[],
  next: FlowsheetCursor,
  opts: { now: number; retry: boolean; stats: NameStats },
) {
  return writePage(ctx.sql, JOB, next, async (tx) => {
    const r = await writeEntryPage(tx, rows, ctx.bad, opts);
    opts.stats.resolved += r.resolved;
    const ids = rows.map((row) => intCell(row.ID as number)!);
    const merged = mergePendingEntries(next.pendingEntries, ids, r.waiting);
    for (const id of merged.dropped)
      ctx.bad.reject(ENTRY_TABLE, id, 'dropped from the pending entries (list full); a bulk load brings it back');
    return {
      results: r.results,
      cursor: { ...next, pendingEntries: merged.pending, pendingLinks: mergeLinks(next.pendingLinks, ids, r.links) },
    };
  });
}

/**
 * One cron tick: first link entries whose library release or rotation row has arrived since; shows, then entries (an entry needs its show), each synced by primary
 * key (syncTables: recent edits, then new rows); then the pending entries, whose show may have
 * arrived since; then a budgeted slice of the verification pass (slicePlan:
 * per table, repairing; its checksums started before the sync, withVerifyAhead). Each page commits with the cursor; last_run is stamped at the end.
 */
export async function runTick(ctx: EtlContext): Promise<void> {
  const { sql, log, bad } = ctx;
  const started = Date.now();
  let start = cursorOf((await readWatermark<FlowsheetCursor>(sql, JOB)).cursor);
  const linked = await sql.begin(async (tx) => {
    const r = await resolveLinks(tx, start.pendingLinks);
    if (r.pending.length !== start.pendingLinks.length || r.linked > 0) {
      start = { ...start, pendingLinks: r.pending };
      await saveCursor(tx, JOB, start);
    }
    return r.linked;
  });
  const stats: NameStats = { resolved: 0, renamed: 0 };
  const tables = flowsheetTables(ctx, stats);
  // The verification slice's checksums run on their own MySQL connection meanwhile (withVerifyAhead).
  const done = await withVerifyAhead(ctx, tables, start, async (ahead) => {
    const synced = await syncTables(ctx, tables, start);
    if (ctx.signal.aborted) return null;
    const retried = await retryPending(ctx, synced.cursor, (rows, next) =>
      entryPage(ctx, rows, next, { now: Date.now(), retry: true, stats }),
    );
    if (ctx.signal.aborted) return null;
    const verified = await verifyTables<'shows' | 'entries', FlowsheetCursor>(
      ctx,
      (c) => flowsheetTables(c, stats),
      retried.cursor,
      { budgetRows: ctx.config.verifyRowsPerTick, repair: true, ahead },
    );
    return { synced, retried, cursor: verified.cursor };
  });
  if (!done || ctx.signal.aborted) return;
  const { synced, retried, cursor } = done;
  await finishTick(sql, JOB, cursor);

  const s = synced.totals.shows;
  const e = synced.totals.entries;
  log.info(`Resolved dj_name for ${stats.resolved}/${e.inserted + retried.inserted} flowsheet entries.`);
  if (stats.renamed > 0) log.info(`Renamed ${stats.renamed} flowsheet entries whose show's DJ name changed.`);
  log.info(
    `tick done in ${Date.now() - started} ms: shows ${s.inserted} new, ${s.updated} updated; ` +
      `entries ${e.inserted} new, ${e.updated} updated (${s.read + e.read} legacy rows read); ` +
      `${retried.inserted} pending entries imported, ${cursor.pendingEntries.length} waiting for their show; ` +
      `${linked} links made to library/rotation rows imported since, ${cursor.pendingLinks.length} entries waiting for theirs; ` +
      `${bad.rejectedCount} skipped, ${bad.repairedCount} repaired; cursor shows ${cursor.shows.maxId}, entries ${cursor.entries.maxId}.`,
  );
}

/** `--verify [--repair]`: one whole verification pass over shows and entries, with progress; repairs only with `repair`. */
export async function runVerify(ctx: EtlContext, { repair, confirmDeleted }: VerifyMode): Promise<void> {
  const start = cursorOf((await readWatermark<FlowsheetCursor>(ctx.sql, JOB)).cursor);
  await verifyTables<'shows' | 'entries', FlowsheetCursor>(
    ctx,
    (c) => flowsheetTables(c, { resolved: 0, renamed: 0 }),
    start,
    { budgetRows: null, repair, progress: true, confirmDeleted },
  );
}

type EntryPage = (rows: LegacyRow[], next: FlowsheetCursor) => Promise<{ inserted: number; cursor: FlowsheetCursor }>;

/** Re-reads the pending entries by id (PRIMARY lookups, a page at a time) and imports those whose show is there now. */
async function retryPending(
  ctx: EtlContext,
  from: FlowsheetCursor,
  importPage: EntryPage,
): Promise<{ cursor: FlowsheetCursor; inserted: number }> {
  let cursor = from;
  let inserted = 0;
  const ids = [...from.pendingEntries];
  for (let i = 0; i < ids.length && !ctx.signal.aborted; i += ctx.config.batchSize) {
    const chunk = ids.slice(i, i + ctx.config.batchSize);
    const rows = await ctx.legacy.query(ENTRY_QUERIES.byIds, [chunk]);
    // Ids no longer in the legacy table (deleted there) leave the list too.
    const gone = new Set(chunk);
    for (const r of rows) gone.delete(intCell(r.ID as number)!);
    const next = { ...cursor, pendingEntries: cursor.pendingEntries.filter((id) => !gone.has(id)) };
    const r = await importPage(rows, next);
    cursor = r.cursor;
    inserted += r.inserted;
  }
  return { cursor, inserted };
}
