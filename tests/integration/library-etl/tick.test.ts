// library-etl ticks end to end: a real MariaDB with the legacy card catalogue -> a migrated PostgreSQL.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, LEGACY_LIBRARY_SEED, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyCode, legacyRelease } from '../../support/legacy/catalogue-rows.js';
import { failInsertOf } from '../../support/legacy/fail-trigger.js';
import { rowVersions, rewritten } from '../../support/legacy/row-versions.js';
import { runEtlMain } from '../../support/legacy/run-etl.js';
import { libraryEtl } from '../../../jobs/library-etl/src/main.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL, LEGACY_LIBRARY_SEED]);
const env = () => ({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url, ETL_BATCH_SIZE: '3' });
const run = () => runEtlMain('library-etl', libraryEtl, env());
const cronRow = async () =>
  (await db.sql`SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'library-etl'`)[0];
const versions = () => rowVersions(db.sql, 'wxyc_schema.library', 'legacy_release_id');
const T = Date.UTC(2025, 11, 1, 15, 0, 0);

describe.skipIf(!server)('library-etl tick', () => {
  it('imports the seed: genres without db_only, formats, artists, releases; lost releases marked missing', async () => {
    const r = await run();
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(r.lines.join('\n')).toMatch(
      /artists 4 new, 0 updated; releases 5 new, 0 updated \(9 legacy rows read\); 0 skipped, 0 repaired; cursor artists 4, releases 5\./,
    );

    expect(await db.sql`SELECT legacy_genre_id, genre_name FROM wxyc_schema.genres ORDER BY 1`).toEqual([
      { legacy_genre_id: 1, genre_name: 'Rock' },
      { legacy_genre_id: 2, genre_name: 'Electronic' },
      { legacy_genre_id: 3, genre_name: 'Jazz' },
      { legacy_genre_id: 5, genre_name: 'Hiphop' },
    ]);
    expect(
      (await db.sql`SELECT format_name FROM wxyc_schema.formats ORDER BY legacy_format_id`).map((f) => f.format_name),
    ).toEqual(['cd', 'vinyl', 'cassette']);

    const artists = await db.sql`
      SELECT a.legacy_artist_id, a.artist_name, a.code_letters, a.code_artist_number, g.genre_name, a.add_date::text
      FROM wxyc_schema.artists a LEFT JOIN wxyc_schema.genres g ON g.id = a.genre_id ORDER BY 1`;
    expect(
      artists.map((a) => [a.legacy_artist_id, a.artist_name, a.code_letters, a.code_artist_number, a.genre_name]),
    ).toEqual([
      [1, 'Stereolab', 'ST', 12, 'Rock'],
      [2, 'Broadcast', 'BR', 3, 'Electronic'],
      [3, 'Yo La Tengo', 'YO', 1, 'Rock'],
      [4, 'Station IDs', 'ZZ', 1, null], // filed under db_only: the genre is not imported
    ]);
    expect(artists[0]!.add_date).toBe('2019-09-01'); // TIME_CREATED, the station's calendar day

    const releases = await db.sql`
      SELECT l.legacy_release_id, l.album_title, a.legacy_artist_id, g.genre_name, f.format_name, l.code_number,
             l.alternate_artist_name, l.missing, l.date_lost, l.date_found, l.add_date
      FROM wxyc_schema.library l JOIN wxyc_schema.artists a ON a.id = l.artist_id
      LEFT JOIN wxyc_schema.genres g ON g.id = l.genre_id LEFT JOIN wxyc_schema.formats f ON f.id = l.format_id ORDER BY 1`;
    expect(
      releases.map((l) => [
        l.legacy_release_id,
        l.album_title,
        l.legacy_artist_id,
        l.genre_name,
        l.format_name,
        l.code_number,
        l.missing,
      ]),
    ).toEqual([
      [1, 'Jenny Ondioline', 1, 'Rock', 'cd', 1, false],
      [2, 'Emperor Tomato Ketchup', 1, 'Rock', 'vinyl', 2, true], // lost, never found
      [3, 'The Noise Made by People', 2, 'Electronic', 'cd', 1, false],
      [4, 'I Can Hear the Heart Beating as One', 3, 'Rock', 'vinyl', 1, false], // lost, then found
      [5, 'Top of the Hour', 4, null, 'cd', 1, false],
    ]);
    expect(releases[1]).toMatchObject({ date_lost: new Date(1714665600000), date_found: null });
    expect(releases[3]).toMatchObject({ date_lost: new Date(1714665600000), date_found: new Date(1759766400000) });
    expect(releases[4]!.alternate_artist_name).toBe('WXYC');
    expect(releases[0]!.add_date).toEqual(new Date(1567353600000));

    expect((await cronRow())!.cursor).toEqual({
      artists: { maxId: 4, maxModified: 1581436800000, verify: { nextId: 0 } },
      releases: { maxId: 5, maxModified: 1759766400000, verify: { nextId: 0 } },
    });
  });

  it('a re-run changes nothing: no row rewritten, nothing counted', async () => {
    const before = await versions();
    const r = await run();
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(r.lines.join('\n')).toContain(
      '0 genres and 0 formats written; artists 0 new, 0 updated; releases 0 new, 0 updated',
    );
    expect(await versions()).toEqual(before);
  });

  it('picks up edits: title, lost, found, an artist changing genre (its releases follow), a renamed genre, a new release', async () => {
    await legacy.exec(`
      UPDATE LIBRARY_RELEASE SET TITLE = 'Jenny Ondioline EP', TIME_LAST_MODIFIED = ${T} WHERE ID = 1;
      UPDATE LIBRARY_RELEASE SET DATE_FOUND = ${T}, TIME_LAST_MODIFIED = ${T} WHERE ID = 2;
      UPDATE LIBRARY_RELEASE SET DATE_LOST = ${T}, TIME_LAST_MODIFIED = ${T} WHERE ID = 3;
      UPDATE LIBRARY_CODE SET GENRE_ID = 3, TIME_LAST_MODIFIED = ${T} WHERE ID = 2;
      UPDATE GENRE SET REFERENCE_NAME = 'Hip-hop' WHERE ID = 5;`);
    await insertLegacy(legacy.conn, 'LIBRARY_RELEASE', [
      legacyRelease(6, 1, { TIME_CREATED: T, TIME_LAST_MODIFIED: T }),
    ]);
    const before = await versions();
    const r = await run();
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(r.lines.join('\n')).toContain(
      '1 genres and 0 formats written; artists 0 new, 1 updated; releases 1 new, 3 updated',
    );

    const rows = await db.sql`
      SELECT l.legacy_release_id, l.album_title, l.missing, l.date_found, g.genre_name
      FROM wxyc_schema.library l LEFT JOIN wxyc_schema.genres g ON g.id = l.genre_id ORDER BY 1`;
    expect(rows.map((l) => [l.legacy_release_id, l.album_title, l.missing, l.genre_name])).toEqual([
      [1, 'Jenny Ondioline EP', false, 'Rock'],
      [2, 'Emperor Tomato Ketchup', false, 'Rock'], // found after it was lost
      [3, 'The Noise Made by People', true, 'Jazz'], // lost now; still there, its artist's new genre
      [4, 'I Can Hear the Heart Beating as One', false, 'Rock'],
      [5, 'Top of the Hour', false, null],
      [6, 'Album 6', false, 'Rock'],
    ]);
    expect((await db.sql`SELECT genre_name FROM wxyc_schema.genres WHERE legacy_genre_id = 5`)[0]!.genre_name).toBe(
      'Hip-hop',
    );
    // Only the changed rows were rewritten.
    expect(rewritten(before, await versions())).toEqual([1, 2, 3, 6]);
    expect((await cronRow())!.cursor.releases).toEqual({ maxId: 6, maxModified: T, verify: { nextId: 0 } });
  });

  it('counts and skips bad rows (with their legacy ids) and goes on past them', async () => {
    await insertLegacy(legacy.conn, 'LIBRARY_CODE', [
      legacyCode(10, { CALL_LETTERS: 'TOOLONG' }),
      legacyCode(11, { PRESENTATION_NAME: '  ' }),
      legacyCode(12, { CALL_NUMBERS: 40_000 }),
      legacyCode(13, { PRESENTATION_NAME: 'x'.repeat(200) }),
    ]);
    await insertLegacy(legacy.conn, 'LIBRARY_RELEASE', [
      legacyRelease(20, 1, { TITLE: null }),
      legacyRelease(21, 1, { CALL_NUMBERS: -1 }),
      legacyRelease(22, 10),
      legacyRelease(23, 999),
      legacyRelease(24, 1, { TIME_CREATED: 0, TIME_LAST_MODIFIED: null }),
      legacyRelease(25, 13, { FORMAT_ID: 77 }),
    ]);
    const r = await run();
    expect(r.code, r.lines.join('\n')).toBe(0);
    const out = r.lines.join('\n');
    expect(out).toContain('skipped 1 row, LIBRARY_CODE: CALL_LETTERS empty or longer than 4 characters (legacy id 10)');
    expect(out).toContain('skipped 1 row, LIBRARY_CODE: no PRESENTATION_NAME (legacy id 11)');
    expect(out).toContain('skipped 1 row, LIBRARY_CODE: CALL_NUMBERS not a number from 0 to 32767 (legacy id 12)');
    expect(out).toContain('repaired 1 row, LIBRARY_CODE: PRESENTATION_NAME truncated to 128 characters (legacy id 13)');
    expect(out).toContain('skipped 1 row, LIBRARY_RELEASE: no TITLE (legacy id 20)');
    expect(out).toContain('skipped 1 row, LIBRARY_RELEASE: CALL_NUMBERS not a number from 0 to 32767 (legacy id 21)');
    expect(out).toContain(
      'skipped 2 rows, LIBRARY_RELEASE: unknown artist (LIBRARY_CODE_ID not imported) (legacy ids 22, 23)',
    );
    expect(out).toContain(
      'skipped 1 row, LIBRARY_RELEASE: no usable time (TIME_CREATED, TIME_LAST_MODIFIED) (legacy id 24)',
    );
    // 10 new rows, and the 5 last edited at the cursor's time (edits are read at or after it).
    expect(out).toMatch(
      /artists 1 new, 0 updated; releases 1 new, 0 updated \(15 legacy rows read\); 8 skipped, 1 repaired; cursor artists 13, releases 25\./,
    );
    const [added] =
      await db.sql`SELECT l.format_id, length(a.artist_name) AS len FROM wxyc_schema.library l JOIN wxyc_schema.artists a ON a.id = l.artist_id WHERE l.legacy_release_id = 25`;
    expect(added).toEqual({ format_id: null, len: 128 }); // unknown FORMAT_ID: no format, not a reason to skip
  });

  it('a tick that fails keeps the committed batches and their cursor, leaves last_run; the next tick goes on', async () => {
    await insertLegacy(
      legacy.conn,
      'LIBRARY_RELEASE',
      [30, 31, 32, 33, 34, 35, 36].map((id) => legacyRelease(id, 1)),
    );
    // Batch size 3: 30-32 commit, the batch with 33 fails in PostgreSQL.
    const restore = await failInsertOf(db.sql, 'wxyc_schema.library', 'legacy_release_id', 33);
    const before = await cronRow();
    const failed = await run();
    expect(failed.code).toBe(1);
    expect(failed.lines.at(-1)).toContain('boom');
    const mid = await cronRow();
    expect(mid!.last_run).toEqual(before!.last_run);
    expect(mid!.cursor.releases.maxId).toBe(32);
    expect(
      (await db.sql`SELECT legacy_release_id FROM wxyc_schema.library WHERE legacy_release_id >= 30 ORDER BY 1`).map(
        (l) => l.legacy_release_id,
      ),
    ).toEqual([30, 31, 32]);

    await restore();
    const ok = await run();
    expect(ok.code, ok.lines.join('\n')).toBe(0);
    expect(ok.lines.join('\n')).toContain('releases 4 new, 0 updated');
    expect((await cronRow())!.last_run.getTime()).toBeGreaterThan(before!.last_run.getTime());
  });

  it('refuses arguments: exit 2, one line', async () => {
    const r = await runEtlMain('library-etl', libraryEtl, env(), ['dump.sql']);
    expect(r).toEqual({
      code: 2,
      lines: [
        '[library-etl] error: unknown argument "dump.sql"; usage: node dist/job.js [--verify] [--repair] [--confirm-deleted TABLE:FROM-TO] (--help for details)',
      ],
    });
  });
});
