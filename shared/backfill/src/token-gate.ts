import type { AbortScope } from './abort-scope.js';
import type { TokenBucket } from './token-bucket.js';

/**
 * Callers waiting for a token of a bucket, served in arrival order by one timer for the head of
 * the queue. An abort rejects every waiter at once (a wait never turns into a busy loop).
 */
export class TokenGate {
  private readonly queue: { resolve: () => void; reject: (reason: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly scope: AbortScope,
  ) {
    scope.watch((reason) => this.rejectAll(reason));
  }

  /** Callers waiting for a token. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Resolves once a token is taken for the caller; rejects with the abort reason on abort. An
   * `urgent` caller (a retry, a redirect hop: work already begun) goes to the head of the queue, so
   * a failing API is asked again, and its breaker opens, before new calls pile up.
   */
  take(urgent = false): Promise<void> {
    this.scope.check();
    if (this.queue.length === 0 && this.bucket.take() === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (urgent) this.queue.unshift({ resolve, reject });
      else this.queue.push({ resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = this.bucket.take();
    if (wait === 0) {
      this.queue.shift()!.resolve();
      this.pump();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, wait);
  }

  private rejectAll(reason: unknown): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.queue.splice(0)) w.reject(reason);
  }
}
