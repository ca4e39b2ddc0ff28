import type { RunSummary } from '@wxyc/backfill';
import { formatDuration } from '@wxyc/backfill';

/** The final summary lines (after the logger prefix). */
export function summaryLines(s: RunSummary): string[] {
  const secs = s.elapsedMs / 1000;
  const rate = secs > 0 ? Math.round(s.rowsProcessed / secs) : 0;
  const lines = [
    `done: ${s.rowsWritten} rows filled, ${s.batches} batches, elapsed ${formatDuration(s.elapsedMs)}, ${rate} rows/s`,
  ];
  for (const g of s.parked) {
    lines.push(
      `parked (SQLSTATE ${g.sqlstate}: ${g.message}): ${g.count} rows, e.g. ids ${g.sample.join(', ')}; retry them with --retry-parked`,
    );
  }
  if (s.stillLocked.length) {
    lines.push(
      `still locked by another session, left pending: ${s.stillLocked.length} rows, e.g. ids ${s.stillLocked.slice(0, 10).join(', ')}`,
    );
  }
  return lines;
}
