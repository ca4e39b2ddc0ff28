// The sweep's laps: an old release edited behind the sweep, before newer edits moved the cursor's
// time past it, is still found by the next lap (which re-reads rows modified since this lap began).
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyCode, legacyRelease } from '../../support/legacy/catalogue-rows.js';
import { runEtlMain } from '../../support/legacy/run-etl.js';
import { libraryEtl } from '../../../jobs/library-etl/src/main.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL]);
// 100 releases, a window of 10 ids, slices of 30: a lap is (0,30], (30,60], (60,90], one slice a tick.
// Verification off: this is about the sweep's own laps (the verification slice would repair the edit too).
const env = () => ({
  DATABASE_URL: db.url,
  LEGACY_DATABASE_URL: legacy.url,
  ETL_EDIT_WINDOW_IDS: '10',
  ETL_SWEEP_IDS: '30',
  ETL_VERIFY_ROWS_PER_TICK: '0',
});

async function tick() {
  const r = await runEtlMain('library-etl', libraryEtl, env());
  expect(r.code, r.lines.join('\n')).toBe(0);
  const [row] = await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'library-etl'`;
  return { read: Number(/\((\d+) legacy rows read\)/.exec(r.lines.join('\n'))![1]), sweep: row!.cursor.releases.sweep };
}
const missing = async () =>
  (await db.sql`SELECT legacy_release_id FROM wxyc_schema.library WHERE missing ORDER BY 1`).map(
    (l) => l.legacy_release_id,
  );

describe.skipIf(!server)('library-etl sweep laps', () => {
  it('finds an edit made behind the sweep in the next lap, though newer edits came after it', async () => {
    await legacy.exec("INSERT INTO GENRE VALUES (1, 'Rock'); INSERT INTO FORMAT VALUES (1, 'cd');");
    await insertLegacy(legacy.conn, 'LIBRARY_CODE', [legacyCode(1)]);
    await insertLegacy(
      legacy.conn,
      'LIBRARY_RELEASE',
      Array.from({ length: 100 }, (_, i) => legacyRelease(i + 1, 1)),
    );
    expect((await tick()).read).toBe(101);
    // Lap 1 has no start time: every older row once, a slice a tick.
    expect((await tick()).sweep).toMatchObject({ nextId: 30, since: null });
    expect((await tick()).sweep).toMatchObject({ nextId: 60, since: null });
    const wrapped = await tick();
    expect(wrapped.sweep).toMatchObject({ nextId: 0 });
    expect(wrapped.sweep.since).not.toBeNull();
    // Lap 2, first slice (0,30]: nothing changed there; read: the artist and release 100, at the cursor's time.
    expect(await tick()).toMatchObject({ read: 2, sweep: { nextId: 30 } });

    // Release 5 (behind the sweep now) is lost; then release 95 (in the window) is edited later.
    const t1 = Date.now() - 60_000;
    await legacy.exec(`UPDATE LIBRARY_RELEASE SET DATE_LOST = ${t1}, TIME_LAST_MODIFIED = ${t1} WHERE ID = 5`);
    await legacy.exec(`UPDATE LIBRARY_RELEASE SET TITLE = 'later', TIME_LAST_MODIFIED = ${Date.now()} WHERE ID = 95`);
    expect((await tick()).sweep).toMatchObject({ nextId: 60 }); // the window takes 95: the cursor's time passes t1
    expect(await missing()).toEqual([]);
    expect((await tick()).sweep).toMatchObject({ nextId: 0 }); // lap 2 ends
    expect(await missing()).toEqual([]);
    const found = await tick(); // lap 3, slice (0,30]: rows modified since lap 2 began
    expect(await missing()).toEqual([5]);
    expect(found.read).toBeLessThanOrEqual(3);
  });
});
