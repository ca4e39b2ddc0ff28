import { BadRows } from './bad-rows.js';
import { intCell } from './cells.js';
import type { LegacyRow } from './mysql-source.js';
import { deleteByLegacyId, pgNextId, pgRangeHashes, pgRangeSums, referencedRows } from './mirror-pg.js';
import type { EtlContext } from './run-etl.js';
import { rangeSumsParams } from './legacy-sql.js';
import type { SyncedTable } from './sync-tables.js';
import type { TableCursor } from './table-cursor.js';
import type { SliceAhead } from './verify-ahead.js';
import {
  FANOUT,
  allowedDeletes,
  diffHashes,
  groupSums,
  listWhole,
  pairRanges,
  rangesOf,
  sameSum,
  subWidth,
  tickSlice,
  type BucketPair,
  type RangePairs,
  type IdRange,
  type RangeSum,
  type RowDiff,
} from './verify-plan.js';
import { saveCursor } from './watermark.js';
import type { DeletedRange } from './verify-args.js';
import { retiredAmong, settleRetired } from './retired.js';
import { sourceHash } from './source-hash.js';
import { DUPLICATE_REASON, onePerId } from './duplicates.js';

const LEAF_ROWS = 64;
/** A differing bucket of at most this many rows is listed whole when most of its sub-buckets differ. */
const LIST_ROWS = 4096;
/** Top-level ranges per grouped query in an on-demand pass (a tick's slice is one query). */
const PASS_SPAN_RANGES = 64;

export interface VerifyOptions {
  /** Legacy ids (so rows) to checksum at most, from the table's rolling verify cursor (sized to ETL_VERIFY_LAP_TICKS, at least one range); null: one whole pass from id 0. */
  budgetRows: number | null;
  /** Re-import changed and missing rows, delete extra ones (within the rails). */
  repair: boolean;
  /** Log a progress line with an ETA every few seconds (on-demand passes). */
  progress?: boolean;
  /** Whole ranges the operator confirmed as deleted in MySQL (--confirm-deleted): their rows are deleted, not refused. */
  confirmDeleted?: readonly DeletedRange[];
  /** A tick's slices whose first checksums were started ahead (withVerifyAhead), by table key. */
  ahead?: Partial<Record<string, SliceAhead>>;
}

export interface VerifyTotals {
  ranges: number;
  checked: number;
  changed: number;
  missing: number;
  extra: number;
  repaired: number;
  deleted: number;
  /** Extra rows kept: referenced through a foreign key that would delete or block with them. */
  kept: number;
  /** Extra rows not deleted this pass because of the count/share rails. */
  heldBack: number;
  /** PostgreSQL rows of ranges for which MySQL answered empty or short: never taken for deletes. */
  refused: number;
  /** Differing legacy ids retired locally (retireLegacyIds): not re-imported, nor deleted; their record follows MySQL's hash. */
  retired: number;
  /** What came from MySQL: result rows and their JSON size. */
  legacyRows: number;
  legacyBytes: number;
}

const emptyTotals = (): VerifyTotals => ({
  ranges: 0,
  checked: 0,
  changed: 0,
  missing: 0,
  extra: 0,
  repaired: 0,
  deleted: 0,
  kept: 0,
  heldBack: 0,
  refused: 0,
  retired: 0,
  legacyRows: 0,
  legacyBytes: 0,
});

/**
 * Verifies one mirrored table against its legacy source by chunked checksums, each side
 * computing its own: per range of ids, MySQL counts and sums the source hash of its rows
 * (sourceHashSql) and PostgreSQL the source_hash the ETL stored, both grouped by range in one
 * scan of a span of ranges (a tick's whole slice). A differing range is grouped again into
 * sub-ranges until the rows that differ are known, and only those are fetched (and, with
 * `repair`, re-imported through the job's importPage; rows gone from MySQL deleted within the
 * rails). Covers ids up to the table's cursor (newer rows are the tick's).
 */
export async function verifyTable<K extends string, C extends Record<K, TableCursor>>(
  ctx: EtlContext,
  t: SyncedTable<K, C>,
  start: C,
  opts: VerifyOptions,
): Promise<{ cursor: C; totals: VerifyTotals }> {
  const tot = emptyTotals();
  const cmp = comparer(ctx, t, tot);
  const size = ctx.config.verifyRangeIds;
  const tc = start[t.key];
  const ahead = opts.budgetRows === null ? undefined : opts.ahead?.[t.key];
  // A tick: one slice from the rolling cursor (planned when its checksums were started, if they were); on demand: the whole table.
  const plan = opts.budgetRows === null ? null : (ahead ?? tickSlice(tc, opts.budgetRows, ctx.config));
  const spans = plan
    ? [plan.span].filter((r) => r.upTo > r.after)
    : [...rangesOf(0, tc.maxId, PASS_SPAN_RANGES * size)];
  const upTo = plan?.upTo ?? tc.maxId;
  const from = plan?.from ?? 0;
  let cursor = start;
  const extra: number[] = [];
  /** Rows of ranges the operator confirmed as deleted: deleted without the count/share rails. */
  const confirmed: number[] = [];
  const at = (nextId: number): C => ({ ...cursor, [t.key]: { ...cursor[t.key], verify: { nextId } } });
  const began = Date.now();
  let lastProgress = began;

  for (const s of spans) {
    if (ctx.signal.aborted) break;
    // A tick's slice, checksummed whole ahead of the sync: when it agrees, no range of it differs.
    const clean = ahead && s === ahead.span ? await cmp.whole(ahead) : null;
    if (clean) {
      tot.ranges += Math.ceil((s.upTo - s.after) / size);
      tot.checked += clean.n;
    }
    // The top-level query answers per sub-range too: a differing range is narrowed from there.
    const top = clean ? [] : await cmp.ranges(s, size, subWidth(size, FANOUT));
    for (const { pair: b, parts } of top) {
      tot.ranges++;
      tot.checked += b.legacy.n;
      if (sameSum(b.legacy, b.pg)) continue;
      if (b.legacy.n === 0) {
        // Deleted on purpose only where the operator named the range (--confirm-deleted), never automatically.
        const named = confirmedParts(opts.confirmDeleted ?? [], t.queries.table, b.range);
        const gone = (await Promise.all(named.map((r) => pgRangeHashes(ctx.sql, t.mirror!, r))))
          .flat()
          .map(([id]) => id);
        confirmed.push(...gone);
        tot.extra += gone.length;
        if (b.pg.n > gone.length) {
          ctx.log.warn(
            `verify ${t.queries.table}: MySQL answered no rows for ids ${b.range.after + 1}-${b.range.upTo} where ${t.mirror!.table} has ${b.pg.n - gone.length}; not deleting (a whole range gone looks like an outage). ` +
              `If it was deleted on purpose: node dist/job.js --verify --repair --confirm-deleted ${t.queries.table}:FROM-TO (the deleted ids).`,
          );
          tot.refused += b.pg.n - gone.length;
        }
        continue;
      }
      const d = await cmp.diff(b, size, parts);
      tot.changed += d.changed.length;
      tot.missing += d.missing.length;
      tot.extra += d.extra.length;
      extra.push(...d.extra);
      if (opts.repair)
        cursor = await reimport(
          ctx,
          t,
          [...d.changed, ...d.missing].sort((x, y) => x - y),
          plan ? at(b.range.after) : cursor,
          tot,
          cmp.legacy,
        );
    }
    // The next slice starts where rows are (either side), not in the empty space of a gap.
    if (plan) cursor = at(s.upTo >= upTo ? 0 : await cmp.nextStart(s.upTo, upTo));
    if (opts.progress && Date.now() - lastProgress >= 5000) {
      lastProgress = Date.now();
      const done = (s.upTo - from) / Math.max(1, upTo - from);
      const eta = Math.round(((Date.now() - began) / done - (Date.now() - began)) / 1000);
      ctx.log.info(
        `verify ${t.queries.table}: ids up to ${s.upTo} of ${upTo} (${(done * 100).toFixed(1)}%), ${tot.changed + tot.missing + tot.extra} differing so far; ETA ${eta} s`,
      );
    }
  }
  // Rows above the cursor (outliers, TableCursor.outliers): compared by id, every pass.
  if (!ctx.signal.aborted) {
    const d = await cmp.beyond(tc.maxId);
    tot.changed += d.changed.length;
    tot.extra += d.extra.length;
    extra.push(...d.extra);
    if (opts.repair && d.changed.length > 0) cursor = await reimport(ctx, t, d.changed, cursor, tot, cmp.legacy);
  }
  if (opts.repair && extra.length + confirmed.length > 0)
    cursor = await deleteExtra(ctx, t, extra, cursor, tot, confirmed);
  return { cursor, totals: tot };
}

/** A legacy count-and-sum row as a RangeSum (every legacy row has a hash). */
const legacySum = (x: LegacyRow): RangeSum => ({
  n: Number(x.n ?? 0),
  hashed: Number(x.n ?? 0),
  sum: String(x.s ?? '0'),
});

type LegacyFetch = <T extends LegacyRow>(q: string, params: unknown[]) => Promise<T[]>;

/** Both sides' queries for one table, counting what came from MySQL into `tot`. */
function comparer<K extends string, C extends Record<K, TableCursor>>(
  ctx: EtlContext,
  t: SyncedTable<K, C>,
  tot: VerifyTotals,
) {
  const m = t.mirror!;
  const counted = <T extends LegacyRow>(rows: T[]): T[] => {
    tot.legacyRows += rows.length;
    tot.legacyBytes += JSON.stringify(rows).length;
    return rows;
  };
  const legacy: LegacyFetch = async <T extends LegacyRow>(q: string, params: unknown[]) =>
    counted(await ctx.legacy.query<T>(q, params));
  /** Every range of `width` ids of the span with both sides' sums, and its sub-ranges': one grouped query each side, concurrently. */
  const ranges = async (span: IdRange, width: number, sub: number): Promise<RangePairs[]> => {
    const [mine, pg] = await Promise.all([
      legacy(t.queries.rangeSums, rangeSumsParams(span, width, sub)),
      pgRangeSums(ctx.sql, m, span, width, sub),
    ]);
    return pairRanges(span, width, sub, groupSums(mine.map((x) => [Number(x.b), Number(x.sb), legacySum(x)])), pg);
  };
  /** The legacy side's sum of a slice checksummed whole ahead, when both sides agree on it; null when they differ. */
  const whole = async (pre: SliceAhead): Promise<RangeSum | null> => {
    const [[mine], pg] = await Promise.all([pre.legacy.then(counted), pre.pg]);
    const l = legacySum(mine ?? {});
    return sameSum(l, pg) ? l : null;
  };
  /** The (id, hash) lists of a range compared; MySQL answering fewer rows than it counted is no basis for deletes. */
  const rows = async (r: IdRange, l: RangeSum): Promise<RowDiff> => {
    const mine = await legacy<{ id: number; h: number }>(t.queries.rangeHashes, [r.after, r.upTo]);
    const d = diffHashes(
      mine.map((x) => [intCell(x.id as number)!, String(x.h)]),
      await pgRangeHashes(ctx.sql, m, r),
    );
    if (mine.length !== l.n && d.extra.length > 0) {
      tot.refused += d.extra.length;
      d.extra = [];
    }
    return d;
  };
  /** The rows that differ in a differing range of `width` ids, narrowed by sub-ranges (`known`: its sub-ranges' sums, if answered already). */
  const diff = async (b: BucketPair, width: number, known?: BucketPair[]): Promise<RowDiff> => {
    const rowsIn = Math.max(b.legacy.n, b.pg.n);
    if (rowsIn <= LEAF_ROWS || b.range.upTo - b.range.after <= LEAF_ROWS) return rows(b.range, b.legacy);
    const w = subWidth(width, FANOUT);
    const all = known ?? (await ranges(b.range, w, w)).map((x) => x.pair);
    const parts = all.filter((p) => !sameSum(p.legacy, p.pg));
    if (listWhole(parts.length, all.length, rowsIn, LIST_ROWS)) return rows(b.range, b.legacy);
    const out: RowDiff = { changed: [], missing: [], extra: [] };
    for (const p of parts) {
      const d = await diff(p, w);
      out.changed.push(...d.changed);
      out.missing.push(...d.missing);
      out.extra.push(...d.extra);
    }
    return out;
  };
  /** Where the rows go on above `x` on either side: the start of the next slice (0: the lap is done). */
  const nextStart = async (x: number, upTo: number): Promise<number> => {
    const [[mine], theirs] = await Promise.all([legacy(t.queries.nextId, [x]), pgNextId(ctx.sql, m, x)]);
    const next = [intCell(mine?.id as number), theirs].filter((v): v is number => v !== null);
    const at = next.length === 0 ? null : Math.min(...next);
    return at === null || at > upTo ? 0 : Math.max(x, at - 1);
  };
  /** The mirror's rows above the cursor (outliers; a few at most) against MySQL's rows of the same ids. */
  const beyond = async (maxId: number): Promise<RowDiff> => {
    const pg = await pgRangeHashes(ctx.sql, m, { after: maxId, upTo: 2_147_483_647 });
    if (pg.length === 0) return { changed: [], missing: [], extra: [] };
    const mine = await legacy<{ id: number; h: number }>(t.queries.hashesByIds, [pg.map(([id]) => id)]);
    tot.checked += mine.length;
    return diffHashes(
      mine.map((x) => [intCell(x.id as number)!, String(x.h)]),
      pg,
    );
  };
  return { legacy, ranges, whole, diff, nextStart, beyond };
}

/** Fetches these rows from MySQL (PRIMARY lookups) and imports them through the job's own page import. */
async function reimport<K extends string, C extends Record<K, TableCursor>>(
  ctx: EtlContext,
  t: SyncedTable<K, C>,
  ids: number[],
  cursor: C,
  tot: VerifyTotals,
  legacy: LegacyFetch,
): Promise<C> {
  for (let i = 0; i < ids.length; i += ctx.config.batchSize) {
    const read = onePerId(await legacy(t.queries.byIds, [ids.slice(i, i + ctx.config.batchSize)]), t.queries.columns);
    for (const id of read.duplicated) ctx.bad.repair(t.queries.table, id, DUPLICATE_REASON);
    const fetched = read.rows;
    // A retired id is never re-imported: its record takes the legacy hash, so the sums agree again.
    const retired = await retiredAmong(
      ctx.sql,
      t.mirror!.table,
      fetched.map((row) => intCell(row.ID as number)),
    );
    const rows = retired.size === 0 ? fetched : fetched.filter((row) => !retired.has(intCell(row.ID as number)!));
    if (retired.size > 0) {
      await settleRetired(
        ctx.sql,
        t.mirror!.table,
        new Map(
          fetched
            .filter((row) => retired.has(intCell(row.ID as number)!))
            .map((row) => [intCell(row.ID as number)!, sourceHash(t.queries.columns, row)]),
        ),
      );
      tot.retired += retired.size;
    }
    if (rows.length === 0) continue;
    const r = await t.importPage(rows, cursor);
    cursor = r.cursor ?? cursor;
    tot.repaired += r.inserted + r.updated;
  }
  return cursor;
}

/** Deletes rows gone from MySQL, within the rails, keeping referenced ones; logged by legacy id. */
async function deleteExtra<K extends string, C extends Record<K, TableCursor>>(
  ctx: EtlContext,
  t: SyncedTable<K, C>,
  extra: number[],
  cursor: C,
  tot: VerifyTotals,
  confirmed: number[] = [],
): Promise<C> {
  const m = t.mirror!;
  // Retired ids gone from MySQL too: their records stay (the id stays retired), without a hash.
  const retired = await retiredAmong(ctx.sql, m.table, extra);
  if (retired.size > 0) {
    await settleRetired(ctx.sql, m.table, new Map([...retired].map((id) => [id, null])));
    tot.retired += retired.size;
    extra = extra.filter((id) => !retired.has(id));
  }
  const rails = { maxCount: ctx.config.verifyMaxDeletes, maxShare: ctx.config.verifyMaxDeletePct / 100 };
  const allowed = allowedDeletes(extra, tot.checked, rails);
  const { heldBack } = allowed;
  const now = [...allowed.now, ...confirmed];
  if (confirmed.length > 0)
    ctx.log.warn(
      `verify ${t.queries.table}: ${confirmed.length} rows of ${m.table} in ranges confirmed deleted (--confirm-deleted): deleting them.`,
    );
  tot.heldBack += heldBack;
  if (heldBack > 0) {
    ctx.log.warn(
      `verify ${t.queries.table}: ${extra.length} rows of ${m.table} are gone from MySQL; deleting ${now.length} (ETL_VERIFY_MAX_DELETES ${rails.maxCount}, ETL_VERIFY_MAX_DELETE_PCT ${ctx.config.verifyMaxDeletePct}% of ${tot.checked} rows checked), the rest on later passes.`,
    );
  }
  if (now.length === 0) return cursor;
  const { deleted, kept } = await ctx.sql.begin(async (tx) => {
    const refs = await referencedRows(tx, m, now);
    const gone = await deleteByLegacyId(
      tx,
      m,
      now.filter((id) => !refs.has(id)),
    );
    await saveCursor(tx, ctx.job, cursor);
    return { deleted: gone, kept: refs };
  });
  tot.deleted += deleted.length;
  tot.kept += kept.size;
  if (deleted.length > 0)
    ctx.log.warn(
      `verify ${t.queries.table}: deleted ${deleted.length} rows of ${m.table} gone from MySQL (legacy ids ${deleted.join(', ')}).`,
    );
  for (const [table, ids] of groupBy(kept)) {
    ctx.log.warn(
      `verify ${t.queries.table}: kept ${ids.length} rows of ${m.table} gone from MySQL: referenced by ${table} (legacy ids ${ids.join(', ')}).`,
    );
  }
  return cursor;
}

/** The parts of `range` inside the ranges confirmed deleted for this legacy table. */
function confirmedParts(ranges: readonly DeletedRange[], table: string, range: IdRange): IdRange[] {
  return ranges
    .filter((r) => r.table === table)
    .map((r) => ({ after: Math.max(range.after, r.from - 1), upTo: Math.min(range.upTo, r.to) }))
    .filter((r) => r.upTo > r.after);
}

function groupBy(m: Map<number, string>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [id, table] of m) out.set(table, [...(out.get(table) ?? []), id]);
  return out;
}

/** One line per table and pass. */
export function verifySummary(table: string, tot: VerifyTotals, unimportable = 0): string {
  return (
    `verify ${table}: ${tot.ranges} ranges, ${tot.checked} rows checked; differing: ${tot.changed} changed, ${tot.missing} missing, ${tot.extra} extra; ` +
    `repaired ${tot.repaired} (${unimportable} still not importable: bad rows), deleted ${tot.deleted}, kept ${tot.kept} (referenced), held back ${tot.heldBack}, refused ${tot.refused} (MySQL answered empty or short)${tot.retired > 0 ? `, ${tot.retired} retired locally (skipped)` : ''}; ` +
    `${tot.legacyRows} rows (${tot.legacyBytes} bytes) from MySQL.`
  );
}

/**
 * Verifies each mirrored table of a job in order (a tick: within ETL_VERIFY_ROWS_PER_TICK per
 * table, repairing; on demand: whole passes), one summary line per table. `tablesOf` builds the
 * job's tables for the context given: in a tick, rows that fail to map again (bad rows already
 * reported when first read) are counted in the summary, not reported again. Returns the cursor
 * with each table's verify position (what finishTick saves after a tick).
 */
export async function verifyTables<K extends string, C extends Record<K, TableCursor>>(
  ctx: EtlContext,
  tablesOf: (ctx: EtlContext) => SyncedTable<K, C>[],
  start: C,
  opts: VerifyOptions,
): Promise<{ cursor: C; totals: Partial<Record<K, VerifyTotals>> }> {
  let cursor = start;
  const totals: Partial<Record<K, VerifyTotals>> = {};
  if (opts.budgetRows === 0) return { cursor, totals };
  const vctx = opts.budgetRows === null ? ctx : { ...ctx, bad: new BadRows() };
  for (const t of tablesOf(vctx)) {
    if (!t.mirror || ctx.signal.aborted) continue;
    const before = vctx.bad.rejectedCount;
    const r = await verifyTable(vctx, t, cursor, opts);
    cursor = r.cursor;
    totals[t.key] = r.totals;
    const quiet = r.totals.changed + r.totals.missing + r.totals.extra + r.totals.refused === 0;
    if (opts.budgetRows === null || !quiet)
      ctx.log.info(verifySummary(t.queries.table, r.totals, vctx.bad.rejectedCount - before));
  }
  return { cursor, totals };
}
