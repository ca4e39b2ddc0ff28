import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backfillStatus, cronStatus, fmtAge, parseJobSpec, readJobSpecs, scheduleIntervalMs } from '@wxyc/ops';
import type { LatestRun } from '@wxyc/database';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const now = new Date('2026-04-20T15:07:00Z');
const spec = { name: 'tick', type: 'cron' as const, schedule: '*/30 * * * *', dir: 'jobs/tick' };
const run = (minutesAgo: number, over: Partial<LatestRun> = {}): LatestRun => ({
  id: 1, job: 'tick', kind: 'cron', state: 'finished', outcome: 'ok', exitCode: 0, error: null, host: 'h', imageVersion: null,
  startedAt: new Date(now.getTime() - minutesAgo * 60_000), finishedAt: now, heartbeatAt: now, ageS: minutesAgo * 60,
  rowsRead: null, rowsWritten: null, rowsSkipped: null, ...over,
});

describe('job specs', () => {
  it("reads this repo's jobs as the deploy does", () => {
    const specs = readJobSpecs(repo);
    expect(specs.find((s) => s.name === 'flowsheet-etl')).toEqual({ name: 'flowsheet-etl', type: 'cron', schedule: '*/30 * * * *', dir: 'jobs/flowsheet-etl' });
    expect(specs.find((s) => s.name === 'flowsheet-dj-name-backfill')).toMatchObject({ type: 'one-shot', schedule: null });
  });
  it('refuses a bad job-type, a missing or short schedule and bad JSON, naming the file', () => {
    expect(() => parseJobSpec('jobs/x', '{"job-type":"daily"}')).toThrow('jobs/x/package.json: "job-type" must be "cron" or "one-shot", not "daily".');
    expect(() => parseJobSpec('jobs/x', '{}')).toThrow(/jobs\/x\/package.json: job-type cron needs a "cron-schedule"/);
    expect(() => parseJobSpec('jobs/x', '{"cron-schedule":"* * *"}')).toThrow(/five cron fields \(got "\* \* \*"\)/);
    expect(() => parseJobSpec('jobs/x', '{')).toThrow(/jobs\/x\/package.json is not valid JSON/);
  });
});

describe('schedule period', () => {
  it('is the gap between the two latest fire times, in the station time zone', () => {
    expect(scheduleIntervalMs('*/30 * * * *', now)).toBe(1_800_000);
    expect(scheduleIntervalMs('0 3 * * *', now)).toBe(86_400_000);
    expect(scheduleIntervalMs('0 9 * * 1', now)).toBe(7 * 86_400_000);
    // the day the clocks went forward in New York is 23 hours long
    expect(scheduleIntervalMs('0 12 * * *', new Date('2026-03-08T18:00:00Z'))).toBe(23 * 3_600_000);
  });
  it('refuses an invalid schedule with the library reason', () => {
    expect(() => scheduleIntervalMs('61 * * * *', now)).toThrow(/cron schedule "61 \* \* \* \*" is invalid: .*0-59/);
  });
});

describe('cron verdict', () => {
  it('ok within twice the period, stale after it', () => {
    expect(cronStatus(spec, run(59), now).verdict).toBe('ok');
    expect(cronStatus(spec, run(61), now)).toMatchObject({ verdict: 'stale', reason: 'last run 1h01m ago, over twice its schedule (30m)' });
  });
  it('running, stuck, never finished, failed, never run', () => {
    expect(cronStatus(spec, run(10, { state: 'running', outcome: null }), now).verdict).toBe('running');
    expect(cronStatus(spec, run(70, { state: 'running', outcome: null }), now).verdict).toBe('stuck');
    expect(cronStatus(spec, run(1, { state: 'never-finished', outcome: null }), now).verdict).toBe('stale');
    expect(cronStatus(spec, run(1, { outcome: 'failed', exitCode: 3 }), now)).toMatchObject({ verdict: 'failed', reason: 'last run failed with exit code 3' });
    expect(cronStatus(spec, run(1, { outcome: 'skipped' }), now).verdict).toBe('ok');
    expect(cronStatus(spec, undefined, now).verdict).toBe('never-run');
  });
  it('formats ages', () => {
    expect([fmtAge(45_000), fmtAge(12 * 60_000), fmtAge(185 * 60_000), fmtAge(52 * 3_600_000)]).toEqual(['45s', '12m', '3h05m', '2d04h']);
  });
});

describe('backfill status', () => {
  const row = (over: Record<string, unknown>) => ({
    name: 'b', status: 'running', cursor: '500', rows_processed: '100', pending_at_start: '400',
    started_at: '2026-04-20T15:00:00Z', updated_at: '2026-04-20T15:05:00Z', finished_at: null, skipped: [1, 2, 3], ...over,
  });
  it('ETA from the pace so far; parked from `parked` or the older `skipped`', () => {
    expect(backfillStatus(row({}), now, 600)).toMatchObject({ cursor: 500, rowsDone: 100, parked: 3, etaS: 900, stuck: false });
    expect(backfillStatus(row({ parked: 7 }), now, 600).parked).toBe(7);
    expect(backfillStatus(row({ status: 'done' }), now, 600).etaS).toBeNull();
  });
  it('stuck when running with no batch for longer than the threshold', () => {
    expect(backfillStatus(row({}), now, 60).stuck).toBe(true);
    expect(backfillStatus(row({ status: 'interrupted' }), now, 60).stuck).toBe(false);
  });
});
