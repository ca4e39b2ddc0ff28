import { outcome, type Outcome } from '@wxyc/backfill';
import type { LmlOutcome, OutcomeKind } from '@wxyc/lml';

/** What the resolver writes for a resolved row: the id and where it came from. */
export const SOURCE_LML_DIRECT = 'lml_direct';

/**
 * One lookup's verdict to the engine's outcome (pure). Definitive answers stamp
 * discogs_release_id_attempted_at (the engine's `attempted` column); only `resolved` writes the id;
 * `transient` stays pending (no stamp), held before the cursor when the circuit is open; `parked`
 * is bad input, retried by the task's policy. The label of each is the outcome's kind.
 */
export function taskOutcome(o: LmlOutcome, circuitOpen = false): Outcome {
  switch (o.kind) {
    case 'resolved':
      return outcome.write(
        { discogs_release_id: o.releaseId, discogs_release_id_source: SOURCE_LML_DIRECT },
        { label: 'resolved' },
      );
    case 'sentinel':
    case 'trust_rejected':
    case 'no_match':
      return outcome.stamp(o.kind);
    case 'transient':
      return circuitOpen
        ? { kind: 'pending', label: 'transient', reason: o.reason, hold: true }
        : outcome.pending(o.reason, 'transient');
    case 'parked':
      return outcome.park(o.reason, { label: 'parked', code: 'BADIN' });
  }
}

/** The summary's counts, in the order it prints them. */
export const SUMMARY_KEYS = [
  'scanned',
  'resolved',
  'sentinel',
  'trust_rejected',
  'no_match',
  'transient',
  'parked',
] as const;
export type Counts = Record<(typeof SUMMARY_KEYS)[number], number>;

export const emptyCounts = (): Counts => Object.fromEntries(SUMMARY_KEYS.map((k) => [k, 0])) as Counts;

/** Count one asked row under its kind. */
export function tally(c: Counts, kind: OutcomeKind): void {
  c.scanned++;
  c[kind]++;
}

/** `summary: scanned 12, resolved 5, ...` (this run's lookups; a dry run's are what it would write). */
export const summaryLine = (c: Counts, dryRun: boolean): string =>
  `summary${dryRun ? ' (dry run: nothing written)' : ''}: ${SUMMARY_KEYS.map((k) => `${k} ${c[k]}`).join(', ')}`;
