import type { Sql } from 'postgres';
import { fmtAge } from './cron-status.js';

/**
 * What ops:status can say about a task of the engine (@wxyc/backfill runTask) from its state row in
 * backfill.runs alone: the parked rows (with their retry times), the counts per outcome, the
 * position, how the last run ended, and the rows by where they stood at its end (pending, waiting
 * for the re-ask TTL, parked). Those are predicates of the task's definition, which ops does not
 * have: the run counts them with it at its end and keeps them in the row (`standing`); they are as
 * old as that (`taskStatus(sql, task)` counts them now, where the definition is).
 */
export interface TaskStateStatus {
  name: string;
  /** running, budget (the last tick stopped at its budget; the next resumes), done, interrupted, failed */
  status: string;
  budgetStopped: boolean;
  /** The last handled row's order and key values (null: before the first row, or a fresh walk). */
  position: string[] | null;
  rowsDone: number;
  /** Rows by outcome label over the runs of this state (e.g. resolved, no_match, parked). */
  outcomes: Record<string, number>;
  parked: number;
  /** Parked rows whose retry time passed (or that have none): retried by the next run. */
  parkedDue: number;
  /** The earliest retry time still ahead, when a parked row has one. */
  nextRetryAt: Date | null;
  lastRunAt: Date | null;
  /** Rows by where they stood at the end of the last run that was not interrupted (null: none yet). */
  standing: { pending: number; waitingForTtl: number; parked: number; at: Date } | null;
}

type Raw = Record<string, unknown>;

const isTaskRow = (r: Raw): boolean =>
  (r.position !== null && r.position !== undefined) ||
  (typeof r.outcomes === 'object' && r.outcomes !== null && Object.keys(r.outcomes).length > 0);

/** Pure: one state row (as JSON) to its task status; null for a row of the older SQL walk. */
export function taskStateStatus(r: Raw, now: Date): TaskStateStatus | null {
  if (!isTaskRow(r)) return null;
  const parked = Array.isArray(r.parked) ? (r.parked as Raw[]) : [];
  const retries = parked.map((p) => (typeof p.retryAfter === 'string' ? new Date(p.retryAfter) : null));
  const ahead = retries.filter((d): d is Date => d !== null && d.getTime() > now.getTime());
  const status = String(r.status);
  return {
    name: String(r.name),
    status,
    budgetStopped: status === 'budget',
    position: Array.isArray(r.position) ? r.position.map(String) : null,
    rowsDone: Number(r.rows_processed ?? 0),
    outcomes: Object.fromEntries(
      Object.entries((r.outcomes as Record<string, unknown>) ?? {}).map(([k, n]) => [k, Number(n)]),
    ),
    parked: parked.length,
    parkedDue: parked.length - ahead.length,
    nextRetryAt: ahead.length ? new Date(Math.min(...ahead.map((d) => d.getTime()))) : null,
    lastRunAt: typeof r.updated_at === 'string' ? new Date(r.updated_at) : null,
    standing: standingOf(r.standing),
  };
}

/** The state row's `standing` (jsonb), or null when absent or not its shape. */
function standingOf(v: unknown): TaskStateStatus['standing'] {
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Raw;
  const at = typeof s.at === 'string' ? new Date(s.at) : null;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const [pending, waitingForTtl, parked] = [n(s.pending), n(s.waitingForTtl), n(s.parked)];
  if (pending === null || waitingForTtl === null || parked === null || !at || Number.isNaN(at.getTime())) return null;
  return { pending, waitingForTtl, parked, at };
}

/** Every task's state from backfill.runs (none when the table does not exist yet). */
export async function readTasks(sql: Sql, now: Date): Promise<TaskStateStatus[]> {
  const [t] = await sql<{ ok: boolean }[]>`SELECT to_regclass('backfill.runs') IS NOT NULL AS ok`;
  if (!t?.ok) return [];
  const rows = await sql<{ r: Raw }[]>`SELECT to_jsonb(b) AS r FROM backfill.runs b ORDER BY b.name`;
  return rows.map(({ r }) => taskStateStatus(r, now)).filter((s): s is TaskStateStatus => s !== null);
}

/** One line of the text view. */
export function taskLine(t: TaskStateStatus, now: Date): string {
  const ago = (d: Date) => fmtAge(Math.abs(now.getTime() - d.getTime()));
  const outcomes =
    Object.entries(t.outcomes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none';
  const retry = t.nextRetryAt ? `, next retry in ${ago(t.nextRetryAt)}` : '';
  const at = t.position ? JSON.stringify(t.position) : 'the start';
  const last = t.lastRunAt ? `, last run ${ago(t.lastRunAt)} ago` : '';
  const stop = t.budgetStopped ? 'budget (resumes next tick)' : t.status;
  const st = t.standing;
  const standing = st
    ? `; at the end of the last run (${ago(st.at)} ago): pending ${st.pending}, waiting for TTL ${st.waitingForTtl}, parked ${st.parked}`
    : '';
  return `${t.name.padEnd(30)} ${stop}, at ${at}, rows ${t.rowsDone}, parked ${t.parked} (${t.parkedDue} due)${retry}; outcomes: ${outcomes}${last}${standing}`;
}
