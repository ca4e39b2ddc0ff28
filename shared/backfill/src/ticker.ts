import type { Logger } from '@wxyc/job-runtime';
import { batchLine, etaMs, walkDoneLine } from './format.js';
import type { RunState } from './state.js';

/** Progress and ETA from the counts the batches report (no table scan): one line per batch. */
export class ProgressTicker {
  private readonly startedAt = Date.now();
  private processedThisRun = 0;
  private lastRemaining = 0;

  constructor(private readonly log: Logger) {}

  tick(state: RunState, rows: number): void {
    this.processedThisRun += rows;
    const remaining = Math.max(0, state.pendingAtStart - state.rowsProcessed);
    this.log.info(
      batchLine({
        batch: state.batches,
        rows,
        processed: state.rowsProcessed,
        remaining,
        etaMs: etaMs(this.processedThisRun, remaining, Date.now() - this.startedAt),
      }),
    );
    this.lastRemaining = remaining;
  }

  /** At the end of a finished walk: a last line when the batch lines left "remaining N > 0" standing. */
  done(state: RunState): void {
    if (this.lastRemaining > 0)
      this.log.info(walkDoneLine(state.rowsProcessed, state.pendingAtStart, state.skipped.length));
  }
}
