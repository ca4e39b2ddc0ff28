/** At most `max` holders at once; the others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: { resolve: () => void; reject: (reason: unknown) => void }[] = [];

  constructor(private readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`concurrency must be at least 1 (got ${max})`);
  }

  get inUse(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** A slot; an `urgent` caller waits at the head of the queue. */
  async acquire(urgent = false): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    // the releasing holder hands its slot over, so `active` stays the same
    await new Promise<void>((resolve, reject) =>
      urgent ? this.waiting.unshift({ resolve, reject }) : this.waiting.push({ resolve, reject }),
    );
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.active--;
  }

  /** Rejects every waiter with `reason` (the run stops); holders keep their slots until they release. */
  rejectWaiting(reason: unknown): void {
    for (const w of this.waiting.splice(0)) w.reject(reason);
  }
}
