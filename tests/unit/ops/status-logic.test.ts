import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  backfillStatus,
  cronStatus,
  fmtAge,
  parseJobSpec,
  readJobSpecs,
  schedulePeriodMs,
  taskStateStatus,
} from '@wxyc/ops';
import type { LatestRun } from '@wxyc/database';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const now = new Date('2026-04-20T15:07:00Z');
const spec = { name: 'tick', type: 'cron' as const, schedule: '*/30 * * * *', dir: 'jobs/tick' };
const run = (minutesAgo: number, over: Partial<LatestRun> = {}): LatestRun => ({
  id: 1,
  job: 'tick',
  kind: 'cron',
  state: 'finished',
  outcome: 'ok',
  exitCode: 0,
  error: null,
  host: 'h',
  imageVersion: null,
  startedAt: new Date(now.getTime() - minutesAgo * 60_000),
  finishedAt: now,
  heartbeatAt: now,
  ageS: minutesAgo * 60,
  rowsRead: null,
  rowsWritten: null,
  rowsSkipped: null,
  ...over,
});

describe('job specs', () => {
  it("reads this repo's jobs as the deploy does", () => {
    const specs = readJobSpecs(repo);
    expect(specs.find((s) => s.name === 'flowsheet-etl')).toEqual({
      name: 'flowsheet-etl',
      type: 'cron',
      schedule: '*/30 * * * *',
      dir: 'jobs/flowsheet-etl',
    });
    expect(specs.find((s) => s.name === 'flowsheet-dj-name-backfill')).toMatchObject({
      type: 'one-shot',
      schedule: null,
    });
  });
  it('refuses a bad job-type, a missing or short schedule and bad JSON, naming the file', () => {
    expect(() => parseJobSpec('jobs/x', '{"job-type":"daily"}')).toThrow(
      'jobs/x/package.json: "job-type" must be "cron" or "one-shot", not "daily".',
    );
    expect(() => parseJobSpec('jobs/x', '{}')).toThrow(/jobs\/x\/package.json: job-type cron needs a "cron-schedule"/);
    expect(() => parseJobSpec('jobs/x', '{"cron-schedule":"* * *"}')).toThrow(/five cron fields \(got "\* \* \*"\)/);
    expect(() => parseJobSpec('jobs/x', '{')).toThrow(/jobs\/x\/package.json is not valid JSON/);
  });
});

describe('schedule period', () => {
  it('is the longest gap between fire times over a fixed reference window, whatever today is', () => {
    expect(schedulePeriodMs('*/30 * * * *')).toBe(1_800_000);
    expect(schedulePeriodMs('0 3 * * *')).toBe(86_400_000);
    expect(schedulePeriodMs('0 9 * * 1')).toBe(7 * 86_400_000);
    // */45 fires at :00 and :45: gaps of 45 and 15 minutes; the period is the longer one, at any hour
    expect(schedulePeriodMs('*/45 * * * *')).toBe(45 * 60_000);
    expect(schedulePeriodMs('0 9,17 * * *')).toBe(16 * 3_600_000);
    expect(schedulePeriodMs('0 3 1 * *')).toBe(31 * 86_400_000);
  });
  it('a daily job is not stale hours after a DST change (its period stays 24 h)', () => {
    const spec = { name: 'd', type: 'cron' as const, schedule: '30 1 * * *', dir: 'jobs/d' };
    // 2026-03-08: clocks went forward in New York. The 01:30 EST run, then "now" 3 h later.
    const ranAt = new Date('2026-03-08T06:30:00Z');
    const now = new Date('2026-03-08T09:30:00Z');
    const s = cronStatus(spec, run(0, { startedAt: ranAt, outcome: 'ok', state: 'finished' }), now);
    expect([s.verdict, s.intervalS]).toEqual(['ok', 86_400]);
    // and on the autumn day too
    const fall = cronStatus(
      spec,
      run(0, { startedAt: new Date('2026-11-01T05:30:00Z'), outcome: 'ok', state: 'finished' }),
      new Date('2026-11-01T10:00:00Z'),
    );
    expect([fall.verdict, fall.intervalS]).toEqual(['ok', 86_400]);
  });
  it('refuses an invalid schedule with the library reason', () => {
    expect(() => schedulePeriodMs('61 * * * *')).toThrow(/cron schedule "61 \* \* \* \*" is invalid: .*0-59/);
  });
});

describe('cron verdict', () => {
  it('ok within twice the period, stale after it', () => {
    expect(cronStatus(spec, run(59), now).verdict).toBe('ok');
    expect(cronStatus(spec, run(61), now)).toMatchObject({
      verdict: 'stale',
      reason: 'last run 1h01m ago, over twice its schedule (30m)',
    });
  });
  it('running, stuck, never finished, failed, never run', () => {
    expect(cronStatus(spec, run(10, { state: 'running', outcome: null }), now).verdict).toBe('running');
    expect(cronStatus(spec, run(70, { state: 'running', outcome: null }), now).verdict).toBe('stuck');
    expect(cronStatus(spec, run(1, { state: 'never-finished', outcome: null }), now).verdict).toBe('stale');
    expect(cronStatus(spec, run(1, { outcome: 'failed', exitCode: 3 }), now)).toMatchObject({
      verdict: 'failed',
      reason: 'last run failed with exit code 3',
    });
    expect(cronStatus(spec, run(1, { outcome: 'skipped' }), now).verdict).toBe('ok');
    expect(cronStatus(spec, undefined, now).verdict).toBe('never-run');
  });
  it('formats ages', () => {
    expect([fmtAge(45_000), fmtAge(12 * 60_000), fmtAge(185 * 60_000), fmtAge(52 * 3_600_000)]).toEqual([
      '45s',
      '12m',
      '3h05m',
      '2d04h',
    ]);
  });
});

describe('backfill status', () => {
  const row = (over: Record<string, unknown>) => ({
    name: 'b',
    status: 'running',
    cursor: '500',
    rows_processed: '100',
    pending_at_start: '400',
    started_at: '2026-04-20T15:00:00Z',
    updated_at: '2026-04-20T15:05:00Z',
    finished_at: null,
    skipped: [1, 2, 3],
    ...over,
  });
  it('ETA from the pace so far; parked from `parked` or the older `skipped`', () => {
    expect(backfillStatus(row({}), now, 600)).toMatchObject({
      cursor: 500,
      rowsDone: 100,
      parked: 3,
      etaS: 900,
      stuck: false,
    });
    expect(backfillStatus(row({ parked: 7 }), now, 600).parked).toBe(7);
    expect(backfillStatus(row({ status: 'done' }), now, 600).etaS).toBeNull();
  });
  it('stuck when running with no batch for longer than the threshold', () => {
    expect(backfillStatus(row({}), now, 60).stuck).toBe(true);
    expect(backfillStatus(row({ status: 'interrupted' }), now, 60).stuck).toBe(false);
  });
});

describe("a task's standing (counted by its last run, kept in its state row)", () => {
  const task = (standing: unknown) =>
    taskStateStatus({ name: 't', status: 'budget', position: ['5'], outcomes: {}, parked: [], standing }, now)!;

  it('is read from the row, its time a Date', () => {
    expect(task({ pending: 3, waitingForTtl: 2, parked: 1, at: '2026-04-20T15:00:00Z' }).standing).toEqual({
      pending: 3,
      waitingForTtl: 2,
      parked: 1,
      at: new Date('2026-04-20T15:00:00Z'),
    });
  });

  it('is null when the row has none, or not in its shape', () => {
    expect(task(null).standing).toBeNull();
    expect(task({ pending: '3', waitingForTtl: 2, parked: 1, at: '2026-04-20T15:00:00Z' }).standing).toBeNull();
    expect(task({ pending: 3, waitingForTtl: 2, parked: 1, at: 'yesterday' }).standing).toBeNull();
  });
});
