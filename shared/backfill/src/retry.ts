/** Statuses worth asking again: rate limited, or the server's own failure. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/**
 * The longest Retry-After taken at its word (a day). A server asking for more (`9999999999999`
 * seconds, a date in 2036) is clamped to it: the value stays a valid time to add to a Date, and a
 * row is not held for years on one answer.
 */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * A Retry-After header in ms from `nowMs`: delta-seconds or an HTTP-date (RFC 9110 10.2.3),
 * clamped to [0, MAX_RETRY_AFTER_MS]; null when absent or unreadable, so the caller falls back to
 * its own back-off.
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | null {
  if (header == null || header.trim() === '') return null;
  const v = header.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(v) * 1000));
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - nowMs));
}

/** Exponential back-off for retry `attempt` (1-based), capped; `jitter` in [0, 1) spreads retries of concurrent callers. */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, jitter = 0): number {
  const exp = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.5 + jitter / 2));
}

/** The wait before the next attempt: the server's Retry-After when given (never past maxMs), else the back-off. */
export function nextDelayMs(
  attempt: number,
  retryAfter: number | null,
  baseMs: number,
  maxMs: number,
  jitter = 0,
): number {
  return retryAfter !== null ? Math.min(retryAfter, maxMs) : backoffDelayMs(attempt, baseMs, maxMs, jitter);
}
