/**
 * Pages of rows by primary key: `fetch(afterId, limit)` returns rows with id > afterId in id
 * order. Stops at the end of the rows, or when maxRows have been yielded (the rest waits for the
 * next tick). Keyset paging keeps every query a bounded PRIMARY range scan.
 *
 * Each query asks for one row more than the page: that row tells whether more follow (the last
 * page needs no empty query after it) and whether the page's last id continues past it. A source
 * without its primary key can hold an id twice; a page never ends between two copies of one id
 * (the next page starts after that id, so a copy cut off would never be read and the winner would
 * depend on MySQL's order). Such a page is read again, twice as long, until it ends on a whole id:
 * it may then hold more than pageSize rows.
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
    const { rows, more } = await wholeIdPage(opts, after, Math.min(opts.pageSize, left));
    if (rows.length === 0) return;
    yield rows;
    if (!more) return;
    left -= rows.length;
    after = opts.idOf(rows[rows.length - 1]!);
  }
}

/** Up to `size` rows after `after` (more only to finish the last id), and whether rows follow. */
async function wholeIdPage<R>(
  opts: { idOf: (row: R) => number; fetch: (afterId: number, limit: number) => Promise<R[]> },
  after: number,
  size: number,
): Promise<{ rows: R[]; more: boolean }> {
  for (let n = size; ; n *= 2) {
    const rows = await opts.fetch(after, n + 1);
    if (rows.length <= n) return { rows, more: false };
    const lastId = opts.idOf(rows[size - 1]!);
    let end = size;
    while (end < rows.length && opts.idOf(rows[end]!) === lastId) end++;
    if (end < rows.length) return { rows: rows.slice(0, end), more: true };
  }
}
