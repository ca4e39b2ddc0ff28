// The mirror never undoes local work (issue #25): rotation's discogs_release_id, kill_date and
// album_id are source-else-local. A local resolver's ids and a de-dup's kills survive ticks and
// verification laps; a legacy value appearing later wins; a hand edit of a source column is
// repaired; a retired legacy id is never re-imported; an undeclared written column is refused.
import { describe, expect, it } from 'vitest';
import { runEtl, retireLegacyIds } from '@wxyc/legacy-etl';
import type { Logger } from '@wxyc/job-runtime';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, LEGACY_ROTATION_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy } from '../../support/legacy/flowsheet-rows.js';
import { legacyRotation } from '../../support/legacy/catalogue-rows.js';
import { runEtlMain } from '../../support/legacy/run-etl.js';
import { rotationEtl } from '../../../jobs/rotation-etl/src/main.js';
import { ROTATION_MIRROR } from '../../../jobs/rotation-etl/src/legacy-tables.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL, LEGACY_ROTATION_DDL]);
const env = (more: Record<string, string> = {}) => ({
  DATABASE_URL: db.url,
  LEGACY_DATABASE_URL: legacy.url,
  ETL_BATCH_SIZE: '50',
  ...more,
});
const tick = (more: Record<string, string> = {}) => runEtlMain('rotation-etl', rotationEtl, env(more));
const verifyRepair = () => runEtlMain('rotation-etl', rotationEtl, env(), ['--verify', '--repair']);
const ok = (r: { code: number; lines: string[] }) => expect(r.code, r.lines.join('\n')).toBe(0);
const counts = async () =>
  (
    await db.sql<{ local_ids: number; kills: number; hashed: number; rows: number }[]>`
      SELECT count(*) FILTER (WHERE discogs_release_id >= 5000000)::int AS local_ids, count(kill_date)::int AS kills,
             count(source_hash)::int AS hashed, count(*)::int AS rows FROM wxyc_schema.rotation`
  )[0]!;
const row = async (id: number) =>
  (
    await db.sql`SELECT artist_name, discogs_release_id, kill_date::text FROM wxyc_schema.rotation WHERE legacy_rotation_id = ${id}`
  )[0];

describe.skipIf(!server)('rotation-etl: column owners', () => {
  it('imports 300 rows, 192 of them without a legacy Discogs id', async () => {
    const rows = Array.from({ length: 300 }, (_, i) =>
      legacyRotation(i + 1, { DISCOGS_RELEASE_ID: i + 1 > 192 ? 900_000 + i + 1 : 0 }),
    );
    await insertLegacy(legacy.conn, 'ROTATION_RELEASE', rows);
    ok(await tick());
    expect(await counts()).toEqual({ local_ids: 0, kills: 0, hashed: 300, rows: 300 });
  });

  it('local ids for the legacy-0 rows and 150 kills survive ticks, a forced lap and full re-imports', async () => {
    const resolved =
      await db.sql`UPDATE wxyc_schema.rotation SET discogs_release_id = 5000000 + legacy_rotation_id WHERE discogs_release_id IS NULL`;
    const killed =
      await db.sql`UPDATE wxyc_schema.rotation SET kill_date = '2026-05-01' WHERE legacy_rotation_id <= 150`;
    expect([resolved.count, killed.count]).toEqual([192, 150]);
    // Not drift: 0063's trigger leaves the hash of a source-else-local write alone.
    expect((await counts()).hashed).toBe(300);
    ok(await tick({ ETL_VERIFY_LAP_TICKS: '0' }));
    ok(await verifyRepair());
    expect(await counts()).toEqual({ local_ids: 192, kills: 150, hashed: 300, rows: 300 });
    // Every row re-imported through the mapping (hashes gone): the import keeps the local values too.
    await db.sql`UPDATE wxyc_schema.rotation SET source_hash = NULL`;
    const r = await verifyRepair();
    ok(r);
    expect(r.lines.join('\n')).toMatch(/300 changed, 0 missing, 0 extra; repaired 300/);
    expect(await counts()).toEqual({ local_ids: 192, kills: 150, hashed: 300, rows: 300 });
  });

  it('a legacy value that appears later wins, found by verification (no new TIME_LAST_MODIFIED) and by the edit window', async () => {
    await legacy.exec(`
      UPDATE ROTATION_RELEASE SET DISCOGS_RELEASE_ID = 777 WHERE ID = 5;
      UPDATE ROTATION_RELEASE SET ROTATION_KILL_DATE = ${Date.UTC(2026, 5, 1, 16)} WHERE ID = 6;
      UPDATE ROTATION_RELEASE SET DISCOGS_RELEASE_ID = 778, TIME_LAST_MODIFIED = ${Date.now()} WHERE ID = 8;`);
    ok(await tick({ ETL_VERIFY_ROWS_PER_TICK: '0' }));
    expect(await row(8)).toMatchObject({ discogs_release_id: 778 });
    expect(await row(5)).toMatchObject({ discogs_release_id: 5000005 });
    ok(await verifyRepair());
    expect(await row(5)).toMatchObject({ discogs_release_id: 777, kill_date: '2026-05-01' });
    expect(await row(6)).toMatchObject({ discogs_release_id: 5000006, kill_date: '2026-06-01' });
    expect(await counts()).toMatchObject({ local_ids: 190, kills: 150 });
  });

  it('a hand edit of a source column is drift: repaired by the next lap, local values kept', async () => {
    await db.sql`UPDATE wxyc_schema.rotation SET artist_name = 'Hand Edit' WHERE legacy_rotation_id = 7`;
    expect(await db.sql`SELECT source_hash FROM wxyc_schema.rotation WHERE legacy_rotation_id = 7`).toEqual([
      { source_hash: null },
    ]);
    const r = await tick({ ETL_VERIFY_LAP_TICKS: '0' });
    ok(r);
    expect(r.lines.join('\n')).toMatch(/verify ROTATION_RELEASE: .*1 changed, 0 missing, 0 extra; repaired 1/);
    expect(await row(7)).toEqual({ artist_name: 'Artist 7', discogs_release_id: 5000007, kill_date: '2026-05-01' });
  });

  it('a retired legacy id is never re-imported: not by a tick reading its edit, not by verification', async () => {
    await db.sql.begin(async (tx) => {
      expect(
        await retireLegacyIds(tx, {
          table: 'wxyc_schema.rotation',
          ids: [10],
          reason: 'duplicate of legacy id 11',
          job: 'rotation-dedup',
        }),
      ).toBe(1);
      await tx`DELETE FROM wxyc_schema.rotation WHERE legacy_rotation_id = 10`;
    });
    // Clean right after: the record carries the row's hash, so the sums agree with MySQL.
    const clean = await verifyRepair();
    ok(clean);
    expect(clean.lines.join('\n')).toMatch(/verify ROTATION_RELEASE: .*0 changed, 0 missing, 0 extra/);
    await legacy.exec(`UPDATE ROTATION_RELEASE SET TITLE = 'Edited', TIME_LAST_MODIFIED = ${Date.now()} WHERE ID = 10`);
    const edited = await tick({ ETL_VERIFY_LAP_TICKS: '0' });
    ok(edited);
    // The tick read the edit (skipped: retired); its verification slice found the row differing and skipped it too.
    expect(edited.lines.join('\n')).toMatch(
      /verify ROTATION_RELEASE: .*1 changed, 0 missing, 0 extra; .*, 1 retired locally \(skipped\)/,
    );
    const found = await verifyRepair();
    ok(found);
    expect(await db.sql`SELECT 1 FROM wxyc_schema.rotation WHERE legacy_rotation_id = 10`).toEqual([]);
    // The record follows MySQL's hash: the next pass finds nothing.
    const again = await verifyRepair();
    expect(again.lines.join('\n')).toMatch(
      /verify ROTATION_RELEASE: .*0 changed, 0 missing, 0 extra; .*refused 0 \(MySQL answered empty or short\); /,
    );
    expect(await db.sql`SELECT reason, job FROM wxyc_schema.legacy_retired_ids`).toEqual([
      { reason: 'duplicate of legacy id 11', job: 'rotation-dedup' },
    ]);
    // Gone from MySQL as well: the record stays (the id stays retired), nothing is deleted or refused.
    await legacy.exec('DELETE FROM ROTATION_RELEASE WHERE ID = 10');
    ok(await verifyRepair());
    const last = await verifyRepair();
    expect(last.lines.join('\n')).toMatch(/0 changed, 0 missing, 0 extra; repaired 0 .*deleted 0/);
    expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.legacy_retired_ids`)[0]!.n).toBe(1);
  });

  it('refuses to start when a written column has no owner: one line, exit 2, nothing connected', async () => {
    const main = (log: Logger, _args: string[], e: Record<string, string | undefined>) =>
      runEtl(
        {
          job: 'rotation-etl',
          log,
          env: e,
          needLegacy: true,
          mirrors: [{ ...ROTATION_MIRROR, written: [...ROTATION_MIRROR.written, 'notes'] }],
        },
        async () => {
          throw new Error('the body must not run');
        },
      );
    const r = await runEtlMain('rotation-etl', main, {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      LEGACY_DATABASE_URL: legacy.url,
    });
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      "[rotation-etl] error: rotation-etl: wxyc_schema.rotation writes column notes with no owner; declare it source, source-else-local or local in the job's legacy-tables.ts. Refusing to start.",
    ]);
  });
});
