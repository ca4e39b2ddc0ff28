/** Bounds of the adaptive batch size (rows of key range per batch). */
export const MIN_BATCH_SIZE = 100;
export const MAX_BATCH_SIZE = 100_000;
/** A step never changes the size by more than this factor, so one outlier cannot swing it. */
export const MAX_STEP_FACTOR = 2;

const clamp = (n: number) => Math.min(MAX_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Math.round(n)));

/**
 * The next batch size after a batch of `size` took `elapsedMs`: scale toward `targetMs`
 * (time is roughly proportional to size), by at most 2x either way, within [100, 100000].
 */
export function nextBatchSize(size: number, elapsedMs: number, targetMs: number): number {
  const ratio = targetMs / Math.max(elapsedMs, 1);
  const factor = Math.min(MAX_STEP_FACTOR, Math.max(1 / MAX_STEP_FACTOR, ratio));
  return clamp(size * factor);
}

/** After a statement timeout: half the size (never below the minimum). */
export function sizeAfterTimeout(size: number): number {
  return clamp(size / 2);
}

/** The starting size, clamped into the bounds. */
export function initialBatchSize(requested: number): number {
  return clamp(requested);
}
