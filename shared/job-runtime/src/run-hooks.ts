import { EXIT } from './errors.js';
import type { Logger } from './logger.js';

/** How a run ended, as run history and monitoring record it. */
export type RunOutcome = 'ok' | 'skipped' | 'failed' | 'interrupted';

export interface RunCounts {
  read: number;
  written: number;
  skipped: number;
}

export interface RunEnd {
  exitCode: number;
  outcome: RunOutcome;
  /** The one error line the job printed (already masked by the job), when it failed. */
  error: string | null;
  /** null when the job reported no counts. */
  counts: RunCounts | null;
}

/**
 * Something that observes every run of a job (run history, error reporting). A hook must not
 * throw; runJob still catches and logs anything it throws, and the job's exit code stands.
 */
export interface RunHook {
  start(job: string, log: Logger): Promise<void> | void;
  finish(end: RunEnd, log: Logger): Promise<void> | void;
}

// One run per process: the report below is what the running job said about itself.
let counts: RunCounts | null = null;
let skipped = false;

/** Adds to this run's counts (rows read from the source, written, skipped as bad). */
export function countRows(add: Partial<RunCounts>): void {
  counts ??= { read: 0, written: 0, skipped: 0 };
  counts.read += add.read ?? 0;
  counts.written += add.written ?? 0;
  counts.skipped += add.skipped ?? 0;
}

/** This run did nothing because another tick was running (it still exits 0). */
export function markSkipped(): void {
  skipped = true;
}

export function outcomeFor(exitCode: number, wasSkipped: boolean): RunOutcome {
  if (exitCode === EXIT.INTERRUPTED) return 'interrupted';
  if (exitCode !== EXIT.OK) return 'failed';
  return wasSkipped ? 'skipped' : 'ok';
}

async function guarded(what: string, log: Logger, fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.warn(`${what} failed (the job's outcome is unaffected): ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Starts the hooks; the returned function ends them with the run's exit code and error line. */
export async function startRunHooks(
  job: string,
  hooks: RunHook[],
  log: Logger,
): Promise<(exitCode: number, error: string | null) => Promise<void>> {
  counts = null;
  skipped = false;
  for (const h of hooks) await guarded('run hook start', log, () => h.start(job, log));
  return async (exitCode, error) => {
    const end: RunEnd = { exitCode, outcome: outcomeFor(exitCode, skipped), error, counts: counts && { ...counts } };
    for (const h of hooks) await guarded('run hook finish', log, () => h.finish(end, log));
  };
}
