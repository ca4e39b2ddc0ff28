/**
 * Pages of rows by primary key: `fetch(afterId, limit)` returns rows with id > afterId in id
 * order. Stops at a short page, or when maxRows have been yielded (the rest waits for the
 * next tick). Keyset paging keeps every query a bounded PRIMARY range scan.
 */
export async function* pagesById<R>(opts: {
  startAfter: number;
  pageSize: number;
  maxRows?: number;
  idOf: (row: R) => number;
  fetch: (afterId: number, limit: number) => Promise<R[]>;
  signal?: AbortSignal;
}): AsyncGenerator<R[]> {
  let after = opts.startAfter;
  let left = opts.maxRows ?? Number.POSITIVE_INFINITY;
  while (left > 0 && !opts.signal?.aborted) {
    const limit = Math.min(opts.pageSize, left);
    const page = await opts.fetch(after, limit);
    if (page.length === 0) return;
    yield page;
    left -= page.length;
    after = opts.idOf(page[page.length - 1]!);
    if (page.length < limit) return;
  }
}
