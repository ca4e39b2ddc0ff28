// Upsert into a side table with a no-churn merge: per artist, its play count and last play; an
// equal row is left as it is (no dead tuple, no trigger), a changed one updated. A second pass with
// fill-NULL only fills what is missing. A trigger counts the side table's real updates.
import type { Sql } from 'postgres';
import { outcome, type Merge, type Task } from '@wxyc/backfill';

export async function createStatsTables(sql: Sql): Promise<void> {
  await sql`CREATE TABLE heard (id int PRIMARY KEY, artist text NOT NULL, plays int NOT NULL, last_at date, checked boolean NOT NULL DEFAULT false)`;
  await sql`CREATE TABLE artist_stats (artist text PRIMARY KEY, plays int, last_at date, updates int NOT NULL DEFAULT 0)`;
  await sql`CREATE FUNCTION count_updates() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updates := OLD.updates + 1; RETURN NEW; END $$`;
  await sql`CREATE TRIGGER stats_updates BEFORE UPDATE ON artist_stats FOR EACH ROW EXECUTE FUNCTION count_updates()`;
}

export const sideUpsert = (merge: Merge): Task => ({
  name: `artist-stats-${merge}`,
  table: 'public.heard',
  key: 'id',
  pending: 'NOT t.checked',
  async resolve(rows) {
    return rows.map((r) =>
      outcome.write(
        { checked: true },
        {
          side: [
            {
              op: 'upsert',
              table: 'public.artist_stats',
              conflict: ['artist'],
              merge,
              rows: [{ artist: r.artist, plays: r.plays, last_at: r.last_at }],
            },
          ],
        },
      ),
    );
  },
});
