// Shape: import from the legacy MySQL over a date window into a PostgreSQL table.
// The plays of one window of TIME_CREATED (epoch ms on the legacy tables, which index only their
// primary key: the pages walk ID, the window filters within them), upserted with a no-churn merge.
// Run by runTask: each batch read from MariaDB, then written and its checkpoint saved in one transaction.
import { mysqlSource, type SourceTask } from '@wxyc/backfill';

export const LEGACY_PLAYS_DDL = `
  CREATE TABLE legacy_plays (
    legacy_id integer PRIMARY KEY,
    artist text,
    title text,
    played_at timestamptz NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
  )`;

export function mysqlWindowImport(
  legacyUrl: string,
  window: { from: Date; to: Date },
  where?: { sql: string; params: unknown[] },
): SourceTask {
  return {
    name: 'legacy-plays-window',
    source: mysqlSource({
      url: legacyUrl,
      from: '`FLOWSHEET_ENTRY_PROD`',
      select: '`ID`, `ARTIST_NAME`, `SONG_TITLE`, `TIME_CREATED`',
      key: ['ID'],
      window: { column: 'TIME_CREATED', from: window.from.getTime(), to: window.to.getTime() },
      where: where?.sql,
      params: where?.params,
    }),
    staged: {
      table: 'legacy_plays',
      columns: [
        { name: 'ID', type: 'integer' },
        { name: 'ARTIST_NAME', type: 'text' },
        { name: 'SONG_TITLE', type: 'text' },
        { name: 'TIME_CREATED', type: 'bigint' },
      ],
      key: ['ID'],
      write: `
      INSERT INTO legacy_plays (legacy_id, artist, title, played_at)
      SELECT "ID", "ARTIST_NAME", "SONG_TITLE", to_timestamp("TIME_CREATED" / 1000.0) FROM staged
      ON CONFLICT (legacy_id) DO UPDATE SET artist = EXCLUDED.artist, title = EXCLUDED.title, played_at = EXCLUDED.played_at
      WHERE (legacy_plays.artist, legacy_plays.title, legacy_plays.played_at)
            IS DISTINCT FROM (EXCLUDED.artist, EXCLUDED.title, EXCLUDED.played_at)`,
    },
  };
}
