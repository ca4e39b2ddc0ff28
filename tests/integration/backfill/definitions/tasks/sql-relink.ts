// SQL re-link: each play gets the id of the artist its free-text name matches (case-insensitive);
// a name with no artist stays NULL, counted under its reason.
import type { Sql } from 'postgres';
import type { Task } from '@wxyc/backfill';

export async function createRelinkTables(sql: Sql): Promise<void> {
  await sql`CREATE TABLE artists (id int PRIMARY KEY, name text NOT NULL)`;
  await sql`CREATE TABLE plays (id int PRIMARY KEY, artist_name text NOT NULL, artist_id int REFERENCES artists (id))`;
}

export const relink: Task = {
  name: 'relink-plays',
  table: 'public.plays',
  key: 'id',
  pending: 't.artist_id IS NULL',
  resolve: `SELECT b.id, a.id AS artist_id, CASE WHEN a.id IS NULL THEN 'no such artist' END AS reason
            FROM batch b LEFT JOIN artists a ON lower(a.name) = lower(b.artist_name)`,
};
