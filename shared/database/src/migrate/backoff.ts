/**
 * Delay before retry `attempt` (1 = the first retry): exponential from `baseMs`, capped at
 * `capMs`, with "equal jitter" (half fixed, half random) so two runners or a runner and a
 * busy application do not retry in lock-step.
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
