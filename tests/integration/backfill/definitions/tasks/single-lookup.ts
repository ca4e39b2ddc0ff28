// Single-key lookup with outcomes and a re-ask TTL: one POST per album to the LML stand-in.
// direct + id > 0: write the id (and stamp); id 0 or another search_type: stamp only; no result:
// stamp (no-match, asked again after the TTL); 5xx after retries: pending, no stamp; an album
// without an artist: parked (bad input), retried by the policy.
import type { Sql } from 'postgres';
import { eachRow, outcome, type LimiterSettings, type Task } from '@wxyc/backfill';

export async function createRotationTable(sql: Sql): Promise<void> {
  await sql`
    CREATE TABLE rotation (id int PRIMARY KEY, artist text, album text NOT NULL, release_id int, release_source text,
                           attempted_at timestamptz)`;
}

type Answer = { results?: { artwork?: { release_id?: number } }[]; search_type?: string };

export const singleLookup = (lml: string, limiter: Partial<LimiterSettings>): Task => ({
  name: 'rotation-release-lookup',
  table: 'public.rotation',
  key: 'id',
  pending: 't.release_id IS NULL',
  attempted: { column: 'attempted_at', reaskAfterDays: 30 },
  limiter,
  retry: { afterMs: 0, maxAttempts: 2 },
  resolve: eachRow(async (row, { fetch }) => {
    if (!row.artist) return outcome.park('no artist to ask with', { label: 'bad_input' });
    const res = await fetch(`${lml}/api/v1/lookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ artist: row.artist, album: row.album, raw_message: `${row.artist} - ${row.album}` }),
    });
    const a = (await res.json()) as Answer;
    const id = a.results?.[0]?.artwork?.release_id;
    if (id === undefined) return outcome.stamp('no_match');
    if (a.search_type !== 'direct') return outcome.stamp('trust_rejected');
    if (id === 0) return outcome.stamp('sentinel');
    return outcome.write({ release_id: id, release_source: 'lml_direct' }, { label: 'resolved' });
  }, 2),
});
