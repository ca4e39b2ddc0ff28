// Incremental ticks end to end: a real MariaDB with the legacy tables -> a migrated PostgreSQL.
import { describe, expect, it } from 'vitest';
import { DJ_NAME_FILL_TRIGGER } from '@wxyc/database';
import { useTestDatabase } from '../../support/test-database.js';
import {
  findMysqlServer,
  LEGACY_FLOWSHEET_DDL,
  LEGACY_FLOWSHEET_SEED,
  useLegacyDatabase,
} from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow, T0 } from '../../support/legacy/flowsheet-rows.js';
import { runFlowsheetEtl } from '../../support/legacy/run-etl.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL, LEGACY_FLOWSHEET_SEED]);
const env = () => ({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url, ETL_BATCH_SIZE: '3' });

describe.skipIf(!server)('flowsheet-etl incremental tick', () => {
  it('imports the seed: shows with DJ_HANDLE (never DJ_NAME), entries mapped, dj_name resolved', async () => {
    const run = await runFlowsheetEtl(env());
    expect(run.code, run.lines.join('\n')).toBe(0);
    expect(run.lines).toContain('[flowsheet-etl] Resolved dj_name for 8/8 flowsheet entries.');

    const shows =
      await db.sql`SELECT legacy_show_id, legacy_dj_id, legacy_dj_name, show_name, start_time, end_time FROM wxyc_schema.shows ORDER BY legacy_show_id`;
    expect(shows.map((s) => [s.legacy_show_id, s.legacy_dj_id, s.legacy_dj_name, s.show_name])).toEqual([
      [1, 101, 'DJ Bluejay', 'Morning Birds'],
      [2, 102, 'DJ Heron', null],
    ]);
    expect(shows[0]!.start_time.getTime()).toBe(1775304060000);
    expect(shows[0]!.end_time.getTime()).toBe(1775311200000);
    expect(shows[1]!.end_time).toBeNull(); // SIGNOFF_TIME 0: still on air
    const { n } = (
      await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.shows WHERE legacy_dj_name LIKE '%Realname%' OR show_name LIKE '%Realname%'`
    )[0]!;
    expect(n).toBe(0);

    const rows = await db.sql`
      SELECT f.legacy_entry_id, f.entry_type::text, f.artist_name, f.track_title, f.album_title, f.record_label, f.message,
             f.play_order, f.request_flag, f.segue, f.add_time, f.dj_name, s.legacy_show_id
      FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id ORDER BY f.legacy_entry_id`;
    expect(rows.map((r) => [r.legacy_entry_id, r.entry_type, r.legacy_show_id])).toEqual([
      [1, 'show_start', 1],
      [2, 'track', 1],
      [3, 'track', 1],
      [4, 'breakpoint', 1],
      [5, 'talkset', 1],
      [6, 'show_end', 1],
      [7, 'show_start', 2],
      [8, 'track', 2],
    ]);
    expect(rows[0]).toMatchObject({
      message: 'START OF SHOW: DJ Bluejay SIGNED ON at 12:01 PM (4/4/26)',
      artist_name: null,
      dj_name: 'DJ Bluejay',
    });
    expect(rows[2]).toMatchObject({
      artist_name: 'Broadcast',
      track_title: 'Papercuts',
      album_title: 'The Noise Made by People',
      record_label: 'Warp',
      message: null,
      play_order: 3,
      request_flag: true,
      segue: true,
    });
    // START_TIME 0 on a track row: TIME_CREATED stands in.
    expect(rows[1]!.add_time.getTime()).toBe(1775304200000);
    expect(rows[0]!.add_time.getTime()).toBe(1775304060000);
    expect(rows[7]!.dj_name).toBe('DJ Heron');

    const [cron] = await db.sql`SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`;
    expect(cron!.cursor).toEqual({
      shows: { maxId: 2, maxModified: 1775311500000, verify: { nextId: 0 } },
      entries: { maxId: 8, maxModified: 1775311500000, verify: { nextId: 0 } },
      pendingEntries: [],
      pendingLinks: [],
    });
  });

  it('is idempotent: a second tick changes nothing', async () => {
    const before = await db.sql`SELECT id, xmin::text FROM wxyc_schema.flowsheet ORDER BY id`;
    const run = await runFlowsheetEtl(env());
    expect(run.code).toBe(0);
    expect(run.lines.some((l) => l.includes('entries 0 new, 0 updated'))).toBe(true);
    expect(await db.sql`SELECT id, xmin::text FROM wxyc_schema.flowsheet ORDER BY id`).toEqual(before);
  });

  it('picks up new rows and edits of recent rows; dj_name only for the new entries', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(3)]);
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_ENTRY_PROD',
      [9, 10, 11, 12].map((id) => legacyEntry(id, 3)),
    );
    await legacy.conn.query(
      "UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'Autumn Sweater (live)', TIME_LAST_MODIFIED = 1775400000000 WHERE ID = 8",
    );
    await legacy.conn.query(
      "UPDATE FLOWSHEET_RADIO_SHOW_PROD SET SHOW_NAME = 'Heron Hour', TIME_LAST_MODIFIED = 1775400000000 WHERE ID = 2",
    );
    // A legacy row whose dj_name was never set stays so: resolution is for this tick's rows only.
    // Such a row predates migration 0060 (its trigger would name it on this very UPDATE).
    await db.sql.begin(async (tx) => {
      await tx`ALTER TABLE wxyc_schema.flowsheet DISABLE TRIGGER ${tx(DJ_NAME_FILL_TRIGGER)}`;
      await tx`UPDATE wxyc_schema.flowsheet SET dj_name = NULL WHERE legacy_entry_id = 2`;
      await tx`ALTER TABLE wxyc_schema.flowsheet ENABLE TRIGGER ${tx(DJ_NAME_FILL_TRIGGER)}`;
    });

    const run = await runFlowsheetEtl(env());
    expect(run.code, run.lines.join('\n')).toBe(0);
    expect(run.lines).toContain('[flowsheet-etl] Resolved dj_name for 4/4 flowsheet entries.');
    const rows =
      await db.sql`SELECT legacy_entry_id, track_title, dj_name FROM wxyc_schema.flowsheet WHERE legacy_entry_id IN (2, 8, 9, 12) ORDER BY 1`;
    expect(rows).toEqual([
      { legacy_entry_id: 2, track_title: 'French Disko', dj_name: null },
      { legacy_entry_id: 8, track_title: 'Autumn Sweater (live)', dj_name: 'DJ Heron' },
      { legacy_entry_id: 9, track_title: 'Song 9', dj_name: 'DJ Handle 3' },
      { legacy_entry_id: 12, track_title: 'Song 12', dj_name: 'DJ Handle 3' },
    ]);
    const [show] = await db.sql`SELECT show_name FROM wxyc_schema.shows WHERE legacy_show_id = 2`;
    expect(show!.show_name).toBe('Heron Hour');
  });

  it('edits outside the id window are not looked at by the edit scan (ETL_EDIT_WINDOW_IDS); the verification slice finds them', async () => {
    await legacy.conn.query(
      "UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'changed', TIME_LAST_MODIFIED = 1775500000000 WHERE ID IN (3, 11)",
    );
    const run = await runFlowsheetEtl({ ...env(), ETL_EDIT_WINDOW_IDS: '5', ETL_VERIFY_ROWS_PER_TICK: '0' }); // ids 8..12
    expect(run.code).toBe(0);
    const titles = () =>
      db.sql`SELECT legacy_entry_id, track_title FROM wxyc_schema.flowsheet WHERE legacy_entry_id IN (3, 11) ORDER BY 1`;
    expect(await titles()).toEqual([
      { legacy_entry_id: 3, track_title: 'Papercuts' },
      { legacy_entry_id: 11, track_title: 'changed' },
    ]);
    const verified = await runFlowsheetEtl({ ...env(), ETL_EDIT_WINDOW_IDS: '5' });
    expect(verified.code).toBe(0);
    expect(
      verified.lines.some((l) =>
        l.includes(
          'verify FLOWSHEET_ENTRY_PROD: 1 ranges, 12 rows checked; differing: 1 changed, 0 missing, 0 extra; repaired 1',
        ),
      ),
    ).toBe(true);
    expect(await titles()).toEqual([
      { legacy_entry_id: 3, track_title: 'changed' },
      { legacy_entry_id: 11, track_title: 'changed' },
    ]);
  });

  it('counts and logs bad rows with their legacy ids, and imports the rest', async () => {
    const long = 'x'.repeat(300);
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [
      legacyShow(4, { SIGNON_TIME: 0, STARTING_RADIO_HOUR: 0, TIME_CREATED: null, TIME_LAST_MODIFIED: null }),
    ]);
    await insertLegacy(legacy.conn, 'FLOWSHEET_ENTRY_PROD', [
      legacyEntry(13, 3, { TIME_CREATED: 0, TIME_LAST_MODIFIED: null }), // no usable time
      legacyEntry(14, 999), // unknown show
      legacyEntry(15, 4), // its show was bad
      legacyEntry(16, 3, { ARTIST_NAME: long, SONG_TITLE: 'a\u0000b' }), // too long, NUL byte
      legacyEntry(17, 3, { START_TIME: Date.now() + 400 * 86_400_000 }), // far future: TIME_CREATED stands in
      legacyEntry(18, 3),
    ]);
    const run = await runFlowsheetEtl(env());
    expect(run.code, run.lines.join('\n')).toBe(0);
    const out = run.lines.join('\n');
    expect(out).toContain('skipped 1 row, FLOWSHEET_RADIO_SHOW_PROD: no usable time');
    expect(out).toContain(
      'skipped 1 row, FLOWSHEET_ENTRY_PROD: no usable time (START_TIME, TIME_CREATED, TIME_LAST_MODIFIED) (legacy id 13)',
    );
    expect(out).toContain(
      'skipped 2 rows, FLOWSHEET_ENTRY_PROD: unknown show id (RADIO_SHOW_ID not imported) (legacy ids 14, 15)',
    );
    expect(out).toContain(
      'repaired 1 row, FLOWSHEET_ENTRY_PROD: ARTIST_NAME truncated to 128 characters (legacy id 16)',
    );
    expect(out).toContain('repaired 1 row, FLOWSHEET_ENTRY_PROD: NUL bytes removed from SONG_TITLE (legacy id 16)');
    const rows =
      await db.sql`SELECT legacy_entry_id, length(artist_name) AS len, track_title, add_time FROM wxyc_schema.flowsheet WHERE legacy_entry_id >= 13 ORDER BY 1`;
    expect(rows.map((r) => r.legacy_entry_id)).toEqual([16, 17, 18]);
    expect(rows[0]).toMatchObject({ len: 128, track_title: 'ab' });
    expect(rows[1]!.add_time.getTime()).toBe(T0 + 17_000);
    const [cron] = await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`;
    expect(cron!.cursor.entries.maxId).toBe(18);
  });

  it('entries of a rejected show wait pending and arrive when their show is fixed; a deleted one leaves the list', async () => {
    const cursor = async () =>
      (await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`)[0]!.cursor;
    expect((await cursor()).pendingEntries).toEqual([14, 15]);
    // A quiet tick retries them without counting them as skipped again.
    const quiet = await runFlowsheetEtl(env());
    expect(quiet.code).toBe(0);
    expect(quiet.lines.join('\n'), quiet.lines.join('\n')).not.toContain('warning: skipped');
    expect(quiet.lines.some((l) => l.includes('0 pending entries imported, 2 waiting for their show'))).toBe(true);

    // The show is fixed in the legacy system (an edit: it is read again), and entry 14 is deleted there.
    await legacy.conn.query(
      `UPDATE FLOWSHEET_RADIO_SHOW_PROD SET SIGNON_TIME = ${T0 + 4 * 3_600_000}, TIME_LAST_MODIFIED = ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) WHERE ID = 4`,
    );
    await legacy.conn.query('DELETE FROM FLOWSHEET_ENTRY_PROD WHERE ID = 14');
    const run = await runFlowsheetEtl(env());
    expect(run.code, run.lines.join('\n')).toBe(0);
    expect(run.lines.some((l) => l.includes('1 pending entries imported, 0 waiting for their show'))).toBe(true);
    expect(run.lines).toContain('[flowsheet-etl] Resolved dj_name for 1/1 flowsheet entries.');
    const [entry] =
      await db.sql`SELECT f.track_title, f.dj_name, s.legacy_show_id FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id WHERE f.legacy_entry_id = 15`;
    expect(entry).toEqual({ track_title: 'Song 15', dj_name: 'DJ Handle 4', legacy_show_id: 4 });
    expect((await cursor()).pendingEntries).toEqual([]);
  });

  it('a tick that fails mid-way keeps the committed batches and their cursor; the next tick goes on from there', async () => {
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_ENTRY_PROD',
      [19, 20, 21, 22, 23, 24, 25].map((id) => legacyEntry(id, 3)),
    );
    // Make the batch holding id 23 fail in PostgreSQL (batch size 3: 19-21 commit, 22-24 fails).
    await db.sql`CREATE FUNCTION wxyc_schema.test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.legacy_entry_id = 23 THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`;
    await db.sql`CREATE TRIGGER test_fail BEFORE INSERT ON wxyc_schema.flowsheet FOR EACH ROW EXECUTE FUNCTION wxyc_schema.test_fail()`;
    const [before] = await db.sql`SELECT last_run FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`;
    const failed = await runFlowsheetEtl(env());
    expect(failed.code).toBe(1);
    expect(failed.lines.at(-1)).toContain('boom');
    const [mid] = await db.sql`SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`;
    expect(mid!.cursor.entries.maxId).toBe(21);
    expect(mid!.last_run).toEqual(before!.last_run);
    expect(
      (await db.sql`SELECT legacy_entry_id FROM wxyc_schema.flowsheet WHERE legacy_entry_id >= 19 ORDER BY 1`).map(
        (r) => r.legacy_entry_id,
      ),
    ).toEqual([19, 20, 21]);

    await db.sql`DROP TRIGGER test_fail ON wxyc_schema.flowsheet`;
    const ok = await runFlowsheetEtl(env());
    expect(ok.code).toBe(0);
    expect(ok.lines).toContain('[flowsheet-etl] Resolved dj_name for 4/4 flowsheet entries.');
    expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE legacy_entry_id >= 19`)[0]!.n).toBe(
      7,
    );
  });
  it('a show repaired by the verification slice with a new handle renames its entries in the tick; their source_hash stays', async () => {
    // stamped old: invisible to the edit scan, so only the verification's repair re-imports the show
    await legacy.conn.query(
      "UPDATE FLOWSHEET_RADIO_SHOW_PROD SET DJ_HANDLE = 'DJ Kestrel', TIME_LAST_MODIFIED = 1 WHERE ID = 3",
    );
    const [count] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id WHERE s.legacy_show_id = 3`;
    const n = count!.n;
    expect(n).toBeGreaterThan(0);
    const run = await runFlowsheetEtl(env());
    expect(run.code, run.lines.join('\n')).toBe(0);
    expect(run.lines).toContain(`[flowsheet-etl] Renamed ${n} flowsheet entries whose show's DJ name changed.`);
    const names = await db.sql`
      SELECT f.dj_name, count(*)::int AS n, count(f.source_hash)::int AS hashed
      FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id WHERE s.legacy_show_id = 3 GROUP BY 1`;
    expect(names).toEqual([{ dj_name: 'DJ Kestrel', n, hashed: n }]);
  });
});
