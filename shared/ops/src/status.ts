import type { Sql } from 'postgres';
import {
  CLOCK_SKEW_LIMIT_S,
  HISTORY_TABLE,
  hostClocks,
  junkRuns,
  latestRuns,
  LOCK_NOT_AVAILABLE,
  QUERY_CANCELED,
  sqlState,
  type HostClock,
  type JunkRun,
  type LatestRun,
} from '@wxyc/database';
import { describeError } from '@wxyc/job-runtime';
import { schedulePeriodMs } from './cron.js';
import { readBackfills, type BackfillStatus } from './backfills.js';
import { readTasks, type TaskStateStatus } from './tasks.js';
import { cronStatus, fmtAge, PROBLEM_VERDICTS, type CronStatus } from './cron-status.js';
import type { JobSpec } from './jobs.js';
import { readMigrationsStatus, type MigrationsStatus } from './migrations.js';
import { lockHolders, readSessions, type SessionInfo, type SessionReport } from './sessions.js';
import { readRetiredIds, type RetiredIds } from './retired-ids.js';

export interface StatusThresholds {
  /** idle in transaction for longer than this is reported */
  idleInTransactionS: number;
  /** a transaction running for longer than this is reported */
  longTransactionS: number;
  /** a running backfill with no batch for this long is stuck */
  backfillStuckS: number;
}

export const DEFAULT_THRESHOLDS: StatusThresholds = {
  idleInTransactionS: 60,
  longTransactionS: 300,
  backfillStuckS: 600,
};

export interface OpsStatus {
  at: Date;
  migrations: MigrationsStatus;
  cron: CronStatus[];
  /** Newest run of each job that is not a cron job (one-shots, migrate). */
  otherRuns: LatestRun[];
  backfills: BackfillStatus[];
  /** Tasks of the engine, from their state rows: parked (due or not), outcomes, position, budget stops. */
  tasks: TaskStateStatus[];
  sessions: SessionReport;
  /** Each host's clock against the database server's (its newest run that recorded it). */
  clocks: HostClock[];
  /** job_runs rows whose started_at cannot be a run's (infinity, future, decades ago): left out of the above. */
  junkRuns: JunkRun[];
  /** Legacy ids retired locally, per mirrored table (counted, never a problem). */
  retired: RetiredIds[];
  /** Sections that could not be read in time; the status is incomplete when any is. */
  unreadable: Unreadable[];
  /** One line per thing that makes --check fail; empty when all is well. */
  problems: string[];
}

/** A section ops:status could not read in time (a lock held on its table, a statement cancelled). */
export interface Unreadable {
  section: 'migrations' | 'run history' | 'backfills' | 'retired ids';
  relation: string;
  reason: string;
  /** Who holds an ACCESS EXCLUSIVE lock on that relation, when someone does. */
  holders: SessionInfo[];
}

const EMPTY_MIGRATIONS: MigrationsStatus = { applied: 0, pending: [], drifted: [], unknown: 0 };

/**
 * Everything ops:status shows. A section whose table is locked (lock_timeout, statement_timeout)
 * does not fail the rest: it is listed in `unreadable` with the holder of the lock, and the cron
 * verdicts that depend on run history become `unknown`. Sessions are read first: they need no
 * lock on any table.
 */
export async function collectStatus(
  sql: Sql,
  jobs: JobSpec[],
  migrationsDir: string,
  t: StatusThresholds = DEFAULT_THRESHOLDS,
): Promise<OpsStatus> {
  const now = (await sql<{ now: Date }[]>`SELECT now() AS now`)[0]!.now;
  const sessions = await readSessions(sql, t.idleInTransactionS, t.longTransactionS);
  const unreadable: Unreadable[] = [];
  const part = async <T>(
    section: Unreadable['section'],
    relation: string,
    fallback: T,
    read: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      const code = sqlState(err);
      if (code !== LOCK_NOT_AVAILABLE && code !== QUERY_CANCELED) throw err;
      unreadable.push({ section, relation, reason: describeError(err), holders: await lockHolders(sql, relation) });
      return fallback;
    }
  };
  const migrations = await part('migrations', 'drizzle.__drizzle_migrations', EMPTY_MIGRATIONS, () =>
    readMigrationsStatus(sql, migrationsDir),
  );
  const history = await part('run history', HISTORY_TABLE, null, async () => ({
    runs: await latestRuns(sql),
    clocks: await hostClocks(sql),
    junk: await junkRuns(sql),
  }));
  const runs = history?.runs ?? [];
  const byJob = new Map(runs.map((r) => [r.job, r]));
  const cronJobs = jobs.filter((j) => j.type === 'cron');
  const cron = cronJobs.map((j): CronStatus => {
    if (history) return cronStatus(j, byJob.get(j.name), now);
    return {
      job: j.name,
      schedule: j.schedule!,
      intervalS: Math.round(schedulePeriodMs(j.schedule!) / 1000),
      verdict: 'unknown',
      reason: 'run history could not be read',
      last: null,
    };
  });
  const cronNames = new Set(cronJobs.map((j) => j.name));
  const status: Omit<OpsStatus, 'problems'> = {
    at: now,
    migrations,
    cron,
    otherRuns: runs.filter((r) => !cronNames.has(r.job)),
    backfills: await part('backfills', 'backfill.runs', [], () => readBackfills(sql, now, t.backfillStuckS)),
    tasks: await part('backfills', 'backfill.runs', [], () => readTasks(sql, now)),
    sessions,
    clocks: history?.clocks ?? [],
    junkRuns: history?.junk ?? [],
    retired: await part('retired ids', 'wxyc_schema.legacy_retired_ids', [], () => readRetiredIds(sql)),
    unreadable,
  };
  return { ...status, problems: problemsOf(status) };
}

/** Pure: everything stale, stuck, pending or drifted, one line each. */
export function problemsOf(s: Omit<OpsStatus, 'problems'>): string[] {
  const p: string[] = [];
  for (const u of s.unreadable) {
    const who = u.holders
      .map((h) => `pid ${h.pid} ('${h.applicationName}', transaction ${h.xactAgeS ?? '?'}s: ${h.query ?? ''})`)
      .join(', ');
    p.push(`could not read ${u.section} (${u.relation}): ${u.reason}${who ? `; ACCESS EXCLUSIVE held by ${who}` : ''}`);
  }
  const m = s.migrations;
  if (m.pending.length) p.push(`migrations pending (${m.pending.length}): ${listed(m.pending)}`);
  if (m.drifted.length) p.push(`migrations drifted (file changed after it was applied): ${m.drifted.join(', ')}`);
  for (const c of s.cron) if (PROBLEM_VERDICTS.has(c.verdict)) p.push(`cron ${c.job} ${c.verdict}: ${c.reason}`);
  for (const r of s.otherRuns) {
    if (r.state === 'never-finished')
      p.push(
        `${r.job} run ${r.id} (host ${r.host}) started ${fmtAge(s.at.getTime() - r.startedAt.getTime())} ago and never finished`,
      );
  }
  for (const b of s.backfills) {
    if (b.stuck)
      p.push(`backfill ${b.name} stuck: running, last batch ${fmtAge(s.at.getTime() - b.lastBatchAt!.getTime())} ago`);
    if (b.status === 'failed') p.push(`backfill ${b.name} failed at cursor ${b.cursor}`);
  }
  for (const h of s.sessions.accessExclusive) {
    if (h.waiters.length || (h.xactAgeS ?? 0) > 60) {
      p.push(
        `pid ${h.pid} ('${h.applicationName}') holds ACCESS EXCLUSIVE on ${h.relation} for ${h.xactAgeS ?? '?'}s with ${h.waiters.length} waiting`,
      );
    }
  }
  for (const x of s.sessions.idleInTransaction)
    p.push(`pid ${x.pid} ('${x.applicationName}') idle in transaction on wxyc_schema, transaction ${x.xactAgeS}s old`);
  for (const x of s.sessions.longTransactions)
    p.push(`pid ${x.pid} ('${x.applicationName}') transaction on wxyc_schema running for ${x.xactAgeS}s`);
  for (const c of s.clocks) {
    if (Math.abs(c.skewS) > CLOCK_SKEW_LIMIT_S)
      p.push(`host ${c.host}: ${clockLine(c)} (run ${c.runId} of ${c.job}); fix its time sync (NTP)`);
  }
  for (const j of s.junkRuns)
    p.push(
      `job_runs row ${j.id} (${j.job}, host ${j.host}) has started_at ${j.startedAt}, which no run can have: ignored; delete it`,
    );
  return p;
}

/** "its clock is 2h00m behind the database server's" */
export function clockLine(c: HostClock): string {
  return `its clock is ${fmtAge(Math.abs(c.skewS) * 1000)} ${c.skewS >= 0 ? 'ahead of' : 'behind'} the database server's`;
}

/** Up to 5 names, then how many more. */
export function listed(names: string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
