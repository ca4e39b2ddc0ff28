import type { Sql, TransactionSql } from 'postgres';
import { countRows } from '@wxyc/job-runtime';
import { intCell } from './cells.js';
import { pgPrevId, type MirrorSpec } from './mirror-pg.js';
import { SOURCE_CLOCK_SQL, type LegacyQueries } from './legacy-sql.js';
import type { LegacyRow } from './mysql-source.js';
import { pagesById } from './paging.js';
import { DUPLICATE_REASON, onePerId } from './duplicates.js';
import type { EtlContext } from './run-etl.js';
import {
  advance,
  advanceNew,
  newestStamp,
  nextModifiedMark,
  rebaseOutlier,
  type SweepState,
  type TableCursor,
} from './table-cursor.js';
import type { UpsertResult } from './upsert.js';
import { saveCursor } from './watermark.js';

export interface SyncedTable<K extends string, C extends Record<K, TableCursor> = Record<K, TableCursor>> {
  /** This table's key in the job's cursor JSON, e.g. 'entries'. */
  key: K;
  queries: LegacyQueries;
  /** Where its rows are in PostgreSQL: set for tables the verification pass checks (verifyTable). */
  mirror?: MirrorSpec;
  /**
   * Also re-check older rows, below the recent id window, for edits: ETL_SWEEP_IDS ids per tick,
   * in laps over the table. For tables whose old rows change (a release lost years after it was
   * catalogued); a tick's cost stays bounded by the slice, whatever the table size.
   */
  sweep?: boolean;
  /**
   * Maps and writes one page in ONE transaction and saves `cursor` (the job's whole cursor, this
   * table moved past the page) in that same transaction, so the cursor never runs ahead of the data.
   * A job that keeps more in its cursor may save a changed copy and return it as `cursor`.
   */
  importPage(rows: LegacyRow[], cursor: C): Promise<{ inserted: number; updated: number; cursor?: C }>;
}

export interface TableTotals {
  read: number;
  inserted: number;
  updated: number;
}

/**
 * One incremental tick over the job's tables, in the order given (a table before the tables
 * whose rows refer to it). Per table: rows of the recent id window modified since the cursor,
 * then (sweep tables) a slice of older rows modified since the sweep lap's start, then new rows
 * above the cursor. Every query is a bounded range of the primary key. The caller stamps
 * last_run (finishTick) with the returned cursor unless the run was interrupted.
 */
export async function syncTables<K extends string, C extends Record<K, TableCursor>>(
  ctx: EtlContext,
  tables: SyncedTable<K, C>[],
  start: C,
): Promise<{ cursor: C; totals: Record<K, TableTotals> }> {
  const { legacy, config, signal } = ctx;
  // The source's clock before anything is read: no edit mark may pass it (nextModifiedMark).
  const sourceStart = intCell((await legacy.query(SOURCE_CLOCK_SQL))[0]?.now_ms as number) ?? Date.now();
  // Bound every table before reading any, last table first: a row of a later table up to its
  // bound was written before the earlier tables were bounded, so what it refers to is in them.
  const bounds = new Map<K, number>();
  for (const t of [...tables].reverse()) {
    bounds.set(t.key, intCell((await legacy.query(t.queries.maxId))[0]?.max_id as number) ?? 0);
  }

  let cursor: C = { ...start };
  const totals = {} as Record<K, TableTotals>;
  for (const t of tables) {
    if (signal.aborted) break;
    const tot: TableTotals = { read: 0, inserted: 0, updated: 0 };
    totals[t.key] = tot;
    let newest: number | null = null;
    let scanned = 0;
    const seen: number[] = [];
    const pages = async (
      fetch: (after: number, limit: number) => Promise<LegacyRow[]>,
      startAfter: number,
      opts: { maxRows?: number; sweep?: SweepState; fresh?: boolean } = {},
    ) => {
      for await (const page of pagesById<LegacyRow>({
        startAfter,
        pageSize: config.batchSize,
        maxRows: opts.maxRows,
        idOf,
        fetch,
        signal,
      })) {
        newest = newestStamp(
          newest,
          page.map((r) => intCell(r.TIME_LAST_MODIFIED as number)),
          sourceStart,
        );
        const ids = page.map(idOf);
        if (opts.fresh) {
          scanned += page.length;
          seen.push(...ids);
        }
        const moved = opts.fresh ? advanceNew(cursor[t.key], ids, config.outlierGapIds) : advance(cursor[t.key], ids);
        if (opts.sweep) moved.sweep = { ...opts.sweep, nextId: idOf(page[page.length - 1]!) };
        const next = { ...cursor, [t.key]: moved };
        const { rows, duplicated } = onePerId(page, t.queries.columns);
        for (const id of duplicated) ctx.bad.repair(t.queries.table, id, DUPLICATE_REASON);
        const r = await t.importPage(rows, next);
        cursor = r.cursor ?? next;
        tot.read += page.length;
        tot.inserted += r.inserted;
        tot.updated += r.updated;
        countRows({ read: page.length, written: r.inserted + r.updated });
      }
    };
    const q = t.queries;
    cursor = { ...cursor, [t.key]: await rebased(ctx, q, t.mirror, cursor[t.key]) };
    const before = cursor[t.key];
    const windowLow = Math.max(0, before.maxId - config.editWindowIds);
    // Edits first, against the cursor as it was: rows imported in this tick are current anyway.
    if (before.maxModified !== null && config.editWindowIds > 0 && before.maxId > 0) {
      const since = before.maxModified;
      await pages((after, limit) => legacy.query(q.editedRows, [after, before.maxId, since, limit]), windowLow);
    }
    if (t.sweep && config.sweepIds > 0 && windowLow > 0 && !signal.aborted) {
      const s = before.sweep ?? { nextId: 0, since: null, lapStart: before.maxModified };
      const end = Math.min(s.nextId + config.sweepIds, windowLow);
      const since = s.since;
      await pages(
        since === null
          ? (after, limit) => legacy.query(q.newRows, [after, end, limit])
          : (after, limit) => legacy.query(q.editedRows, [after, end, since, limit]),
        s.nextId,
        { sweep: s },
      );
      if (signal.aborted) break;
      // Slice done. A lap that reached the window ends; the next one re-reads rows modified since
      // this lap began, which covers every edit made behind the sweep during this lap.
      const sweep: SweepState =
        end >= windowLow ? { nextId: 0, since: s.lapStart, lapStart: before.maxModified } : { ...s, nextId: end };
      cursor = { ...cursor, [t.key]: { ...cursor[t.key], sweep } };
    }
    if (signal.aborted) break;
    await pages((after, limit) => legacy.query(q.newRows, [after, bounds.get(t.key)!, limit]), before.maxId, {
      maxRows: config.maxRowsPerTick,
      fresh: true,
    });
    if (signal.aborted) break;
    cursor = {
      ...cursor,
      [t.key]: outliersAfterScan(ctx, q.table, before, cursor[t.key], seen, scanned < config.maxRowsPerTick),
    };
    // The table has been read through: its edit mark moves, at most to the tick's start.
    const maxModified = nextModifiedMark(before.maxModified, newest, sourceStart, config.modifiedOverlapMs);
    cursor = { ...cursor, [t.key]: { ...cursor[t.key], maxModified } };
  }
  return { cursor, totals };
}

const idOf = (r: LegacyRow) => intCell(r.ID as number)!;

/**
 * A cursor pinned on an outlier (saved before outliers were kept apart) goes back to the real
 * ids, logged: to the largest id imported below it (rows that arrived below the outlier since were
 * never imported), or, for a table not mirrored row by row, the largest legacy id below it.
 */
async function rebased(
  ctx: EtlContext,
  q: LegacyQueries,
  mirror: MirrorSpec | undefined,
  c: TableCursor,
): Promise<TableCursor> {
  for (let i = 0; i < 10 && ctx.config.outlierGapIds > 0 && c.maxId > 0; i++) {
    const prev = mirror
      ? await pgPrevId(ctx.sql, mirror, c.maxId)
      : (intCell((await ctx.legacy.query(q.prevId, [c.maxId]))[0]?.id as number) ?? 0);
    const r = rebaseOutlier(c, prev, ctx.config.outlierGapIds);
    if (r === null) break;
    ctx.log.warn(
      `${q.table}: the cursor stood on id ${c.maxId}, ${c.maxId - prev} above the rows before it (an outlier, ETL_OUTLIER_GAP_IDS ${ctx.config.outlierGapIds}); it goes back to ${prev}, so rows below the outlier are imported.`,
    );
    c = r;
  }
  return c;
}

/**
 * After the scan of new rows: outliers it found are logged; when the scan read through to the
 * tick's bound, outliers it did not see are gone from MySQL (verification deletes their rows).
 */
function outliersAfterScan(
  ctx: EtlContext,
  table: string,
  before: TableCursor,
  after: TableCursor,
  seen: number[],
  complete: boolean,
): TableCursor {
  const had = new Set(before.outliers ?? []);
  const found = (after.outliers ?? []).filter((id) => !had.has(id));
  if (found.length > 0) {
    ctx.log.warn(
      `${table}: ids ${found.join(', ')} lie more than ETL_OUTLIER_GAP_IDS (${ctx.config.outlierGapIds}) above the rows before them: imported as outliers; the cursor stays at ${after.maxId}.`,
    );
  }
  if (!complete || !after.outliers?.length) return after;
  const present = new Set(seen);
  const { outliers, ...rest } = after;
  const still = outliers.filter((id) => present.has(id));
  return still.length > 0 ? { ...rest, outliers: still } : rest;
}

/**
 * The usual importPage: `write` maps and upserts the page, then the cursor is saved, all in
 * one transaction. `write` may return a changed cursor (a job that keeps more than table
 * cursors in it); that one is saved and handed back. Counts inserted and updated rows
 * (unchanged rows are neither).
 */
export async function writePage<C>(
  sql: Sql,
  job: string,
  cursor: C,
  write: (tx: TransactionSql) => Promise<UpsertResult[] | { results: UpsertResult[]; cursor: C }>,
): Promise<{ inserted: number; updated: number; cursor: C }> {
  return sql.begin(async (tx) => {
    const out = await write(tx);
    const [results, saved] = Array.isArray(out) ? [out, cursor] : [out.results, out.cursor];
    await saveCursor(tx, job, saved);
    const inserted = results.filter((r) => r.inserted).length;
    return { inserted, updated: results.length - inserted, cursor: saved };
  }) as Promise<{ inserted: number; updated: number; cursor: C }>;
}
