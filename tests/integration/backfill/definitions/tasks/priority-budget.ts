// Priority order with a per-run budget: the most played albums first (play_count descending, id as
// the tiebreak), at most `maxRows` per run (a cron tick); the next run resumes where this one stopped.
import type { Sql } from 'postgres';
import { outcome, type Task } from '@wxyc/backfill';

export async function createPopularTable(sql: Sql): Promise<void> {
  await sql`CREATE TABLE popular (id int PRIMARY KEY, play_count int NOT NULL, done_at timestamptz)`;
  await sql`CREATE INDEX popular_pending ON popular (play_count DESC, id DESC) WHERE done_at IS NULL`;
}

export const priorityBudget: Task = {
  name: 'popular-first',
  table: 'public.popular',
  key: 'id',
  order: [{ column: 'play_count', desc: true }],
  pending: 't.done_at IS NULL',
  async resolve(rows) {
    return rows.map(() => outcome.write({ done_at: new Date().toISOString() }));
  },
};
