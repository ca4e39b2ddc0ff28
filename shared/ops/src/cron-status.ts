import type { LatestRun } from '@wxyc/database';
import { schedulePeriodMs } from './cron.js';
import type { JobSpec } from './jobs.js';

/** unknown: run history could not be read (locked); ok; running (within bounds); stale (no run for 2 periods, or the last one never finished); stuck (running for over 2 periods); failed; never-run. */
export type CronVerdict = 'ok' | 'running' | 'stale' | 'stuck' | 'failed' | 'never-run' | 'unknown';

export interface CronStatus {
  job: string;
  schedule: string;
  intervalS: number;
  verdict: CronVerdict;
  /** Why, in a few words, when the verdict is not ok. */
  reason: string | null;
  last: LatestRun | null;
}

export const PROBLEM_VERDICTS: ReadonlySet<CronVerdict> = new Set(['stale', 'stuck', 'failed', 'never-run']);

/** Pure: the verdict for one cron job from its schedule and its newest run. */
export function cronStatus(spec: JobSpec, last: LatestRun | undefined, now: Date): CronStatus {
  const schedule = spec.schedule!;
  const intervalMs = schedulePeriodMs(schedule);
  const base = { job: spec.name, schedule, intervalS: Math.round(intervalMs / 1000), last: last ?? null };
  const twice = 2 * intervalMs;
  if (!last) return { ...base, verdict: 'never-run', reason: 'no run recorded' };
  const age = now.getTime() - last.startedAt.getTime();
  if (last.state === 'never-finished')
    return { ...base, verdict: 'stale', reason: 'last run started but never finished (process gone)' };
  if (last.state === 'running') {
    return age > twice
      ? { ...base, verdict: 'stuck', reason: `running for ${fmtAge(age)}, over twice its schedule` }
      : { ...base, verdict: 'running', reason: null };
  }
  if (age > twice)
    return {
      ...base,
      verdict: 'stale',
      reason: `last run ${fmtAge(age)} ago, over twice its schedule (${fmtAge(intervalMs)})`,
    };
  if (last.outcome === 'failed')
    return { ...base, verdict: 'failed', reason: `last run failed with exit code ${last.exitCode}` };
  return { ...base, verdict: 'ok', reason: null };
}

/** 45s, 12m, 3h05m, 2d04h */
export function fmtAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}
