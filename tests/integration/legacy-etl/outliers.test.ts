// An outlier id (a typo: 2147483647) cannot freeze a cursor (issue #25): with 10,000 real rows
// below it, edits with a fresh TIME_LAST_MODIFIED and new rows arrive on the next tick, a deleted
// outlier is deleted like any row, a cursor saved on the outlier goes back, and the verification
// lap walks the ids that exist instead of the empty space up to 2^31. Rotation and flowsheet.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import {
  findMysqlServer,
  LEGACY_FLOWSHEET_DDL,
  LEGACY_LIBRARY_DDL,
  LEGACY_ROTATION_DDL,
  useLegacyDatabase,
} from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow } from '../../support/legacy/flowsheet-rows.js';
import { legacyRotation } from '../../support/legacy/catalogue-rows.js';
import { runEtlMain, runFlowsheetEtl } from '../../support/legacy/run-etl.js';
import { rotationEtl } from '../../../jobs/rotation-etl/src/main.js';

const OUTLIER = 2_147_483_647;
const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL, LEGACY_ROTATION_DDL, LEGACY_FLOWSHEET_DDL]);
const env = (more: Record<string, string> = {}) => ({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url, ...more });
const ok = (r: { code: number; lines: string[] }) => expect(r.code, r.lines.join('\n')).toBe(0);
const cursorOf = async (job: string) =>
  (await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = ${job}`)[0]!.cursor;
const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe.skipIf(!server)('outlier ids', () => {
  it('rotation: 10,000 rows and id 2147483647; edits and new rows below it arrive on the next tick', async () => {
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', [
      ...ids(10_000).map((id) => legacyRotation(id)),
      legacyRotation(OUTLIER, {
        ROTATION_ADD_DATE: 0,
        TIME_CREATED: Date.now() - 60_000,
        TIME_LAST_MODIFIED: Date.now() - 60_000,
      }),
    ]);
    const first = await runEtlMain('rotation-etl', rotationEtl, env());
    ok(first);
    expect(first.lines.join('\n')).toContain(
      `ROTATION_RELEASE: ids ${OUTLIER} lie more than ETL_OUTLIER_GAP_IDS (1000000) above the rows before them: imported as outliers; the cursor stays at 10000.`,
    );
    expect((await cursorOf('rotation-etl')).rotation).toMatchObject({ maxId: 10_000, outliers: [OUTLIER] });
    expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.rotation`)[0]!.n).toBe(10_001);

    await legacy.exec(
      `UPDATE ROTATION_RELEASE SET TITLE = 'Edited', TIME_LAST_MODIFIED = ${Date.now()} WHERE ID = 9000`,
    );
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', [legacyRotation(10_001)]);
    const next = await runEtlMain('rotation-etl', rotationEtl, env());
    ok(next);
    expect(next.lines.join('\n')).toContain('rotation 1 new, 1 updated');
    expect(
      await db.sql`SELECT legacy_rotation_id AS id, album_title FROM wxyc_schema.rotation WHERE legacy_rotation_id IN (9000, 10001) ORDER BY 1`,
    ).toEqual([
      { id: 9000, album_title: 'Edited' },
      { id: 10_001, album_title: 'Album 10001' },
    ]);
  });

  it('rotation: a cursor saved on the outlier (before this fix) goes back to the real ids', async () => {
    await db.sql`UPDATE wxyc_schema.cronjob_runs SET cursor = jsonb_set(cursor, '{rotation}', ${db.sql.json({ maxId: OUTLIER, maxModified: Date.now() - 3_600_000 })}) WHERE job_name = 'rotation-etl'`;
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', [legacyRotation(10_002)]);
    const r = await runEtlMain('rotation-etl', rotationEtl, env());
    ok(r);
    expect(r.lines.join('\n')).toContain(
      `ROTATION_RELEASE: the cursor stood on id ${OUTLIER}, ${OUTLIER - 10_001} above the rows before it`,
    );
    expect(r.lines.join('\n')).toContain('rotation 1 new');
    expect((await cursorOf('rotation-etl')).rotation).toMatchObject({ maxId: 10_002, outliers: [OUTLIER] });
  });

  it('rotation: a deleted outlier is deleted like any row gone from MySQL; the lap covers the real ids only', async () => {
    await legacy.exec(`DELETE FROM ROTATION_RELEASE WHERE ID = ${OUTLIER}`);
    const r = await runEtlMain('rotation-etl', rotationEtl, env());
    ok(r);
    expect(r.lines.join('\n')).toContain(
      `deleted 1 rows of wxyc_schema.rotation gone from MySQL (legacy ids ${OUTLIER})`,
    );
    expect(await db.sql`SELECT 1 FROM wxyc_schema.rotation WHERE legacy_rotation_id = ${OUTLIER}`).toEqual([]);
    expect((await cursorOf('rotation-etl')).rotation.outliers).toBeUndefined();
    const pass = await runEtlMain('rotation-etl', rotationEtl, env(), ['--verify']);
    ok(pass);
    // 10,002 ids in 4,096-id ranges: 3 ranges, not the 524,288 up to 2^31.
    expect(pass.lines.join('\n')).toMatch(
      /verify ROTATION_RELEASE: 3 ranges, 10002 rows checked; differing: 0 changed, 0 missing, 0 extra/,
    );
  });

  it('flowsheet: the same for entries; the tick after the outlier imports an edit and a new entry below it', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(1)]);
    await insertLegacy(legacy.conn, 'FLOWSHEET_ENTRY_PROD', [
      ...ids(10_000).map((id) => legacyEntry(id, 1)),
      legacyEntry(OUTLIER, 1, { TIME_CREATED: Date.now() - 60_000, TIME_LAST_MODIFIED: Date.now() - 60_000 }),
    ]);
    ok(await runFlowsheetEtl(env()));
    expect((await cursorOf('flowsheet-etl')).entries).toMatchObject({ maxId: 10_000, outliers: [OUTLIER] });
    await legacy.exec(
      `UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'Edited', TIME_LAST_MODIFIED = ${Date.now()} WHERE ID = 9500`,
    );
    await insertLegacy(legacy.conn, 'FLOWSHEET_ENTRY_PROD', [legacyEntry(10_001, 1)]);
    ok(await runFlowsheetEtl(env()));
    expect(
      await db.sql`SELECT legacy_entry_id AS id, track_title FROM wxyc_schema.flowsheet WHERE legacy_entry_id IN (9500, 10001) ORDER BY 1`,
    ).toEqual([
      { id: 9500, track_title: 'Edited' },
      { id: 10_001, track_title: 'Song 10001' },
    ]);
    await legacy.exec(`DELETE FROM FLOWSHEET_ENTRY_PROD WHERE ID = ${OUTLIER}`);
    ok(await runFlowsheetEtl(env()));
    expect(await db.sql`SELECT 1 FROM wxyc_schema.flowsheet WHERE legacy_entry_id = ${OUTLIER}`).toEqual([]);
    expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet`)[0]!.n).toBe(10_001);
    expect((await cursorOf('flowsheet-etl')).entries).toMatchObject({ maxId: 10_001 });
    expect((await cursorOf('flowsheet-etl')).entries.outliers).toBeUndefined();
  });

  it('a gap in the ids is crossed in one step: the next slice starts where rows are again', async () => {
    // Ids 20,001-20,100 and 3,000,001-3,000,100 (outliers off: a real, sparse table).
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', [...ids(100).map((i) => legacyRotation(3_000_000 + i))]);
    const e = env({ ETL_OUTLIER_GAP_IDS: '0', ETL_VERIFY_ROWS_PER_TICK: '4096', ETL_VERIFY_LAP_TICKS: '0' });
    ok(await runEtlMain('rotation-etl', rotationEtl, e));
    expect((await cursorOf('rotation-etl')).rotation.maxId).toBe(3_000_100);
    await db.sql`UPDATE wxyc_schema.cronjob_runs SET cursor = jsonb_set(cursor, '{rotation,verify}', '{"nextId": 9000}') WHERE job_name = 'rotation-etl'`;
    ok(await runEtlMain('rotation-etl', rotationEtl, e));
    // The slice 9,000-13,096 checked; the next starts at the next existing id, not 13,096.
    expect((await cursorOf('rotation-etl')).rotation.verify).toEqual({ nextId: 3_000_000 });
    ok(await runEtlMain('rotation-etl', rotationEtl, e));
    expect((await cursorOf('rotation-etl')).rotation.verify).toEqual({ nextId: 0 });
  });
});
