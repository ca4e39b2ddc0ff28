import { sleep } from '@wxyc/database';
import { CircuitBreaker } from './circuit.js';
import { Semaphore } from './concurrency.js';
import { isRetryableStatus, nextDelayMs, retryAfterMs } from './retry.js';
import { TokenBucket } from './token-bucket.js';

export interface LimiterSettings {
  /** Requests per minute over the whole run (token bucket). */
  requestsPerMinute: number;
  /** Requests that may go back to back before the rate applies. */
  burst: number;
  /** Requests in flight at once. */
  maxConcurrency: number;
  /** Per call, response body included: a hung request is abandoned (and retried) after this. */
  timeoutMs: number;
  /** Retries of one call on 429, 5xx, a timeout or a network error. */
  maxRetries: number;
  backoffBaseMs: number;
  /** Cap on any one wait, Retry-After included. */
  backoffMaxMs: number;
  /** Consecutive failed calls (retries used up) that open the circuit and pause the run. */
  breakerThreshold: number;
  breakerCooldownMs: number;
}

export const DEFAULT_LIMITER: LimiterSettings = {
  requestsPerMinute: 600, burst: 4, maxConcurrency: 4, timeoutMs: 10_000, maxRetries: 4,
  backoffBaseMs: 250, backoffMaxMs: 30_000, breakerThreshold: 5, breakerCooldownMs: 30_000,
};

/** One lookup that failed after its retries: the row is parked until `retryAfterMs` from now. */
export class LookupFailed extends Error {
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/** The circuit is open: the API is down, the run pauses (the row is not failed). */
export class CircuitOpen extends Error {}

export type LimitedFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** The shared limiter of a run: every lookup's HTTP goes through `fetch` here. */
export class ApiLimiter {
  readonly breaker: CircuitBreaker;
  private readonly bucket: TokenBucket;
  private readonly slots: Semaphore;
  /** HTTP requests sent, retries included. */
  requests = 0;

  constructor(readonly s: LimiterSettings, private readonly signal?: AbortSignal) {
    this.bucket = new TokenBucket(s.requestsPerMinute, s.burst);
    this.slots = new Semaphore(s.maxConcurrency);
    this.breaker = new CircuitBreaker(s.breakerThreshold, s.breakerCooldownMs);
  }

  private async token(): Promise<void> {
    for (let wait = this.bucket.take(); wait > 0; wait = this.bucket.take()) await sleep(wait, this.signal);
  }

  /** One request, once a token and a slot are free; the circuit is asked then (not when queued). */
  private async once(url: string | URL, init: RequestInit | undefined, first: boolean): Promise<Response | Error> {
    await this.token();
    await this.slots.acquire();
    try {
      // a retry stops too once another call opened the circuit: the row waits for the run to resume
      if (first ? !this.breaker.allow() : this.breaker.state === 'open') throw new CircuitOpen(`circuit open after ${this.s.breakerThreshold} consecutive failed lookups`);
      this.requests++;
      const timeout = AbortSignal.timeout(this.s.timeoutMs);
      const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
      return await fetch(url, { ...init, signal });
    } catch (err) {
      if (err instanceof CircuitOpen) throw err;
      return err as Error;
    } finally {
      this.slots.release();
    }
  }

  /** fetch with the limits; a 2xx-4xx answer (not 429) is returned; the rest is retried, then thrown as LookupFailed. */
  readonly fetch: LimitedFetch = async (url, init) => {
    for (let attempt = 1; ; attempt++) {
      const r = await this.once(url, init, attempt === 1);
      if (this.signal?.aborted) throw this.signal.reason;
      if (r instanceof Response && !isRetryableStatus(r.status)) {
        this.breaker.success();
        return r;
      }
      const after = r instanceof Response ? retryAfterMs(r.headers.get('retry-after'), Date.now()) : null;
      if (r instanceof Response) await r.body?.cancel();
      const what = r instanceof Response ? `HTTP ${r.status}` : r.name === 'TimeoutError' ? `timed out after ${this.s.timeoutMs} ms` : r.message;
      if (attempt > this.s.maxRetries) {
        this.breaker.failure();
        throw new LookupFailed(`${what} after ${attempt} attempts`, after ?? this.s.backoffMaxMs);
      }
      await sleep(nextDelayMs(attempt, after, this.s.backoffBaseMs, this.s.backoffMaxMs, Math.random()), this.signal);
    }
  };
}
