import type { Sql } from 'postgres';
import type { RunEnd } from '@wxyc/job-runtime';
import type { HistorySettings, RunKind } from './settings.js';

export const HISTORY_TABLE = 'wxyc_schema.job_runs';

export interface RunStart {
  job: string;
  kind: RunKind;
  /** The host's clock when the run began: recorded as host_started_at only, never as a run time. */
  startedAt: Date;
}

/** What the table has: job_runs from 0058, host_started_at from 0062 (a job may run before migrate). */
export interface HistoryTable {
  exists: boolean;
  hostClock: boolean;
}

export async function historyTable(sql: Sql): Promise<HistoryTable> {
  const [t] = await sql<{ exists: boolean; hostClock: boolean }[]>`
    SELECT to_regclass('wxyc_schema.job_runs') IS NOT NULL AS exists,
           EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('wxyc_schema.job_runs') AND attname = 'host_started_at' AND NOT attisdropped) AS "hostClock"`;
  return t ?? { exists: false, hostClock: false };
}

// backend_pid/backend_start name the session that writes the row; when it is gone and the
// row has no finished_at, the process died without finishing (SIGKILL, OOM, host lost).
const SESSION = (sql: Sql) =>
  sql`pg_backend_pid(), (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())`;

/**
 * Run times are the database server's clock (clock_timestamp()), so runs from hosts whose clocks
 * disagree still sort as they happened. `hostNow` is the host's reading of the same instant, kept
 * in host_started_at (when the table has it) to show a host whose clock is off. `sinceStartS`
 * back-dates started_at for a row written at the end of its run.
 */
export async function insertRun(
  sql: Sql,
  run: RunStart,
  s: HistorySettings,
  t: HistoryTable,
  hostNow: Date,
  sinceStartS = 0,
): Promise<number> {
  const started = sql`clock_timestamp() - make_interval(secs => ${sinceStartS})`;
  const [row] = t.hostClock
    ? await sql<{ id: number }[]>`
        INSERT INTO wxyc_schema.job_runs (job_name, kind, started_at, host_started_at, heartbeat_at, host, image_version, backend_pid, backend_start)
        VALUES (${run.job}, ${run.kind}, ${started}, ${hostNow}, clock_timestamp(), ${s.host}, ${s.imageVersion}, ${SESSION(sql)})
        RETURNING id`
    : await sql<{ id: number }[]>`
        INSERT INTO wxyc_schema.job_runs (job_name, kind, started_at, heartbeat_at, host, image_version, backend_pid, backend_start)
        VALUES (${run.job}, ${run.kind}, ${started}, clock_timestamp(), ${s.host}, ${s.imageVersion}, ${SESSION(sql)})
        RETURNING id`;
  return row!.id;
}

export async function heartbeat(sql: Sql, id: number): Promise<void> {
  await sql`
    UPDATE wxyc_schema.job_runs SET heartbeat_at = clock_timestamp(), (backend_pid, backend_start) = (SELECT ${SESSION(sql)})
    WHERE id = ${id}`;
}

export async function finishRun(sql: Sql, id: number, end: RunEnd, error: string | null): Promise<void> {
  const c = end.counts;
  await sql`
    UPDATE wxyc_schema.job_runs
    SET finished_at = clock_timestamp(), heartbeat_at = clock_timestamp(), outcome = ${end.outcome}, exit_code = ${end.exitCode}, error = ${error},
        rows_read = ${c?.read ?? null}, rows_written = ${c?.written ?? null}, rows_skipped = ${c?.skipped ?? null}
    WHERE id = ${id}`;
}

/** The whole row at the end, when the start could not be written (e.g. migrate created the table during its run). */
export async function insertFinishedRun(
  sql: Sql,
  run: RunStart,
  s: HistorySettings,
  t: HistoryTable,
  end: RunEnd,
  error: string | null,
  hostNow: Date,
): Promise<void> {
  // The run's length by the host's clock (a wrong clock is still a steady one); its start on the server's.
  const sinceStartS = Math.max(0, (hostNow.getTime() - run.startedAt.getTime()) / 1000);
  const id = await insertRun(sql, run, s, t, run.startedAt, sinceStartS);
  await finishRun(sql, id, end, error);
}

/** Deletes this job's runs older than the retention, a bounded number per run so a prune is always short. */
export async function pruneRuns(sql: Sql, job: string, retentionDays: number, limit = 1000): Promise<number> {
  const rows = await sql`
    DELETE FROM wxyc_schema.job_runs WHERE id IN (
      SELECT id FROM wxyc_schema.job_runs
      WHERE job_name = ${job} AND started_at < now() - make_interval(days => ${retentionDays})
      ORDER BY id LIMIT ${limit})`;
  return rows.count;
}
