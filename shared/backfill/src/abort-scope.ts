/**
 * One listener on a run's AbortSignal for everything a limiter has waiting (token waits, slot
 * waits, back-off sleeps, requests in flight): N waiters add no listeners of their own, so there
 * is no MaxListenersExceededWarning, and an abort rejects every wait at once (nothing spins).
 */
export class AbortScope {
  private readonly cancels = new Set<(reason: unknown) => void>();
  private readonly onAbort = () => {
    const reason = this.signal?.reason;
    for (const cancel of [...this.cancels]) cancel(reason);
    this.cancels.clear();
  };

  constructor(readonly signal?: AbortSignal) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get aborted(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Throws the signal's reason if it has aborted. */
  check(): void {
    if (this.signal?.aborted) throw this.signal.reason;
  }

  /** Calls `cancel(reason)` on abort (at once if already aborted); returns the unregistering function. */
  watch(cancel: (reason: unknown) => void): () => void {
    if (this.signal?.aborted) {
      cancel(this.signal.reason);
      return () => {};
    }
    this.cancels.add(cancel);
    return () => this.cancels.delete(cancel);
  }

  /** Resolves after `ms`; rejects with the abort reason on abort. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        forget();
        resolve();
      }, ms);
      const forget = this.watch((reason) => {
        clearTimeout(t);
        reject(reason);
      });
    });
  }

  /** Drops the listener (the limiter is done). */
  close(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.cancels.clear();
  }
}
