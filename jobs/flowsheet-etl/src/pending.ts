/**
 * Entries skipped because their show was not imported (a show rejected for bad times, or not
 * there yet) are kept by legacy id in the cursor and retried each tick, so they arrive once
 * their show does. The list is bounded: at most this many, the newest kept.
 */
export const MAX_PENDING_ENTRIES = 10_000;

/** The pending list after a page: every entry of the page leaves it, those still waiting (re)join it. */
export function mergePendingEntries(
  pending: readonly number[],
  pageIds: readonly number[],
  waiting: readonly number[],
): { pending: number[]; dropped: number[] } {
  const read = new Set(pageIds);
  const merged = new Set(pending.filter((id) => !read.has(id)));
  for (const id of waiting) merged.add(id);
  const sorted = [...merged].sort((a, b) => a - b);
  const cut = Math.max(0, sorted.length - MAX_PENDING_ENTRIES);
  return { pending: sorted.slice(cut), dropped: sorted.slice(0, cut) };
}
