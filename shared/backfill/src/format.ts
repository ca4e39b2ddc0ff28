/** "~42s", "~3m 05s", "~1h 02m"; "?" before there is a rate to extrapolate from. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Remaining time at the rate seen so far; no table scan, only the counts the runner keeps. */
export function etaMs(processed: number, remaining: number, elapsedMs: number): number {
  if (processed <= 0 || elapsedMs <= 0) return Number.NaN;
  return (remaining * elapsedMs) / processed;
}

export interface BatchLine {
  batch: number;
  rows: number;
  processed: number;
  remaining: number;
  etaMs: number;
}

/** The exact per-batch log line (after the logger's `[backfill] ` prefix); no ETA when nothing is left. */
export function batchLine(b: BatchLine): string {
  const eta = b.remaining === 0 ? 'nothing pending' : `ETA ~${formatDuration(b.etaMs)}`;
  return `batch ${b.batch}: ${b.rows} rows, total processed ${b.processed}, remaining ${b.remaining}, ${eta}`;
}

/**
 * The walk's last progress line: every key has been walked, so nothing it counted is left. Rows
 * counted at start that the walk did not process were changed by another session meanwhile (or
 * are still locked, which the summary reports); say so instead of leaving "remaining N" standing.
 */
export function walkDoneLine(processed: number, countedAtStart: number, stillLocked: number): string {
  const gone = countedAtStart - processed - stillLocked;
  const why =
    gone > 0
      ? ` (${gone} rows counted at start were no longer pending when the walk reached them: written or deleted by another session)`
      : '';
  return `walk done: total processed ${processed}, remaining 0${why}`;
}

/** p-th percentile (0-100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
