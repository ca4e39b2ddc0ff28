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
 * A row whose started_at cannot be a run's (infinity, over a minute in the future by the server's
 * clock, more than this many years ago) is junk: left out of "newest run" and listed apart, so one
 * such row neither hides the real newest run nor fails the whole status.
 */
export const JUNK_AFTER_YEARS = 10;

const JUNK = (sql: Sql) => sql`(NOT isfinite(r.started_at) OR r.started_at > now() + interval '1 minute'
  OR r.started_at < now() - make_interval(years => ${JUNK_AFTER_YEARS}))`;

/**
 * The newest run of every job by the server's clock (or none when the table is missing), with
 * its liveness: the writing session is matched by pid AND backend_start, so a reused pid does not
 * pass for it. Junk rows (see JUNK_AFTER_YEARS) are left out; `junkRuns` lists them.
 */
export async function latestRuns(sql: Sql): Promise<LatestRun[]> {
  const [t] = await sql<{ ok: boolean }[]>`SELECT to_regclass('wxyc_schema.job_runs') IS NOT NULL AS ok`;
  if (!t?.ok) return [];
  const rows = await sql<Row[]>`
    SELECT DISTINCT ON (r.job_name)
      r.id, r.job_name AS job, r.kind, r.outcome, r.exit_code AS "exitCode", r.error, r.host,
      r.image_version AS "imageVersion", r.started_at AS "startedAt", r.finished_at AS "finishedAt",
      r.heartbeat_at AS "heartbeatAt", extract(epoch FROM now() - r.started_at)::float8 AS "ageS",
      r.rows_read::text AS "rowsRead", r.rows_written::text AS "rowsWritten", r.rows_skipped::text AS "rowsSkipped",
      CASE
        WHEN r.finished_at IS NOT NULL THEN 'finished'
        WHEN EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.backend_pid AND a.backend_start = r.backend_start)
             AND r.heartbeat_at > now() - make_interval(secs => ${NEVER_FINISHED_AFTER_S}) THEN 'running'
        ELSE 'never-finished'
      END AS state
    FROM wxyc_schema.job_runs r
    WHERE NOT ${JUNK(sql)}
    ORDER BY r.job_name, r.started_at DESC, r.id DESC`;
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    ...r,
    ageS: Math.round(r.ageS),
    rowsRead: num(r.rowsRead),
    rowsWritten: num(r.rowsWritten),
    rowsSkipped: num(r.rowsSkipped),
  }));
}

export interface JunkRun {
  id: number;
  job: string;
  host: string;
  /** As PostgreSQL prints it ('infinity', '2300-01-01 ...'): such a value has no JS Date. */
  startedAt: string;
}

/** The rows latestRuns leaves out because their started_at cannot be a run's (at most `limit`). */
export async function junkRuns(sql: Sql, limit = 20): Promise<JunkRun[]> {
  const [t] = await sql<{ ok: boolean }[]>`SELECT to_regclass('wxyc_schema.job_runs') IS NOT NULL AS ok`;
  if (!t?.ok) return [];
  return sql<JunkRun[]>`
    SELECT r.id, r.job_name AS job, r.host, r.started_at::text AS "startedAt"
    FROM wxyc_schema.job_runs r WHERE ${JUNK(sql)} ORDER BY r.id LIMIT ${limit}`;
}

/** How far a host's clock was from the database server's, by its newest run that recorded it. */
export interface HostClock {
  host: string;
  /** The run it was read on. */
  runId: number;
  job: string;
  /** host clock minus server clock, seconds: > 0 ahead, < 0 behind. */
  skewS: number;
}

/** A host whose clock is further than this from the server's is flagged by ops:status. */
export const CLOCK_SKEW_LIMIT_S = 60;

/** Each host's clock against the server's, from its newest run with host_started_at (0062); [] before 0062. */
export async function hostClocks(sql: Sql): Promise<HostClock[]> {
  const [t] = await sql<{ ok: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('wxyc_schema.job_runs') AND attname = 'host_started_at' AND NOT attisdropped) AS ok`;
  if (!t?.ok) return [];
  return sql<HostClock[]>`
    SELECT DISTINCT ON (r.host) r.host, r.id AS "runId", r.job_name AS job, extract(epoch FROM r.host_started_at - r.started_at)::float8 AS "skewS"
    FROM wxyc_schema.job_runs r
    WHERE r.host_started_at IS NOT NULL AND isfinite(r.host_started_at) AND NOT ${JUNK(sql)}
    ORDER BY r.host, r.started_at DESC, r.id DESC`;
}
