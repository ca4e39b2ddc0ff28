import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  CircuitBreaker,
  isRetryableStatus,
  nextDelayMs,
  retryAfterMs,
  Semaphore,
  TokenBucket,
} from '@wxyc/backfill';

const clock = (start = 0) => {
  const c = { t: start, now: () => c.t };
  return c;
};

describe('token bucket (requests per minute)', () => {
  it('lets the burst through, then one token per 60000/rpm ms', () => {
    const c = clock();
    const b = new TokenBucket(600, 2, c.now); // 10 per second: one per 100 ms
    expect([b.take(), b.take()]).toEqual([0, 0]);
    expect(b.take()).toBe(100);
    c.t = 50;
    expect(b.take()).toBe(50);
    c.t = 100;
    expect(b.take()).toBe(0);
    c.t = 10_000; // refills only up to the burst
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 100]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(/perMinute > 0/);
  });
});

describe('retry timing', () => {
  it('retries 429 and 5xx only', () => {
    expect([429, 500, 503, 200, 404, 400].map(isRetryableStatus)).toEqual([true, true, true, false, false, false]);
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores garbage', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('0.5', now)).toBe(500);
    expect(retryAfterMs('Tue, 01 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it('backs off exponentially up to the cap, and honours Retry-After (capped) over it', () => {
    expect([1, 2, 3, 10].map((a) => backoffDelayMs(a, 100, 1000, 0.999999))).toEqual([100, 200, 400, 1000]);
    expect(backoffDelayMs(1, 100, 1000, 0)).toBe(50);
    expect(nextDelayMs(1, 3000, 100, 10_000)).toBe(3000);
    expect(nextDelayMs(1, 60_000, 100, 10_000)).toBe(10_000);
  });
});

describe('circuit breaker', () => {
  it('opens after K consecutive failures, lets one probe through after the cool-down, closes on its success', () => {
    const c = clock();
    const b = new CircuitBreaker(3, 1000, c.now);
    b.failure();
    b.failure();
    b.success(); // not consecutive
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    expect([b.state, b.allow(), b.waitMs]).toEqual(['open', false, 1000]);
    c.t = 1000;
    expect([b.state, b.allow(), b.allow()]).toEqual(['half-open', true, false]); // one probe only
    b.success();
    expect([b.state, b.allow()]).toEqual(['closed', true]);
  });

  it('opens again at once when the probe fails', () => {
    const c = clock();
    const b = new CircuitBreaker(2, 500, c.now);
    b.failure();
    b.failure();
    c.t = 600;
    expect(b.allow()).toBe(true);
    b.failure();
    expect([b.state, b.waitMs]).toEqual(['open', 500]);
  });
});

describe('semaphore (max concurrency)', () => {
  it('never admits more than max, and hands slots over in order', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    await s.acquire();
    await s.acquire();
    const third = s.acquire().then(() => order.push(3));
    const fourth = s.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect([s.inUse, order]).toEqual([2, []]);
    s.release();
    await third;
    expect([s.inUse, order]).toEqual([2, [3]]);
    s.release();
    await fourth;
    s.release();
    s.release();
    expect([s.inUse, order]).toEqual([0, [3, 4]]);
  });
});
