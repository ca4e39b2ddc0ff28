export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Opens after `threshold` consecutive failed calls (each already retried), so a dead API pauses
 * the run instead of failing every row. After `cooldownMs` it lets one probe through (half-open):
 * its success closes the circuit, its failure opens it again. Pure over an injected clock.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(
    private readonly threshold: number,
    readonly cooldownMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(threshold >= 1)) throw new RangeError(`circuit breaker threshold must be at least 1 (got ${threshold})`);
  }

  get state(): CircuitState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** ms until a probe may go, 0 when calls may go now. */
  get waitMs(): number {
    return this.openedAt === null ? 0 : Math.max(0, this.cooldownMs - (this.now() - this.openedAt));
  }

  /** Whether a call may go now; in half-open, only one probe at a time. */
  allow(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  failure(): void {
    this.failures++;
    if (this.probing || this.failures >= this.threshold) this.openedAt = this.now();
    this.probing = false;
  }
}
