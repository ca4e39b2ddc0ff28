import { describe, expect, it } from 'vitest';
import type { RunSummary } from '@wxyc/backfill';
import {
  refreshDryRunLines,
  refreshSummaryLines,
  summaryLines,
} from '../../../jobs/backfills/flowsheet-dj-name-backfill/src/report.js';

const summary = (over: Partial<RunSummary> = {}): RunSummary => ({
  name: 'flowsheet-dj-name',
  dryRun: false,
  interrupted: false,
  pendingAtStart: 130,
  rowsProcessed: 130,
  rowsWritten: 100,
  rowsFallback: 0,
  rowsUnresolved: 30,
  unresolved: [
    { reason: 'no show', count: 10, sample: [1, 2] },
    { reason: 'show without handle', count: 20, sample: [7] },
  ],
  rowsParked: 0,
  parked: [],
  stillLocked: [],
  pendingAtEnd: 30,
  analyzed: false,
  cursor: 500,
  batches: 2,
  elapsedMs: 2000,
  ...over,
});

describe('flowsheet-dj-name-backfill report', () => {
  it('a fill reports rows with no handle by reason, with sample ids', () => {
    expect(summaryLines(summary())).toEqual([
      'done: 100 rows filled, 30 rows have no handle and stay NULL, 2 batches, elapsed 2s, 65 rows/s',
      'no handle (no show): 10 rows, e.g. ids 1, 2',
      'no handle (show without handle): 20 rows, e.g. ids 7',
    ]);
  });

  it('names rows still locked by another session', () => {
    expect(summaryLines(summary({ unresolved: [], rowsUnresolved: 0, stillLocked: [4, 5] })).at(-1)).toBe(
      'still locked by another session, left pending: 2 rows, e.g. ids 4, 5',
    );
  });

  it('names parked rows, in a fill and in a refresh', () => {
    const parked = {
      rowsParked: 2,
      parked: [{ sqlstate: '22001', message: 'value too long', count: 2, sample: [8, 9] }],
    };
    const line = 'parked (SQLSTATE 22001: value too long): 2 rows, e.g. ids 8, 9; retry them with --retry-parked';
    expect(summaryLines(summary({ ...parked, unresolved: [] })).at(-1)).toBe(line);
    expect(refreshSummaryLines(summary(parked)).at(-1)).toBe(line);
  });

  it('a refresh reports what it rewrote, and its dry run what would change by reason', () => {
    expect(refreshSummaryLines(summary({ rowsWritten: 12, unresolved: [] }))[0]).toMatch(
      /^done: 12 rows re-resolved by the DJ-name rule/,
    );
    expect(
      refreshDryRunLines([
        { reason: 'anonymous', count: 2, sample: [3, 9] },
        { reason: 'real name', count: 5, sample: [1] },
      ]),
    ).toEqual([
      'refresh would change 7 rows',
      'would change (anonymous): 2 rows, e.g. ids 3, 9',
      'would change (real name): 5 rows, e.g. ids 1',
    ]);
    expect(refreshDryRunLines([])).toEqual(['refresh would change 0 rows']);
  });
});
