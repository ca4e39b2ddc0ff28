// Shape: import from a JSONL.gz feed over HTTP. The feed's records are staged per batch and
// inserted; the checkpoint (line, ETag) commits with each batch, so a rerun after a crash
// resumes at the last committed line. `feed_plays` has no unique key on purpose: a record
// imported twice would show as two rows.
import { httpJsonlSource, type SourceTask } from '@wxyc/backfill';

export const FEED_PLAYS_DDL = `
  CREATE TABLE IF NOT EXISTS feed_plays (
    feed_id bigint NOT NULL,
    artist text NOT NULL,
    played_at timestamptz NOT NULL,
    meta jsonb
  )`;

export function jsonlFeedImport(url: string, token?: string): SourceTask {
  return {
    name: 'feed-plays',
    source: httpJsonlSource({
      url,
      headers: token ? { authorization: `Bearer ${token}` } : undefined,
      timeoutMs: 10_000,
    }),
    staged: {
      table: 'feed_plays',
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'artist', type: 'text' },
        { name: 'played_at', type: 'timestamptz' },
        { name: 'meta', type: 'jsonb' },
      ],
      key: ['id'],
      write: 'INSERT INTO feed_plays (feed_id, artist, played_at, meta) SELECT id, artist, played_at, meta FROM staged',
    },
  };
}

/** The feed's records: ids above 2^53 as text, zoned times, unicode and quotes, some NULL meta. */
export function feedRecords(n: number): { id: string; artist: string; played_at: string; meta: object | null }[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(2n ** 60n + BigInt(i)),
    artist: i % 7 === 0 ? `O'Neil "${i}" 坂本` : `Artist ${i}`,
    played_at: new Date(Date.UTC(2026, 3, 1) + i * 60_000).toISOString().replace('Z', '-04:00'),
    meta: i % 3 === 0 ? null : { n: i, tags: ['a', 'b'] },
  }));
}
