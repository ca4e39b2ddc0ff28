import type { Sql } from 'postgres';
import { CLOCK_SKEW_LIMIT_S, hostClocks, junkRuns, latestRuns, type HostClock, type JunkRun, type LatestRun } from '@wxyc/database';
import { readBackfills, type BackfillStatus } from './backfills.js';
import { cronStatus, fmtAge, PROBLEM_VERDICTS, type CronStatus } from './cron-status.js';
import type { JobSpec } from './jobs.js';
import { readMigrationsStatus, type MigrationsStatus } from './migrations.js';
import { readSessions, type SessionReport } from './sessions.js';
import { readRetiredIds, type RetiredIds } from './retired-ids.js';

export interface StatusThresholds {
  /** idle in transaction for longer than this is reported */
  idleInTransactionS: number;
  /** a transaction running for longer than this is reported */
  longTransactionS: number;
  /** a running backfill with no batch for this long is stuck */
  backfillStuckS: number;
}

export const DEFAULT_THRESHOLDS: StatusThresholds = { idleInTransactionS: 60, longTransactionS: 300, backfillStuckS: 600 };

export interface OpsStatus {
  at: Date;
  migrations: MigrationsStatus;
  cron: CronStatus[];
  /** Newest run of each job that is not a cron job (one-shots, migrate). */
  otherRuns: LatestRun[];
  backfills: BackfillStatus[];
  sessions: SessionReport;
  /** Each host's clock against the database server's (its newest run that recorded it). */
  clocks: HostClock[];
  /** job_runs rows whose started_at cannot be a run's (infinity, future, decades ago): left out of the above. */
  junkRuns: JunkRun[];
  /** Legacy ids retired locally, per mirrored table (counted, never a problem). */
  retired: RetiredIds[];
  /** One line per thing that makes --check fail; empty when all is well. */
  problems: string[];
}

export async function collectStatus(sql: Sql, jobs: JobSpec[], migrationsDir: string, t: StatusThresholds = DEFAULT_THRESHOLDS): Promise<OpsStatus> {
  const now = (await sql<{ now: Date }[]>`SELECT now() AS now`)[0]!.now;
  const runs = await latestRuns(sql);
  const byJob = new Map(runs.map((r) => [r.job, r]));
  const cronJobs = jobs.filter((j) => j.type === 'cron');
  const cron = cronJobs.map((j) => cronStatus(j, byJob.get(j.name), now));
  const cronNames = new Set(cronJobs.map((j) => j.name));
  const status: Omit<OpsStatus, 'problems'> = {
    at: now,
    migrations: await readMigrationsStatus(sql, migrationsDir),
    cron,
    otherRuns: runs.filter((r) => !cronNames.has(r.job)),
    backfills: await readBackfills(sql, now, t.backfillStuckS),
    sessions: await readSessions(sql, t.idleInTransactionS, t.longTransactionS),
    clocks: await hostClocks(sql),
    junkRuns: await junkRuns(sql),
    retired: await readRetiredIds(sql),
  };
  return { ...status, problems: problemsOf(status) };
}

/** Pure: everything stale, stuck, pending or drifted, one line each. */
export function problemsOf(s: Omit<OpsStatus, 'problems'>): string[] {
  const p: string[] = [];
  const m = s.migrations;
  if (m.pending.length) p.push(`migrations pending (${m.pending.length}): ${listed(m.pending)}`);
  if (m.drifted.length) p.push(`migrations drifted (file changed after it was applied): ${m.drifted.join(', ')}`);
  for (const c of s.cron) if (PROBLEM_VERDICTS.has(c.verdict)) p.push(`cron ${c.job} ${c.verdict}: ${c.reason}`);
  for (const r of s.otherRuns) {
    if (r.state === 'never-finished') p.push(`${r.job} run ${r.id} (host ${r.host}) started ${fmtAge(s.at.getTime() - r.startedAt.getTime())} ago and never finished`);
  }
  for (const b of s.backfills) {
    if (b.stuck) p.push(`backfill ${b.name} stuck: running, last batch ${fmtAge(s.at.getTime() - b.lastBatchAt!.getTime())} ago`);
    if (b.status === 'failed') p.push(`backfill ${b.name} failed at cursor ${b.cursor}`);
  }
  for (const h of s.sessions.accessExclusive) {
    if (h.waiters.length || (h.xactAgeS ?? 0) > 60) {
      p.push(`pid ${h.pid} ('${h.applicationName}') holds ACCESS EXCLUSIVE on ${h.relation} for ${h.xactAgeS ?? '?'}s with ${h.waiters.length} waiting`);
    }
  }
  for (const x of s.sessions.idleInTransaction) p.push(`pid ${x.pid} ('${x.applicationName}') idle in transaction on wxyc_schema, transaction ${x.xactAgeS}s old`);
  for (const x of s.sessions.longTransactions) p.push(`pid ${x.pid} ('${x.applicationName}') transaction on wxyc_schema running for ${x.xactAgeS}s`);
  for (const c of s.clocks) {
    if (Math.abs(c.skewS) > CLOCK_SKEW_LIMIT_S) p.push(`host ${c.host}: ${clockLine(c)} (run ${c.runId} of ${c.job}); fix its time sync (NTP)`);
  }
  for (const j of s.junkRuns) p.push(`job_runs row ${j.id} (${j.job}, host ${j.host}) has started_at ${j.startedAt}, which no run can have: ignored; delete it`);
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
