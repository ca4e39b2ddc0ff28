import type { CandidateLimits } from './definition.js';

/** Exit code when a destructive mode's candidate set is outside its floor or ceiling. */
export const EXIT_LIMITS = 12;

/** Why the candidate set may not be touched, or null. Pure: the counts are taken by the runner. */
export function limitProblem(
  name: string,
  l: CandidateLimits | undefined,
  candidates: number,
  tableRows: number,
  of = "the table's",
): string | null {
  if (!l) return null;
  if (l.floor !== undefined && candidates < l.floor) {
    return `${name}: refusing: ${candidates} candidate rows, fewer than the floor of ${l.floor} (is the predicate or its input wrong?)`;
  }
  if (l.ceilingRows !== undefined && candidates > l.ceilingRows) {
    return `${name}: refusing: ${candidates} candidate rows, more than the ceiling of ${l.ceilingRows} rows`;
  }
  if (l.ceilingShare !== undefined && candidates > l.ceilingShare * tableRows) {
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    return `${name}: refusing: ${candidates} candidate rows are ${pct(candidates / Math.max(tableRows, 1))} of ${of} ${tableRows}, more than the ceiling of ${pct(l.ceilingShare)}`;
  }
  return null;
}
