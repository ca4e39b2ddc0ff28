import type { Sql } from 'postgres';

/**
 * One show (legacy DJ 'DJ Bluejay') and `rows` flowsheet rows on it, every tenth a talkset
 * and the rest tracks: the shape the 0053/0054 tests need. Works on a database at 0052.
 */
export async function insertShowWithFlowsheet(sql: Sql, rows: number): Promise<void> {
  await sql`INSERT INTO wxyc_schema.shows (start_time, legacy_dj_name) VALUES (now(), 'DJ Bluejay')`;
  await sql`
    INSERT INTO wxyc_schema.flowsheet (show_id, entry_type, artist_name, track_title, play_order)
    SELECT 1, CASE WHEN g % 10 = 0 THEN 'talkset' ELSE 'track' END::wxyc_schema.flowsheet_entry_type,
           'Artist ' || g, 'Track ' || g, g
    FROM generate_series(1, ${rows}) g`;
}
