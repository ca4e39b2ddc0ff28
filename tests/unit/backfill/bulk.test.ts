// The bulk helper's pure parts: which requests a batch needs (de-dup, cache, chunks of K) and the
// bounded in-run cache.
import { describe, expect, it } from 'vitest';
import { planRequests, VerdictCache } from '@wxyc/backfill';

describe('planRequests', () => {
  it('asks each key once, in first-seen order, in chunks of the bulk size', () => {
    expect(planRequests(['a', 'b', 'a', 'c', 'd', 'b', 'e'], () => false, 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('leaves out keys the cache answers; nothing to ask is no request', () => {
    const cached = new Set(['b', 'd']);
    expect(planRequests(['a', 'b', 'c', 'd'], (k) => cached.has(k), 3)).toEqual([['a', 'c']]);
    expect(planRequests(['b', 'd', 'b'], (k) => cached.has(k), 3)).toEqual([]);
    expect(planRequests([], () => false, 3)).toEqual([]);
  });

  it('refuses a bulk size below 1', () => {
    expect(() => planRequests(['a'], () => false, 0)).toThrow(/bulk size must be at least 1/);
  });
});

describe('VerdictCache', () => {
  it('forgets its oldest entries past its size', () => {
    const c = new VerdictCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('forgets a key only while it still holds the given entry', () => {
    const c = new VerdictCache<number>(4);
    c.set('a', 1);
    c.forget('a', 2);
    expect(c.get('a')).toBe(1);
    c.forget('a', 1);
    expect(c.get('a')).toBeUndefined();
  });
});
