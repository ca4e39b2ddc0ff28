import { describe, expect, it } from 'vitest';
import { batchLine, etaMs, formatDuration, percentile, pauseReason, walkDoneLine } from '@wxyc/backfill';

describe('progress formatting', () => {
  it('prints the exact batch line', () => {
    expect(batchLine({ batch: 3, rows: 4400, processed: 13200, remaining: 2_274_800, etaMs: 185_000 })).toBe(
      'batch 3: 4400 rows, total processed 13200, remaining 2274800, ETA ~3m 05s',
    );
  });

  it('says "nothing pending" instead of an ETA when nothing is left (an empty run has no rate: not "ETA ~?")', () => {
    expect(batchLine({ batch: 1, rows: 0, processed: 0, remaining: 0, etaMs: Number.NaN })).toBe(
      'batch 1: 0 rows, total processed 0, remaining 0, nothing pending',
    );
  });

  it('ends the walk at remaining 0, naming rows counted at start that another session changed', () => {
    expect(walkDoneLine(5941, 5942, 0)).toBe(
      'walk done: total processed 5941, remaining 0 (1 rows counted at start were no longer pending when the walk reached them: written or deleted by another session)',
    );
    expect(walkDoneLine(10, 12, 2)).toBe('walk done: total processed 10, remaining 0');
  });

  it('extrapolates the ETA from the rate so far, with no rate yet as ?', () => {
    expect(etaMs(1000, 3000, 2000)).toBe(6000);
    expect(formatDuration(etaMs(0, 3000, 0))).toBe('?');
    expect(formatDuration(42_400)).toBe('42s');
    expect(formatDuration(3_725_000)).toBe('1h 02m');
  });

  it('takes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('back-off decision', () => {
  it('goes on when nobody waits and replicas keep up (or there are none)', () => {
    expect(pauseReason({ lockWaiters: [], replicaLagMs: 0 }, 5000)).toBeNull();
    expect(pauseReason({ lockWaiters: [], replicaLagMs: 5000 }, 5000)).toBeNull();
  });

  it('names the waiting sessions and the lag when pausing', () => {
    expect(pauseReason({ lockWaiters: [41, 42], replicaLagMs: 0 }, 5000)).toBe(
      'session(s) 41, 42 waiting on a lock held by the backfill',
    );
    expect(pauseReason({ lockWaiters: [], replicaLagMs: 7300.4 }, 5000)).toBe(
      'replica replay lag 7300 ms > BACKFILL_MAX_REPLICA_LAG_MS=5000',
    );
  });
});
