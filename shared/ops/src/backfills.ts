import type { Sql } from 'postgres';

export interface BackfillStatus {
  name: string;
  status: string;
  cursor: number | null;
  rowsDone: number;
  /** Rows parked (left out after a data error): the `parked` column, or on a table without it the older `skipped` keys. */
  parked: number;
  pendingAtStart: number | null;
  lastBatchAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Estimated seconds to go at this run's pace; null when not running or no pace yet. */
  etaS: number | null;
  /** running, but no batch for longer than the threshold */
  stuck: boolean;
}

type Raw = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));
const date = (v: unknown): Date | null => (typeof v === 'string' ? new Date(v) : null);

function parkedOf(r: Raw): number {
  const p = r.parked ?? r.rows_parked ?? r.skipped;
  if (Array.isArray(p)) return p.length;
  return num(p) ?? 0;
}

/** Pure: one state row (as JSON, so added columns do not break it) to its status. */
export function backfillStatus(r: Raw, now: Date, stuckAfterS: number): BackfillStatus {
  const rowsDone = num(r.rows_processed) ?? 0;
  const pendingAtStart = num(r.pending_at_start);
  const lastBatchAt = date(r.updated_at);
  const startedAt = date(r.started_at);
  const status = String(r.status);
  let etaS: number | null = null;
  if (status === 'running' && pendingAtStart !== null && startedAt && lastBatchAt && rowsDone > 0) {
    const elapsed = (lastBatchAt.getTime() - startedAt.getTime()) / 1000;
    const rate = elapsed > 0 ? rowsDone / elapsed : 0;
    etaS = rate > 0 ? Math.round(Math.max(0, pendingAtStart - rowsDone) / rate) : null;
  }
  const stuck =
    status === 'running' && lastBatchAt !== null && now.getTime() - lastBatchAt.getTime() > stuckAfterS * 1000;
  return {
    name: String(r.name),
    status,
    cursor: num(r.cursor),
    rowsDone,
    parked: parkedOf(r),
    pendingAtStart,
    lastBatchAt,
    startedAt,
    finishedAt: date(r.finished_at),
    etaS,
    stuck,
  };
}

/** Every backfill's state from backfill.runs (none when the table does not exist yet). */
export async function readBackfills(sql: Sql, now: Date, stuckAfterS: number): Promise<BackfillStatus[]> {
  const [t] = await sql<{ ok: boolean }[]>`SELECT to_regclass('backfill.runs') IS NOT NULL AS ok`;
  if (!t?.ok) return [];
  const rows = await sql<{ r: Raw }[]>`SELECT to_jsonb(b) AS r FROM backfill.runs b ORDER BY b.name`;
  return rows.map(({ r }) => backfillStatus(r, now, stuckAfterS));
}
