// Entries imported before their library release or rotation row get linked once it arrives,
// by the legacy link ids kept for them (real MariaDB and PostgreSQL).
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_FLOWSHEET_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow } from '../../support/legacy/flowsheet-rows.js';
import { runFlowsheetEtl } from '../../support/legacy/run-etl.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);
const env = () => ({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url });
const links = () =>
  db.sql`SELECT legacy_entry_id, legacy_release_id, legacy_rotation_id, album_id IS NOT NULL AS album, rotation_id IS NOT NULL AS rot
         FROM wxyc_schema.flowsheet ORDER BY 1`;

describe.skipIf(!server)('flowsheet-etl late links', () => {
  it('an entry whose release and rotation rows arrive two ticks later is linked then, and only it is touched', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(1)]);
    await insertLegacy(legacy.conn, 'FLOWSHEET_ENTRY_PROD', [
      legacyEntry(1, 1),
      legacyEntry(2, 1, { LIBRARY_RELEASE_ID: 77 }),
      legacyEntry(3, 1, { ROTATION_RELEASE_ID: 88 }),
    ]);
    for (let tick = 1; tick <= 2; tick++) {
      const run = await runFlowsheetEtl(env());
      expect(run.code, run.lines.join('\n')).toBe(0);
      expect(
        run.lines.some((l) =>
          l.includes('0 links made to library/rotation rows imported since, 2 entries waiting for theirs'),
        ),
      ).toBe(true);
    }
    expect(await links()).toEqual([
      { legacy_entry_id: 1, legacy_release_id: null, legacy_rotation_id: null, album: false, rot: false },
      { legacy_entry_id: 2, legacy_release_id: 77, legacy_rotation_id: null, album: false, rot: false },
      { legacy_entry_id: 3, legacy_release_id: null, legacy_rotation_id: 88, album: false, rot: false },
    ]);
    const [{ cursor }] =
      (await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`) as unknown as [
        { cursor: { pendingLinks: unknown } },
      ];
    expect(cursor.pendingLinks).toEqual([
      [2, 77, 0],
      [3, 0, 88],
    ]);

    // library-etl and rotation-etl import them (on their own schedules).
    const [album] =
      await db.sql`INSERT INTO wxyc_schema.library (legacy_release_id, album_title, code_number) VALUES (77, 'Album 77', 1) RETURNING id`;
    const [rotation] =
      await db.sql`INSERT INTO wxyc_schema.rotation (legacy_rotation_id, rotation_bin) VALUES (88, 'H') RETURNING id`;
    const before =
      await db.sql`SELECT legacy_entry_id, xmin::text FROM wxyc_schema.flowsheet WHERE legacy_entry_id = 1`;
    const run = await runFlowsheetEtl(env());
    expect(run.code, run.lines.join('\n')).toBe(0);
    expect(
      run.lines.some((l) =>
        l.includes('2 links made to library/rotation rows imported since, 0 entries waiting for theirs'),
      ),
    ).toBe(true);
    const rows =
      await db.sql`SELECT legacy_entry_id, album_id, rotation_id, source_hash IS NOT NULL AS hashed FROM wxyc_schema.flowsheet WHERE legacy_entry_id IN (2, 3) ORDER BY 1`;
    expect(rows).toEqual([
      { legacy_entry_id: 2, album_id: album!.id, rotation_id: null, hashed: true },
      { legacy_entry_id: 3, album_id: null, rotation_id: rotation!.id, hashed: true },
    ]);
    expect(
      await db.sql`SELECT legacy_entry_id, xmin::text FROM wxyc_schema.flowsheet WHERE legacy_entry_id = 1`,
    ).toEqual(before);
  });
});
