// A show merged into another stays merged (issue #25, item 2): a de-dup job retires the duplicate
// show's legacy id with its successor and repoints its entries; the entries MySQL still files
// under the old show (new ones, edits, verification repairs) then land on the successor, never
// wait for a show that does not come back, and the retired show is never re-imported.
import { describe, expect, it } from 'vitest';
import { retireLegacyIds } from '@wxyc/legacy-etl';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_FLOWSHEET_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow } from '../../support/legacy/flowsheet-rows.js';
import { runFlowsheetEtl } from '../../support/legacy/run-etl.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);
const env = () => ({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url });
const tick = async (args: string[] = []) => {
  const run = await runFlowsheetEtl(env(), args);
  expect(run.code, run.lines.join('\n')).toBe(0);
  return run.lines.join('\n');
};
const entriesByShow = () =>
  db.sql`SELECT f.legacy_entry_id AS entry, s.legacy_show_id AS show, f.track_title AS track
         FROM wxyc_schema.flowsheet f JOIN wxyc_schema.shows s ON s.id = f.show_id ORDER BY 1`;

describe.skipIf(!server)('flowsheet-etl: a merged show stays merged', () => {
  it('entries filed under the retired show land on its successor: new, edited and re-verified', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(1), legacyShow(2)]);
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_ENTRY_PROD',
      [1, 2, 3, 4].map((id) => legacyEntry(id, id <= 2 ? 1 : 2)),
    );
    await tick();

    // The de-dup job: show 2 is show 1 entered twice.
    await db.sql.begin(async (tx) => {
      await retireLegacyIds(tx, {
        table: 'wxyc_schema.shows',
        ids: [2],
        successor: 1,
        reason: 'duplicate of legacy show 1',
        job: 'show-dedup',
      });
      await tx`UPDATE wxyc_schema.flowsheet SET show_id = (SELECT id FROM wxyc_schema.shows WHERE legacy_show_id = 1)
               WHERE show_id = (SELECT id FROM wxyc_schema.shows WHERE legacy_show_id = 2)`;
      await tx`DELETE FROM wxyc_schema.shows WHERE legacy_show_id = 2`;
    });

    // MySQL goes on filing entries under show 2: a new one and an edit of an old one.
    await insertLegacy(legacy.conn, 'FLOWSHEET_ENTRY_PROD', [legacyEntry(5, 2)]);
    await legacy.exec(
      `UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'Edited', TIME_LAST_MODIFIED = ${Date.now() - 60_000} WHERE ID = 4`,
    );
    const out = await tick();
    expect(out).not.toContain('unknown show id');
    const merged = [
      { entry: 1, show: 1, track: 'Song 1' },
      { entry: 2, show: 1, track: 'Song 2' },
      { entry: 3, show: 1, track: 'Song 3' },
      { entry: 4, show: 1, track: 'Edited' },
      { entry: 5, show: 1, track: 'Song 5' },
    ];
    expect(await entriesByShow()).toEqual(merged);

    // Verification repairs the repointed entries (show_id is a source column) onto the successor
    // too, and a second lap finds nothing to do.
    await tick(['--verify', '--repair']);
    expect(await entriesByShow()).toEqual(merged);
    expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.shows WHERE legacy_show_id = 2`)[0]!.n).toBe(0);
    const again = await tick(['--verify']);
    expect(again).toMatch(/verify FLOWSHEET_ENTRY_PROD: .*0 changed, 0 missing, 0 extra/);
    expect(again).toMatch(/verify FLOWSHEET_RADIO_SHOW_PROD: .*0 changed, 0 missing, 0 extra/);
  });

  it('a merge of a merge is followed to the last show; a successor among the retired ids is refused', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(3)]);
    await db.sql.begin(async (tx) => {
      // Show 1 (which absorbed 2) is itself merged into 3.
      await retireLegacyIds(tx, {
        table: 'wxyc_schema.shows',
        ids: [1],
        successor: 3,
        reason: 'dup',
        job: 'show-dedup',
      });
    });
    await tick(); // imports show 3
    await db.sql.begin(async (tx) => {
      await tx`UPDATE wxyc_schema.flowsheet SET show_id = (SELECT id FROM wxyc_schema.shows WHERE legacy_show_id = 3)`;
      await tx`DELETE FROM wxyc_schema.shows WHERE legacy_show_id = 1`;
    });
    await insertLegacy(legacy.conn, 'FLOWSHEET_ENTRY_PROD', [legacyEntry(6, 2), legacyEntry(7, 1)]);
    await tick();
    const rows = await entriesByShow();
    expect(rows.filter((r) => r.entry >= 6)).toEqual([
      { entry: 6, show: 3, track: 'Song 6' },
      { entry: 7, show: 3, track: 'Song 7' },
    ]);
    await expect(
      retireLegacyIds(db.sql, { table: 'wxyc_schema.shows', ids: [8, 9], successor: 9, reason: 'dup', job: 'x' }),
    ).rejects.toThrow('retireLegacyIds: successor 9 must be a positive int4 and not one of the retired ids.');
  });
});
