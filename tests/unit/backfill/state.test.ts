import { describe, expect, it } from 'vitest';
import { applyOutcome, type RunState } from '@wxyc/backfill';

const base: RunState = {
  name: 'x',
  status: 'running',
  cursor: 100,
  rowsProcessed: 90,
  rowsWritten: 88,
  rowsFallback: 0,
  rowsUnresolved: 2,
  unresolved: [{ reason: 'no show', count: 2, sample: [5, 9] }],
  skipped: [40],
  batchSize: 1000,
  batches: 1,
  pendingAtStart: 500,
  startedAt: new Date(0),
};

describe('state after a batch', () => {
  it('moves the cursor and adds counts, merging unresolved samples by reason', () => {
    const next = applyOutcome(
      base,
      {
        rows: 50,
        written: 47,
        fallback: 0,
        unresolved: [
          { reason: 'no show', count: 1, sample: [120] },
          { reason: 'no name', count: 2, sample: [130, 131] },
        ],
        skipped: [140],
      },
      { lo: 100, hi: 200 },
      200,
    );
    expect(next).toMatchObject({ cursor: 200, rowsProcessed: 140, rowsWritten: 135, rowsUnresolved: 5, batches: 2, skipped: [40, 140] });
    expect(next.unresolved).toEqual([
      { reason: 'no name', count: 2, sample: [130, 131] },
      { reason: 'no show', count: 3, sample: [5, 9, 120] },
    ]);
    expect(base.cursor).toBe(100); // pure
  });

  it('a revisit of skipped keys removes them and leaves the cursor', () => {
    const next = applyOutcome(base, { rows: 1, written: 1, fallback: 0, unresolved: [], skipped: [40] }, { ids: [40] }, null);
    expect(next.cursor).toBe(100);
    expect(next.skipped).toEqual([]);
  });
});
