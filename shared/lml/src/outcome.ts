/** One answer of `POST /api/v1/lookup` (or one item of the bulk answer), as the service sends it. */
export interface LmlAnswer {
  results?: { artwork?: { release_id?: number | null } | null }[] | null;
  search_type?: string | null;
  /** The service gave up on its own upstream: ask again later. */
  timeout?: boolean;
}

/** What a lookup means for the row, and what the resolver does with it. */
export type LmlOutcome =
  /** search_type `direct` with a release id > 0: write the id (source `lml_direct`) and stamp. */
  | { kind: 'resolved'; releaseId: number }
  /** release id 0 (streaming only): stamp, write nothing. */
  | { kind: 'sentinel' }
  /** an id on a search the station does not trust (fallback, alternative, none): stamp, never write the id. */
  | { kind: 'trust_rejected'; releaseId: number; searchType: string | null }
  /** no result: stamp; asked again after NO_MATCH_TTL_DAYS. */
  | { kind: 'no_match' }
  /** timeout body, 5xx or 429 after retries, network error, open circuit: no stamp, the row stays pending. */
  | { kind: 'transient'; reason: string }
  /** the row cannot be asked (no artist or album once decoded), or the service refused the input: parked. */
  | { kind: 'parked'; reason: string };

export type OutcomeKind = LmlOutcome['kind'];
export const OUTCOME_KINDS: readonly OutcomeKind[] = [
  'resolved',
  'sentinel',
  'trust_rejected',
  'no_match',
  'transient',
  'parked',
];

/** Outcomes that stamp `discogs_release_id_attempted_at` (a definitive answer). */
export const STAMPED: ReadonlySet<OutcomeKind> = new Set(['resolved', 'sentinel', 'trust_rejected', 'no_match']);

/** The only search the resolver writes an id from. */
export const TRUSTED_SEARCH_TYPE = 'direct';

/**
 * The outcome of one answer, pure: `direct` + id > 0 → resolved; id 0 → sentinel; an id under any
 * other (or no) search_type → trust_rejected; no result with an id → no_match; `timeout: true`,
 * or an answer that is not the documented shape → transient (asked again next run, never stamped).
 */
export function outcomeOf(answer: unknown): LmlOutcome {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer))
    return { kind: 'transient', reason: 'answer is not a JSON object' };
  const a = answer as LmlAnswer;
  if (a.timeout === true) return { kind: 'transient', reason: 'the service timed out (timeout: true)' };
  if (a.results != null && !Array.isArray(a.results)) return { kind: 'transient', reason: 'results is not an array' };
  const id = (a.results ?? []).map((r) => r?.artwork?.release_id).find((v) => v !== undefined && v !== null);
  if (id === undefined) return { kind: 'no_match' };
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    return { kind: 'transient', reason: `release_id ${JSON.stringify(id)} is not a non-negative integer` };
  if (id === 0) return { kind: 'sentinel' };
  const searchType = typeof a.search_type === 'string' ? a.search_type : null;
  return searchType === TRUSTED_SEARCH_TYPE
    ? { kind: 'resolved', releaseId: id }
    : { kind: 'trust_rejected', releaseId: id, searchType };
}
