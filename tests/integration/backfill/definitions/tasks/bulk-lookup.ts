// Bulk lookup: one POST of the whole batch (N keys) to /api/v1/lookup/bulk, one verdict per item in
// input order; a hit writes the walked row and upserts the release into a side table (no-churn);
// an item error leaves its row pending; a failed request leaves the whole batch pending.
import type { Sql } from 'postgres';
import { LookupFailed, outcome, type LimiterSettings, type Task } from '@wxyc/backfill';

export async function createBulkTables(sql: Sql): Promise<void> {
  await sql`CREATE TABLE library (id int PRIMARY KEY, artist text NOT NULL, album text NOT NULL, release_id int, attempted_at timestamptz)`;
  await sql`CREATE TABLE releases (release_id int PRIMARY KEY, artist text NOT NULL, album text NOT NULL)`;
}

type Item = { status: string; error?: string; results?: { artwork?: { release_id?: number } }[] };

export const bulkLookup = (lml: string, limiter: Partial<LimiterSettings>): Task => ({
  name: 'library-bulk-lookup',
  table: 'public.library',
  key: 'id',
  pending: 't.release_id IS NULL',
  attempted: { column: 'attempted_at', reaskAfterDays: 30 },
  limiter,
  async resolve(rows, { fetch }) {
    const items = rows.map((r) => ({ artist: r.artist, album: r.album }));
    let results: Item[];
    try {
      const res = await fetch(`${lml}/api/v1/lookup/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      results = ((await res.json()) as { results: Item[] }).results;
    } catch (err) {
      if (err instanceof LookupFailed) return rows.map(() => outcome.pending(err.message));
      throw err;
    }
    return rows.map((r, i) => {
      const v = results[i]!;
      if (v.status === 'error') return outcome.pending(`item error: ${v.error}`, 'item_error');
      const id = v.results?.[0]?.artwork?.release_id;
      if (!id) return outcome.stamp('no_match');
      return outcome.write(
        { release_id: id },
        {
          label: 'resolved',
          side: [
            {
              op: 'upsert',
              table: 'public.releases',
              conflict: ['release_id'],
              merge: 'no-churn',
              rows: [{ release_id: id, artist: r.artist, album: r.album }],
            },
          ],
        },
      );
    });
  },
});
