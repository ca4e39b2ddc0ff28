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
  parked: [{ id: 7, sqlstate: '22001', message: 'value too long for type character varying(8)' }],
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
        parked: [{ id: 150, sqlstate: '23503', message: 'fk' }],
      },
      { lo: 100, hi: 200 },
      200,
    );
    expect(next).toMatchObject({
      cursor: 200,
      rowsProcessed: 140,
      rowsWritten: 135,
      rowsUnresolved: 5,
      batches: 2,
      skipped: [40, 140],
    });
    expect(next.unresolved).toEqual([
      { reason: 'no name', count: 2, sample: [130, 131] },
      { reason: 'no show', count: 3, sample: [5, 9, 120] },
    ]);
    expect(next.parked.map((p) => p.id)).toEqual([7, 150]);
    expect(base.cursor).toBe(100); // pure
  });

  it('a revisit of skipped keys removes them and leaves the cursor', () => {
    const next = applyOutcome(
      base,
      { rows: 1, written: 1, fallback: 0, unresolved: [], skipped: [], parked: [] },
      { ids: [40], wait: true },
      null,
    );
    expect(next.cursor).toBe(100);
    expect(next.skipped).toEqual([]);
    expect(next.parked).toEqual(base.parked);
  });

  it('a retry of parked keys takes them off the list, and parks again those that fail again', () => {
    const again = { id: 7, sqlstate: '22001', message: 'still too long' };
    const next = applyOutcome(
      base,
      { rows: 1, written: 0, fallback: 0, unresolved: [], skipped: [], parked: [again] },
      { ids: [7], wait: true },
      null,
    );
    expect(next.parked).toEqual([again]);
    const fixed = applyOutcome(
      base,
      { rows: 1, written: 1, fallback: 0, unresolved: [], skipped: [], parked: [] },
      { ids: [7], wait: true },
      null,
    );
    expect(fixed.parked).toEqual([]);
  });
});
