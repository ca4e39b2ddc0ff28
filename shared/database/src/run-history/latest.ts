import type { Sql } from 'postgres';

/** A run with no finished_at whose heartbeat is older than this is taken for dead even if its backend lingers. */
export const NEVER_FINISHED_AFTER_S = 300;

/** running: finished_at NULL and its session alive; never-finished: finished_at NULL and the session gone (or silent). */
export type RunState = 'finished' | 'running' | 'never-finished';

export interface LatestRun {
  id: number;
  job: string;
  kind: string;
  state: RunState;
  outcome: string | null;
  exitCode: number | null;
  error: string | null;
  host: string;
  imageVersion: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  heartbeatAt: Date;
  ageS: number;
  rowsRead: number | null;
  rowsWritten: number | null;
  rowsSkipped: number | null;
}

interface Row extends Omit<LatestRun, 'rowsRead' | 'rowsWritten' | 'rowsSkipped'> {
  rowsRead: string | null;
  rowsWritten: string | null;
  rowsSkipped: string | null;
}

/**
 * The newest run of every job (or none when the table is missing), with its liveness: the
 * writing session is matched by pid AND backend_start, so a reused pid does not pass for it.
 */
export async function latestRuns(sql: Sql): Promise<LatestRun[]> {
  const [t] = await sql<{ ok: boolean }[]>`SELECT to_regclass('wxyc_schema.job_runs') IS NOT NULL AS ok`;
  if (!t?.ok) return [];
  const rows = await sql<Row[]>`
    SELECT DISTINCT ON (r.job_name)
      r.id, r.job_name AS job, r.kind, r.outcome, r.exit_code AS "exitCode", r.error, r.host,
      r.image_version AS "imageVersion", r.started_at AS "startedAt", r.finished_at AS "finishedAt",
      r.heartbeat_at AS "heartbeatAt", extract(epoch FROM now() - r.started_at)::int AS "ageS",
      r.rows_read::text AS "rowsRead", r.rows_written::text AS "rowsWritten", r.rows_skipped::text AS "rowsSkipped",
      CASE
        WHEN r.finished_at IS NOT NULL THEN 'finished'
        WHEN EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.backend_pid AND a.backend_start = r.backend_start)
             AND r.heartbeat_at > now() - make_interval(secs => ${NEVER_FINISHED_AFTER_S}) THEN 'running'
        ELSE 'never-finished'
      END AS state
    FROM wxyc_schema.job_runs r
    ORDER BY r.job_name, r.started_at DESC, r.id DESC`;
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({ ...r, rowsRead: num(r.rowsRead), rowsWritten: num(r.rowsWritten), rowsSkipped: num(r.rowsSkipped) }));
}
