import { describe, expect, it } from 'vitest';
import { initialBatchSize, nextBatchSize, sizeAfterTimeout, MAX_BATCH_SIZE, MIN_BATCH_SIZE } from '@wxyc/backfill';

describe('adaptive batch size', () => {
  it('scales toward the target in proportion to the time taken', () => {
    expect(nextBatchSize(5000, 200, 300)).toBe(7500);
    expect(nextBatchSize(5000, 400, 300)).toBe(3750);
    expect(nextBatchSize(5000, 300, 300)).toBe(5000);
  });

  it('changes by at most 2x per step either way', () => {
    expect(nextBatchSize(5000, 1, 300)).toBe(10000);
    expect(nextBatchSize(5000, 0, 300)).toBe(10000);
    expect(nextBatchSize(5000, 60_000, 300)).toBe(2500);
  });

  it('stays within [100, 100000]', () => {
    expect(nextBatchSize(90_000, 10, 300)).toBe(MAX_BATCH_SIZE);
    expect(nextBatchSize(150, 10_000, 300)).toBe(MIN_BATCH_SIZE);
    expect(initialBatchSize(1)).toBe(100);
    expect(initialBatchSize(10_000_000)).toBe(100_000);
    expect(initialBatchSize(5000)).toBe(5000);
  });

  it('halves after a statement timeout, never below the minimum', () => {
    expect(sizeAfterTimeout(5000)).toBe(2500);
    expect(sizeAfterTimeout(150)).toBe(100);
    expect(sizeAfterTimeout(100)).toBe(100);
  });

  it('converges on the size that meets the target when time is proportional to size', () => {
    let size = 100;
    const msPerRow = 0.01; // 30000 rows = 300 ms
    for (let i = 0; i < 20; i++) size = nextBatchSize(size, size * msPerRow, 300);
    expect(size).toBe(30_000);
  });
});
