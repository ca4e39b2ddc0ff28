import { describe, expect, it } from 'vitest';
import { advance, advanceNew, MAX_OUTLIERS, newestStamp, nextModifiedMark, rebaseOutlier } from '@wxyc/legacy-etl';
import { mergePendingEntries, MAX_PENDING_ENTRIES } from '../../../jobs/flowsheet-etl/src/pending.js';

const now = Date.UTC(2026, 3, 4);

describe('table cursor', () => {
  it('advance moves the id only; the edit mark moves once per tick', () => {
    expect(advance({ maxId: 5, maxModified: 100 }, [3, 9, 7])).toEqual({ maxId: 9, maxModified: 100 });
  });

  it('newestStamp ignores empty, zero and far-future stamps (a clock typo must not hide later edits)', () => {
    expect(newestStamp(100, [50, 200, null, 0], now)).toBe(200);
    expect(newestStamp(100, [now + 365 * 86_400_000], now)).toBe(100);
    expect(newestStamp(null, [null], now)).toBeNull();
  });

  it('the mark never passes the tick start minus the overlap, even when a later-read row is stamped after it', () => {
    const start = now;
    // A row edited during the tick is stamped after `start`; a mark at the newest stamp read (start + 5 s) would skip it.
    expect(nextModifiedMark(start - 3_600_000, start + 5_000, start, 600_000)).toBe(start - 600_000);
  });

  it('the mark follows the newest stamp when the writers stamp behind the server clock', () => {
    expect(nextModifiedMark(1_000, 5_000, now, 600_000)).toBe(5_000);
  });

  it('a quiet table keeps its mark (no drift back); an old unsafe mark is pulled under the ceiling', () => {
    expect(nextModifiedMark(5_000, null, now, 600_000)).toBe(5_000);
    expect(nextModifiedMark(5_000, 1_000, now, 600_000)).toBe(5_000);
    expect(nextModifiedMark(now + 60_000, null, now, 600_000)).toBe(now - 600_000);
    expect(nextModifiedMark(null, null, now, 600_000)).toBeNull();
  });
});

describe('pending entries', () => {
  it('entries of a page leave the list; those still waiting join it', () => {
    expect(mergePendingEntries([3, 7, 9], [7, 9, 11, 12], [9, 12])).toEqual({ pending: [3, 9, 12], dropped: [] });
  });

  it('is bounded: the oldest ids are dropped, and named', () => {
    const full = Array.from({ length: MAX_PENDING_ENTRIES }, (_, i) => i + 10);
    const r = mergePendingEntries(full, [], [1, 2]);
    expect(r.pending).toHaveLength(MAX_PENDING_ENTRIES);
    expect(r.dropped).toEqual([1, 2]);
  });
});

describe('outlier ids (advanceNew, rebaseOutlier)', () => {
  const c = (maxId: number, outliers?: number[]) => ({ maxId, maxModified: null, ...(outliers ? { outliers } : {}) });
  it('an id far above the rows before it is kept aside; the cursor follows the real ids', () => {
    expect(advanceNew(c(10_000), [10_001, 2_147_483_647], 1_000_000)).toEqual(c(10_001, [2_147_483_647]));
    expect(advanceNew(c(10_001, [2_147_483_647]), [10_002, 2_147_483_647], 1_000_000)).toEqual(
      c(10_002, [2_147_483_647]),
    );
  });
  it('first rows are never outliers; gap 0 is off; a real jump is taken once it holds more than MAX_OUTLIERS rows', () => {
    expect(advanceNew(c(0), [5_000_000], 1_000)).toEqual(c(5_000_000));
    expect(advanceNew(c(10), [5_000_000], 0)).toEqual(c(5_000_000));
    const jump = Array.from({ length: MAX_OUTLIERS + 1 }, (_, i) => 9_000_000 + i);
    expect(advanceNew(c(10), jump, 1_000)).toEqual(c(9_000_000 + MAX_OUTLIERS));
  });
  it('a cursor standing on an outlier goes back to the id before it', () => {
    expect(rebaseOutlier(c(2_147_483_647), 10_000, 1_000_000)).toEqual(c(10_000, [2_147_483_647]));
    expect(rebaseOutlier(c(10_001), 10_000, 1_000_000)).toBeNull();
    expect(rebaseOutlier(c(2_147_483_647), 10_000, 0)).toBeNull();
  });
});
