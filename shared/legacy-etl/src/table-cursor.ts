import { FUTURE_SLACK_MS } from './cells.js';

/** Where the sweep of older rows is (see syncTables): laps from id 0 up to the recent window. */
export interface SweepState {
  /** Rows above this id are next. */
  nextId: number;
  /** This lap re-reads rows modified at or after this time (epoch ms); null on the first lap: every row. */
  since: number | null;
  /** maxModified when this lap began: the next lap's `since`. */
  lapStart: number | null;
}

/** Where a job got to in one legacy table. */
export interface TableCursor {
  /** Highest legacy ID imported (or counted as bad): new rows are those above it. */
  maxId: number;
  /**
   * The edit mark (epoch ms): the next tick re-reads rows of the recent window modified at or
   * after it. Never later than the tick's start on the source's clock minus the overlap, so an
   * edit made while a tick runs is read by the next one (see `nextModifiedMark`).
   */
  maxModified: number | null;
  /** Only for tables swept for edits to old rows. */
  sweep?: SweepState;
  /** Only for mirrored tables: where the rolling verification pass continues (ids above nextId). */
  verify?: { nextId: number };
  /**
   * Ids imported that lie more than ETL_OUTLIER_GAP_IDS above the rows before them (a typo such
   * as 2147483647): `maxId` does not move to them, so new rows and the edit window keep following
   * the real ids. They are read again by each tick's scan of new rows (unchanged rows are not
   * rewritten) and checked by verification like any row.
   */
  outliers?: number[];
}

/** More outliers than this are not typos but a jump of the id sequence: the cursor takes it. */
export const MAX_OUTLIERS = 1000;

/**
 * The cursor after a page of NEW rows (ids above maxId, in id order): maxId follows the ids that
 * continue the rows before them; an id more than `gap` above them is an outlier (kept aside, see
 * TableCursor.outliers). A table's first rows (maxId 0) are never outliers; gap 0 turns this off.
 * Past MAX_OUTLIERS the outliers are taken as the table's ids (a real jump).
 */
export function advanceNew(c: TableCursor, ids: number[], gap: number): TableCursor {
  let maxId = c.maxId;
  const outliers = new Set(c.outliers ?? []);
  for (const id of ids) {
    if (id <= maxId || outliers.has(id)) continue;
    if (gap > 0 && maxId > 0 && id - maxId > gap) outliers.add(id);
    else maxId = id;
  }
  const kept = [...outliers].filter((id) => id > maxId).sort((a, b) => a - b);
  const { outliers: _had, ...rest } = c;
  if (kept.length > MAX_OUTLIERS) return { ...rest, maxId: kept[kept.length - 1]! };
  // No key at all without outliers: cursors stay as they were for tables that never had one.
  return kept.length > 0 ? { ...rest, maxId, outliers: kept } : { ...rest, maxId };
}

/**
 * A cursor whose maxId is itself an outlier (saved before outliers were kept apart): `prevId` is
 * the largest id below maxId in the source. When the gap is wider than `gap`, maxId goes back to
 * it and the old maxId joins the outliers (its row is imported already).
 */
export function rebaseOutlier(c: TableCursor, prevId: number, gap: number): TableCursor | null {
  if (gap === 0 || c.maxId === 0 || c.maxId - prevId <= gap) return null;
  return { ...c, maxId: prevId, outliers: [...new Set([...(c.outliers ?? []), c.maxId])].sort((a, b) => a - b) };
}

export function emptyTableCursor(): TableCursor {
  return { maxId: 0, maxModified: null };
}

/** The cursor moved past rows with these ids; the edit mark is left alone (it moves once per tick). */
export function advance(c: TableCursor, ids: number[]): TableCursor {
  let maxId = c.maxId;
  for (const id of ids) if (id > maxId) maxId = id;
  return { ...c, maxId };
}

/** The newest plausible TIME_LAST_MODIFIED among `stamps` and `prev` (0, empty and far-future clock typos ignored). */
export function newestStamp(prev: number | null, stamps: (number | null)[], now = Date.now()): number | null {
  let newest = prev;
  for (const m of stamps) {
    if (m !== null && m > 0 && m <= now + FUTURE_SLACK_MS && (newest === null || m > newest)) newest = m;
  }
  return newest;
}

/**
 * The edit mark after a table has been read through in a tick. A row read early in the tick
 * may be edited before the tick ends, and rows read later may carry newer stamps: a mark at the
 * newest stamp read would leave that edit behind for good. So the mark never passes the
 * source's clock at the start of the tick minus `overlapMs` (clock skew between the legacy
 * writers and its database server), nor the newest stamp actually seen (a writer's clock may
 * lag). It does not move back otherwise, so a quiet table is not re-read further and further back.
 */
export function nextModifiedMark(
  prev: number | null,
  newestSeen: number | null,
  sourceStartMs: number,
  overlapMs: number,
): number | null {
  const ceiling = sourceStartMs - overlapMs;
  const seen = newestSeen === null ? null : Math.min(newestSeen, ceiling);
  const kept = prev === null ? null : Math.min(prev, ceiling);
  if (seen === null) return kept;
  return kept === null ? seen : Math.max(kept, seen);
}
