// Copy into another table: every finished play is copied to plays_archive (the walked row is only
// read); pending until its copy exists, so "remaining" reaches 0.
import type { Sql } from 'postgres';
import { outcome, type Task } from '@wxyc/backfill';

export async function createArchiveTables(sql: Sql): Promise<void> {
  await sql`CREATE TABLE finished (id int PRIMARY KEY, title text NOT NULL, played_at timestamptz NOT NULL)`;
  await sql`CREATE TABLE finished_archive (play_id int PRIMARY KEY, title text NOT NULL, played_at timestamptz NOT NULL, archived_at timestamptz NOT NULL DEFAULT now())`;
}

export const copyArchive: Task = {
  name: 'copy-archive',
  table: 'public.finished',
  key: 'id',
  pending: 'NOT EXISTS (SELECT 1 FROM finished_archive a WHERE a.play_id = t.id)',
  async resolve(rows) {
    return rows.map((r) =>
      outcome.side(
        [
          {
            op: 'insert',
            table: 'public.finished_archive',
            rows: [{ play_id: r.id, title: r.title, played_at: r.played_at }],
          },
        ],
        'copied',
      ),
    );
  },
};
