import type { Sql } from 'postgres';
import type { RunEnd } from '@wxyc/job-runtime';
import type { HistorySettings, RunKind } from './settings.js';

export const HISTORY_TABLE = 'wxyc_schema.job_runs';

export interface RunStart {
  job: string;
  kind: RunKind;
  startedAt: Date;
}

// backend_pid/backend_start name the session that writes the row; when it is gone and the
// row has no finished_at, the process died without finishing (SIGKILL, OOM, host lost).
const SESSION = (sql: Sql) => sql`pg_backend_pid(), (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())`;

export async function insertRun(sql: Sql, run: RunStart, s: HistorySettings): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO wxyc_schema.job_runs (job_name, kind, started_at, heartbeat_at, host, image_version, backend_pid, backend_start)
    VALUES (${run.job}, ${run.kind}, ${run.startedAt}, now(), ${s.host}, ${s.imageVersion}, ${SESSION(sql)})
    RETURNING id`;
  return row!.id;
}

export async function heartbeat(sql: Sql, id: number): Promise<void> {
  await sql`
    UPDATE wxyc_schema.job_runs SET heartbeat_at = now(), (backend_pid, backend_start) = (SELECT ${SESSION(sql)})
    WHERE id = ${id}`;
}

export async function finishRun(sql: Sql, id: number, end: RunEnd, error: string | null): Promise<void> {
  const c = end.counts;
  await sql`
    UPDATE wxyc_schema.job_runs
    SET finished_at = now(), heartbeat_at = now(), outcome = ${end.outcome}, exit_code = ${end.exitCode}, error = ${error},
        rows_read = ${c?.read ?? null}, rows_written = ${c?.written ?? null}, rows_skipped = ${c?.skipped ?? null}
    WHERE id = ${id}`;
}

/** The whole row at the end, when the start could not be written (e.g. migrate created the table during its run). */
export async function insertFinishedRun(sql: Sql, run: RunStart, s: HistorySettings, end: RunEnd, error: string | null): Promise<void> {
  const id = await insertRun(sql, run, s);
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
