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
  /** Newest plausible TIME_LAST_MODIFIED seen (epoch ms): edits are rows modified at or after it. */
  maxModified: number | null;
  /** Only for tables swept for edits to old rows. */
  sweep?: SweepState;
}

export function emptyTableCursor(): TableCursor {
  return { maxId: 0, maxModified: null };
}

/** The cursor moved past rows with these ids and modification times (future clock typos ignored). */
export function advance(c: TableCursor, ids: number[], modified: (number | null)[], now = Date.now()): TableCursor {
  let maxId = c.maxId;
  for (const id of ids) if (id > maxId) maxId = id;
  let maxModified = c.maxModified;
  for (const m of modified) {
    if (m !== null && m > 0 && m <= now + FUTURE_SLACK_MS && (maxModified === null || m > maxModified)) maxModified = m;
  }
  return { ...c, maxId, maxModified };
}
