/**
 * Requests per minute as a token bucket: `burst` tokens at most, refilled at perMinute/60 000 per
 * ms. Pure over an injected clock, so the arithmetic is unit-tested without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly burst = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perMinute > 0) || !(burst >= 1))
      throw new RangeError(`token bucket needs perMinute > 0 and burst >= 1 (got ${perMinute}, ${burst})`);
    this.perMs = perMinute / 60_000;
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token and returns 0, or returns how many ms to wait before one is there (takes nothing). */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.last) * this.perMs);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.perMs);
  }
}
