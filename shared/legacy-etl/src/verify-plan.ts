// The pure logic of verification: how a key range is split, how two hash lists differ, and the
// rails that decide which rows may be deleted.

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

export const sameSum = (legacy: RangeSum, pg: RangeSum): boolean => legacy.n === pg.n && pg.hashed === pg.n && legacy.sum === pg.sum;

/** The top-level ranges of a pass from `from` up to `upTo`, `size` ids each. */
export function* rangesOf(from: number, upTo: number, size: number): Generator<IdRange> {
  for (let after = from; after < upTo; after += size) yield { after, upTo: Math.min(after + size, upTo) };
}

/** A differing range split into `parts` sub-ranges (fewer when it holds fewer ids). */
export function split(r: IdRange, parts: number): IdRange[] {
  const span = r.upTo - r.after;
  const step = Math.max(1, Math.ceil(span / parts));
  const out: IdRange[] = [];
  for (let after = r.after; after < r.upTo; after += step) out.push({ after, upTo: Math.min(after + step, r.upTo) });
  return out;
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
export function allowedDeletes(extra: number[], checkedRows: number, rails: DeleteRails): { now: number[]; heldBack: number } {
  const cap = Math.min(rails.maxCount, Math.floor(checkedRows * rails.maxShare));
  const now = extra.slice(0, Math.max(0, cap));
  return { now, heldBack: extra.length - now.length };
}
