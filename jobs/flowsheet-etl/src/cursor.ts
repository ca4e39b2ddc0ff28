import { FUTURE_SLACK_MS } from '@wxyc/legacy-etl';

/** Where the job got to in one legacy table. */
export interface TableCursor {
  /** Highest legacy ID imported (or counted as bad): new rows are those above it. */
  maxId: number;
  /** Newest plausible TIME_LAST_MODIFIED seen (epoch ms): edits are rows modified at or after it. */
  maxModified: number | null;
}

/** The JSON kept in wxyc_schema.cronjob_runs.cursor for 'flowsheet-etl'. */
export interface FlowsheetCursor {
  shows: TableCursor;
  entries: TableCursor;
}

export const JOB = 'flowsheet-etl';

export function emptyCursor(): FlowsheetCursor {
  return { shows: { maxId: 0, maxModified: null }, entries: { maxId: 0, maxModified: null } };
}

/** The cursor moved past rows with these ids and modification times (future clock typos ignored). */
export function advance(c: TableCursor, ids: number[], modified: (number | null)[], now = Date.now()): TableCursor {
  let maxId = c.maxId;
  for (const id of ids) if (id > maxId) maxId = id;
  let maxModified = c.maxModified;
  for (const m of modified) {
    if (m !== null && m > 0 && m <= now + FUTURE_SLACK_MS && (maxModified === null || m > maxModified)) maxModified = m;
  }
  return { maxId, maxModified };
}
