// The pure logic of verification: how a key range is split, how two hash lists differ, and the
// rails that decide which rows may be deleted.
import type { EtlConfig } from './config.js';
import type { TableCursor } from './table-cursor.js';

/** An id range: ids > after and <= upTo. */
export interface IdRange {
  after: number;
  upTo: number;
}

/** One side's answer for a range: row count, rows with a hash, and the SUM of the hashes (exact, as text). */
export interface RangeSum {
  n: number;
  hashed: number;
  sum: string;
}

export const sameSum = (legacy: RangeSum, pg: RangeSum): boolean =>
  legacy.n === pg.n && pg.hashed === pg.n && legacy.sum === pg.sum;

/** The top-level ranges of a pass from `from` up to `upTo`, `size` ids each. */
export function* rangesOf(from: number, upTo: number, size: number): Generator<IdRange> {
  for (let after = from; after < upTo; after += size) yield { after, upTo: Math.min(after + size, upTo) };
}

/**
 * How a differing range is narrowed: into FANOUT sub-ranges (one grouped query per side answering
 * all of them; the top-level query answers its sub-ranges already) until it holds at most
 * LEAF_ROWS rows, whose (id, hash) lists are then compared. At 4,096-id ranges a differing row
 * costs 16 sub-range answers at each of two levels and a 16-row list, and MySQL re-hashes only
 * the 256 + 16 rows around it.
 */
export const FANOUT = 16;

const NO_ROWS: RangeSum = { n: 0, hashed: 0, sum: '0' };

/**
 * The bucket a grouped checksum puts an id in: ids after + b*width + 1 .. after + (b+1)*width are
 * bucket b (the SQL: `(ID - after - 1) DIV width`, PostgreSQL's integer `/` alike).
 */
export function bucketRange(span: IdRange, width: number, b: number): IdRange {
  const after = span.after + b * width;
  return { after, upTo: Math.min(after + width, span.upTo) };
}

/** The width of the buckets a differing bucket of `width` ids is grouped into next. */
export const subWidth = (width: number, fanout: number): number => Math.max(1, Math.ceil(width / fanout));

/** One bucket with both sides' answers. */
export interface BucketPair {
  range: IdRange;
  legacy: RangeSum;
  pg: RangeSum;
}

/**
 * Every bucket of `span` (in id order) with both sides' grouped answers (bucket number -> sum);
 * a bucket a side did not answer for has no rows on that side.
 */
export function pairBuckets(
  span: IdRange,
  width: number,
  legacy: Map<number, RangeSum>,
  pg: Map<number, RangeSum>,
): BucketPair[] {
  const out: BucketPair[] = [];
  const count = Math.ceil((span.upTo - span.after) / width);
  for (let b = 0; b < count; b++)
    out.push({ range: bucketRange(span, width, b), legacy: legacy.get(b) ?? NO_ROWS, pg: pg.get(b) ?? NO_ROWS });
  return out;
}

/** Sums per range, then per sub-range of it (a two-level grouped answer). */
export type GroupedSums = Map<number, Map<number, RangeSum>>;

export function groupSums(rows: [number, number, RangeSum][]): GroupedSums {
  const out: GroupedSums = new Map();
  for (const [b, sb, sum] of rows) {
    if (!out.has(b)) out.set(b, new Map());
    out.get(b)!.set(sb, sum);
  }
  return out;
}

const total = (parts: Map<number, RangeSum> | undefined): RangeSum => {
  let n = 0;
  let hashed = 0;
  let sum = 0n;
  for (const p of parts?.values() ?? []) {
    n += p.n;
    hashed += p.hashed;
    sum += BigInt(p.sum);
  }
  return { n, hashed, sum: sum.toString() };
};

/** A range with both sides' sums, and its sub-ranges paired likewise. */
export interface RangePairs {
  pair: BucketPair;
  parts: BucketPair[];
}

/** Every range of `width` ids of `span`, its sums the totals of its sub-ranges', with the sub-ranges of `subWidth` ids paired. */
export function pairRanges(
  span: IdRange,
  width: number,
  subWidth: number,
  legacy: GroupedSums,
  pg: GroupedSums,
): RangePairs[] {
  const sums = (g: GroupedSums) => new Map([...g].map(([b, parts]) => [b, total(parts)]));
  return pairBuckets(span, width, sums(legacy), sums(pg)).map((pair, b) => ({
    pair,
    parts: pairBuckets(pair.range, subWidth, legacy.get(b) ?? new Map(), pg.get(b) ?? new Map()),
  }));
}

/**
 * After grouping a differing bucket of `rows` rows: list the whole bucket row by row at once
 * (one query) rather than descend into each differing sub-bucket, when most of them differ (a
 * first pass after a hash change, a range re-imported with new rules) and the list stays small.
 */
export function listWhole(differing: number, buckets: number, rows: number, maxRows: number): boolean {
  return rows <= maxRows && differing * 2 > buckets;
}

export interface RowDiff {
  /** In both, hashes differ (or PostgreSQL's is not set). */
  changed: number[];
  /** In the legacy table only. */
  missing: number[];
  /** In PostgreSQL only: deleted in the legacy table. */
  extra: number[];
}

/** The rows that differ between the (id, hash) lists of the two sides for one range. */
export function diffHashes(legacy: [number, string][], pg: [number, string | null][]): RowDiff {
  const mine = new Map(pg);
  const diff: RowDiff = { changed: [], missing: [], extra: [] };
  for (const [id, h] of legacy) {
    if (!mine.has(id)) diff.missing.push(id);
    else if (mine.get(id) !== h) diff.changed.push(id);
    mine.delete(id);
  }
  diff.extra = [...mine.keys()].sort((a, b) => a - b);
  return diff;
}

export interface DeleteRails {
  /** At most this many deletes per table per tick (or per on-demand pass). */
  maxCount: number;
  /** At most this share (0-1) of the legacy rows checked in the pass. */
  maxShare: number;
}

/** The deletes allowed now under the rails; the rest are held back (found again next pass). */
export function allowedDeletes(
  extra: number[],
  checkedRows: number,
  rails: DeleteRails,
): { now: number[]; heldBack: number } {
  const cap = Math.min(rails.maxCount, Math.floor(checkedRows * rails.maxShare));
  const now = extra.slice(0, Math.max(0, cap));
  return { now, heldBack: extra.length - now.length };
}

/** A tick's slice of the verification pass: from the rolling cursor, whole ranges, at least one. */
export interface SlicePlan {
  /** Where the slice starts (the cursor, or 0 once a lap is done). */
  from: number;
  /** The lap's end: the table's cursor (newer ids are the tick's). */
  upTo: number;
  /** The ids the slice covers: whole ranges, see sliceRanges. */
  span: IdRange;
}

/** How a tick's slice is sized: ids at most, and the ticks a lap of the table should take (0: always the most). */
export interface SliceBudget {
  maxIds: number;
  lapTicks: number;
  rangeIds: number;
}

/**
 * Ranges per slice: enough for a lap of the table's `maxId` ids in `lapTicks` ticks, at least one,
 * at most floor(maxIds / rangeIds). Sized to the lap, a tick checks no more than the lap needs: at
 * the defaults (48 ticks, a day at `*\/30`; 60,000 ids; 4,096-id ranges) 2 ranges of a 200k-id
 * table (a lap of 25 ticks) and 14 of 2.6M (57,344 ids, 46 ticks). Past 48 x 14 ranges (2.75M ids)
 * the cap binds and a lap takes longer.
 */
export function sliceRanges(maxId: number, b: SliceBudget): number {
  const most = Math.max(1, Math.floor(b.maxIds / b.rangeIds));
  if (b.lapTicks === 0) return most;
  return Math.max(1, Math.min(most, Math.ceil(maxId / b.lapTicks / b.rangeIds)));
}

/** The slice a tick verifies, from the table's verify cursor `nextId` up to its import cursor `maxId`. */
export function slicePlan(nextId: number, maxId: number, b: SliceBudget): SlicePlan {
  const from = nextId >= maxId ? 0 : nextId;
  const ids = sliceRanges(maxId, b) * b.rangeIds;
  return { from, upTo: maxId, span: { after: from, upTo: Math.min(from + ids, maxId) } };
}

/** A tick's slice of a table from its cursor: at most `maxIds`, sized to the configured lap and ranges. */
export const tickSlice = (
  tc: TableCursor,
  maxIds: number,
  c: Pick<EtlConfig, 'verifyLapTicks' | 'verifyRangeIds'>,
): SlicePlan =>
  slicePlan(tc.verify?.nextId ?? 0, tc.maxId, { maxIds, lapTicks: c.verifyLapTicks, rangeIds: c.verifyRangeIds });
