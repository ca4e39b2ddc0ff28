import type { RunSummary, UnresolvedGroup } from '@wxyc/backfill';
import { formatDuration } from '@wxyc/backfill';

const rateOf = (s: RunSummary) => {
  const secs = s.elapsedMs / 1000;
  return secs > 0 ? Math.round(s.rowsProcessed / secs) : 0;
};

const groupLine = (label: string, g: UnresolvedGroup) =>
  `${label} (${g.reason}): ${g.count} rows, e.g. ids ${g.sample.join(', ')}`;

/** Rows a run left pending: parked on a data error, or held by another session. */
function leftLines(s: RunSummary): string[] {
  const lines = s.parked.map(
    (g) =>
      `parked (SQLSTATE ${g.sqlstate}: ${g.message}): ${g.count} rows, e.g. ids ${g.sample.join(', ')}; retry them with --retry-parked`,
  );
  if (s.stillLocked.length) {
    lines.push(
      `still locked by another session, left pending: ${s.stillLocked.length} rows, e.g. ids ${s.stillLocked.slice(0, 10).join(', ')}`,
    );
  }
  return lines;
}

/** The final summary lines of a fill (after the logger prefix). */
export function summaryLines(s: RunSummary): string[] {
  const lines = [
    `done: ${s.rowsWritten} rows filled${s.rowsFallback ? ` (${s.rowsFallback} with the fallback name)` : ''}, ` +
      `${s.rowsUnresolved} rows have no handle and stay NULL, ${s.batches} batches, elapsed ${formatDuration(s.elapsedMs)}, ${rateOf(s)} rows/s`,
  ];
  for (const g of s.unresolved) lines.push(groupLine('no handle', g));
  return [...lines, ...leftLines(s)];
}

/** The final summary lines of a refresh. */
export function refreshSummaryLines(s: RunSummary): string[] {
  return [
    `done: ${s.rowsWritten} rows re-resolved by the DJ-name rule (a new handle, or NULL), ${s.batches} batches, ` +
      `elapsed ${formatDuration(s.elapsedMs)}, ${rateOf(s)} rows/s`,
    ...leftLines(s),
  ];
}

/** What a refresh would change, by reason (its dry run). */
export function refreshDryRunLines(groups: UnresolvedGroup[]): string[] {
  const total = groups.reduce((n, g) => n + g.count, 0);
  return [`refresh would change ${total} rows`, ...groups.map((g) => groupLine('would change', g))];
}

export const REASONS_HELP =
  "'no show': show_id is NULL; 'unknown show': show_id matches no show; 'show without handle': neither the DJ's account " +
  "nor the show has an on-air handle (blank and 'Anonymous' count as none). These rows stay NULL by design; 0054 does not wait for them.";

export const REFRESH_REASONS_HELP =
  "'real name': the stored name is the DJ account's name or real_name; 'anonymous': it is blank or 'Anonymous' (must be NULL); " +
  "'handle changed': the show's DJ, account handle or legacy handle changed since it was written.";
