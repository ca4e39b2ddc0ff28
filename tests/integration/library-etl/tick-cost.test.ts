// What a tick costs: rows read from MySQL and rows rewritten in PostgreSQL follow the rows
// changed since the last tick, not the table size; edits to old releases (lost years after
// they were catalogued) are found by the sweep, a bounded slice of ids per tick.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyCode, legacyRelease } from '../../support/legacy/catalogue-rows.js';
import { rowVersions, rewritten } from '../../support/legacy/row-versions.js';
import { runEtlMain } from '../../support/legacy/run-etl.js';
import { libraryEtl } from '../../../jobs/library-etl/src/main.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL]);
const RELEASES = 6_000;
// A recent window of 1000 ids and a sweep of 2000 ids per tick: a lap over the 5000 older ids takes 3 ticks.
const env = () => ({
  DATABASE_URL: db.url,
  LEGACY_DATABASE_URL: legacy.url,
  ETL_BATCH_SIZE: '500',
  ETL_EDIT_WINDOW_IDS: '1000',
  ETL_SWEEP_IDS: '2000',
});

/** Runs a tick; returns the legacy rows it read and the library rows it rewrote (by xmin). */
async function tick(): Promise<{ read: number; rewritten: number; line: string }> {
  const before = await rowVersions(db.sql, 'wxyc_schema.library', 'legacy_release_id');
  const r = await runEtlMain('library-etl', libraryEtl, env());
  expect(r.code, r.lines.join('\n')).toBe(0);
  const line = r.lines.find((l) => l.includes('tick done'))!;
  const changed = rewritten(before, await rowVersions(db.sql, 'wxyc_schema.library', 'legacy_release_id'));
  return { read: Number(/\((\d+) legacy rows read\)/.exec(line)![1]), rewritten: changed.length, line };
}

describe.skipIf(!server)('library-etl tick cost', () => {
  beforeAll(async () => {
    await legacy.exec("INSERT INTO GENRE VALUES (1, 'Rock'); INSERT INTO FORMAT VALUES (1, 'cd');");
    await insertLegacy(
      legacy.conn,
      'LIBRARY_CODE',
      Array.from({ length: 50 }, (_, i) => legacyCode(i + 1)),
    );
    await insertLegacy(
      legacy.conn,
      'LIBRARY_RELEASE',
      Array.from({ length: RELEASES }, (_, i) => legacyRelease(i + 1, 1 + (i % 50))),
    );
  });

  it('first tick imports everything; the first sweep lap re-reads the older rows once, in bounded slices, rewriting none', async () => {
    expect(await tick()).toMatchObject({ read: RELEASES + 50, rewritten: RELEASES });
    // Lap 1 has no start time yet: it re-reads slices (0,2000], (2000,4000], (4000,5000] (+ 1 row at the cursor's time).
    const lap = [await tick(), await tick(), await tick()];
    expect(lap.map((t) => t.read)).toEqual([2002, 2002, 1002]);
    expect(lap.map((t) => t.rewritten)).toEqual([0, 0, 0]);
  });

  it('afterwards a quiet tick reads only the rows at the cursor time, and a busy one what changed', async () => {
    const quiet = await tick();
    expect(quiet).toMatchObject({ read: 2, rewritten: 0 }); // the newest release and artist, read with >=
    const now = Date.now();
    await legacy.exec(
      `UPDATE LIBRARY_RELEASE SET TITLE = CONCAT(TITLE, ' (remaster)'), TIME_LAST_MODIFIED = ${now} WHERE ID > ${RELEASES - 40}`,
    );
    await insertLegacy(
      legacy.conn,
      'LIBRARY_RELEASE',
      Array.from({ length: 25 }, (_, i) =>
        legacyRelease(RELEASES + 1 + i, 1, { TIME_LAST_MODIFIED: now, TIME_CREATED: now }),
      ),
    );
    const busy = await tick();
    expect(busy.rewritten).toBe(65);
    expect(busy.read).toBeLessThanOrEqual(65 + 2);
  });

  it('an old release lost today is marked missing within one sweep lap, each tick still bounded', async () => {
    const lostAt = Date.now();
    await legacy.exec(
      `UPDATE LIBRARY_RELEASE SET DATE_LOST = ${lostAt}, TIME_LAST_MODIFIED = ${lostAt} WHERE ID IN (10, 3500)`,
    );
    const missing = async () =>
      (await db.sql`SELECT legacy_release_id FROM wxyc_schema.library WHERE missing ORDER BY 1`).map(
        (l) => l.legacy_release_id,
      );
    const reads: number[] = [];
    for (let i = 0; i < 3 && (await missing()).length < 2; i++) reads.push((await tick()).read);
    expect(await missing()).toEqual([10, 3500]);
    // No tick read more than the rows changed plus the boundary rows: the slices filter on time.
    for (const r of reads) expect(r).toBeLessThanOrEqual(2 + 65 + 2);
  });
});
