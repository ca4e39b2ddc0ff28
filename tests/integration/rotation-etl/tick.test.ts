// rotation-etl ticks end to end: a real MariaDB with the legacy rotation list (and card
// catalogue, imported by library-etl) -> a migrated PostgreSQL.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import {
  findMysqlServer,
  LEGACY_LIBRARY_DDL,
  LEGACY_LIBRARY_SEED,
  LEGACY_ROTATION_DDL,
  LEGACY_ROTATION_SEED,
  useLegacyDatabase,
} from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyRelease, legacyRotation } from '../../support/legacy/catalogue-rows.js';
import { failInsertOf } from '../../support/legacy/fail-trigger.js';
import { rowVersions, rewritten } from '../../support/legacy/row-versions.js';
import { runEtlMain } from '../../support/legacy/run-etl.js';
import { libraryEtl } from '../../../jobs/library-etl/src/main.js';
import { rotationEtl } from '../../../jobs/rotation-etl/src/main.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [
  LEGACY_LIBRARY_DDL,
  LEGACY_LIBRARY_SEED,
  LEGACY_ROTATION_DDL,
  LEGACY_ROTATION_SEED,
]);
const env = () => ({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url, ETL_BATCH_SIZE: '2' });
const run = () => runEtlMain('rotation-etl', rotationEtl, env());
const cronRow = async () =>
  (await db.sql`SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'rotation-etl'`)[0];
const versions = () => rowVersions(db.sql, 'wxyc_schema.rotation', 'legacy_rotation_id');
const rotation = () => db.sql`
  SELECT r.legacy_rotation_id AS id, r.rotation_bin::text AS bin, r.artist_name, r.album_title, r.record_label, r.discogs_release_id,
         r.add_date::text, r.kill_date::text, l.legacy_release_id AS release
  FROM wxyc_schema.rotation r LEFT JOIN wxyc_schema.library l ON l.id = r.album_id ORDER BY 1`;
const T = Date.UTC(2026, 3, 20, 15, 0, 0); // 2026-04-20 11:00 in Chapel Hill

describe.skipIf(!server)('rotation-etl tick', () => {
  it('imports the seed: bins, labels, Discogs ids, kill dates, links to library releases; a blank type is skipped with a log line', async () => {
    expect((await runEtlMain('library-etl', libraryEtl, env())).code).toBe(0);
    const r = await run();
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(r.lines).toContain(
      '[rotation-etl] warning: skipped 1 row, ROTATION_RELEASE: blank ROTATION_TYPE (legacy id 5)',
    );
    expect(r.lines.join('\n')).toMatch(
      /rotation 4 new, 0 updated \(5 legacy rows read\); 0 linked to library releases imported since, 1 still waiting for theirs; 1 skipped, 0 repaired; cursor 5\./,
    );
    expect(await rotation()).toEqual([
      {
        id: 1,
        bin: 'H',
        artist_name: 'Stereolab',
        album_title: 'Emperor Tomato Ketchup',
        record_label: 'Duophonic',
        discogs_release_id: 1234567,
        add_date: '2026-03-30',
        kill_date: null,
        release: 2,
      },
      {
        id: 2,
        bin: 'M',
        artist_name: 'Broadcast',
        album_title: 'The Noise Made by People',
        record_label: 'Warp',
        discogs_release_id: null,
        add_date: '2026-03-30',
        kill_date: null,
        release: 3,
      },
      // No company: ALTERNATE_LABEL_NAME; DISCOGS_RELEASE_ID -1 and LIBRARY_RELEASE_ID 0 are "none"; left rotation on April 1.
      {
        id: 3,
        bin: 'L',
        artist_name: 'Yo La Tengo',
        album_title: 'Autumn Sweater',
        record_label: 'Matador',
        discogs_release_id: null,
        add_date: '2026-03-30',
        kill_date: '2026-04-01',
        release: null,
      },
      // LIBRARY_RELEASE_ID 99 is not in the library (yet).
      {
        id: 4,
        bin: 'S',
        artist_name: 'Unwound',
        album_title: 'Leaves Turn Inside You',
        record_label: 'Kill Rock Stars',
        discogs_release_id: null,
        add_date: '2026-04-04',
        kill_date: null,
        release: null,
      },
    ]);
    expect((await cronRow())!.cursor).toEqual({
      rotation: { maxId: 5, maxModified: 1775318400000, verify: { nextId: 0 } },
      pendingLinks: [[4, 99]],
    });
  });

  it('a re-run changes nothing', async () => {
    const before = await versions();
    const r = await run();
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(r.lines.join('\n')).toContain('rotation 0 new, 0 updated');
    expect(await versions()).toEqual(before);
  });

  it('picks up edits: an entry that ends is closed (kept, with its kill date), a bin change; unknown types are skipped with a log line', async () => {
    await legacy.exec(`
      UPDATE ROTATION_RELEASE SET ROTATION_KILL_DATE = ${T}, TIME_LAST_MODIFIED = ${T} WHERE ID = 2;
      UPDATE ROTATION_RELEASE SET ROTATION_TYPE = 'M', TIME_LAST_MODIFIED = ${T} WHERE ID = 1;`);
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', [
      legacyRotation(6, { ROTATION_TYPE: 'X' }),
      legacyRotation(7, {
        ROTATION_TYPE: 'h',
        COMPANY_ID: 2,
        ALTERNATE_LABEL_NAME: 'Not This One',
        LIBRARY_RELEASE_ID: 100,
        DISCOGS_RELEASE_ID: 42,
      }),
    ]);
    const before = await versions();
    const r = await run();
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(r.lines).toContain(
      '[rotation-etl] warning: skipped 1 row, ROTATION_RELEASE: unknown ROTATION_TYPE "X" (not H, M, L or S) (legacy id 6)',
    );
    expect(r.lines.join('\n')).toContain('rotation 1 new, 2 updated');
    const rows = await rotation();
    expect(rows.map((e) => [e.id, e.bin, e.kill_date])).toEqual([
      [1, 'M', null],
      [2, 'M', '2026-04-20'],
      [3, 'L', '2026-04-01'],
      [4, 'S', null],
      [7, 'H', null],
    ]);
    expect(rows[4]).toMatchObject({ record_label: 'Warp', discogs_release_id: 42, release: null });
    expect(rewritten(before, await versions())).toEqual([1, 2, 7]);
    expect((await cronRow())!.cursor.pendingLinks).toEqual([
      [4, 99],
      [7, 100],
    ]);
  });

  it('links entries to library releases imported after them, touching only those rows', async () => {
    await insertLegacy(legacy.conn, 'LIBRARY_RELEASE', [legacyRelease(99, 1), legacyRelease(100, 2)]);
    expect((await runEtlMain('library-etl', libraryEtl, env())).code).toBe(0);
    const before = await versions();
    const r = await run();
    expect(r.code, r.lines.join('\n')).toBe(0);
    // Read from MySQL: only the 2 rows last edited at the cursor's time; the links need no MySQL.
    expect(r.lines.join('\n')).toContain(
      'rotation 0 new, 0 updated (2 legacy rows read); 2 linked to library releases imported since, 0 still waiting for theirs',
    );
    expect((await rotation()).filter((e) => e.release !== null).map((e) => [e.id, e.release])).toEqual([
      [1, 2],
      [2, 3],
      [4, 99],
      [7, 100],
    ]);
    expect(rewritten(before, await versions())).toEqual([4, 7]);
    expect((await cronRow())!.cursor.pendingLinks).toEqual([]);
  });

  it('a tick that fails keeps the committed batches and their cursor, leaves last_run; the next tick goes on', async () => {
    await insertLegacy(
      legacy.conn,
      'ROTATION_RELEASE',
      [10, 11, 12, 13, 14].map((id) => legacyRotation(id)),
    );
    const restore = await failInsertOf(db.sql, 'wxyc_schema.rotation', 'legacy_rotation_id', 12);
    const before = await cronRow();
    const failed = await run();
    expect(failed.code).toBe(1);
    expect(failed.lines.at(-1)).toContain('boom');
    const mid = await cronRow();
    expect(mid!.last_run).toEqual(before!.last_run);
    expect(mid!.cursor.rotation.maxId).toBe(11); // batch size 2: 10-11 committed, 12-13 did not
    expect(
      (await db.sql`SELECT legacy_rotation_id FROM wxyc_schema.rotation WHERE legacy_rotation_id >= 10 ORDER BY 1`).map(
        (e) => e.legacy_rotation_id,
      ),
    ).toEqual([10, 11]);

    await restore();
    const ok = await run();
    expect(ok.code, ok.lines.join('\n')).toBe(0);
    expect(ok.lines.join('\n')).toContain('rotation 3 new, 0 updated');
  });
});
