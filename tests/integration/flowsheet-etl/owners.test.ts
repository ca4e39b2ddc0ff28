// flowsheet-etl's source-else-local column of shows (issue #25): end_time. A show MySQL never
// signed off (SIGNOFF_TIME 0) keeps the end a local job gave it through ticks and a verification
// lap; a legacy sign-off set later wins.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_FLOWSHEET_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow, T0 } from '../../support/legacy/flowsheet-rows.js';
import { runFlowsheetEtl } from '../../support/legacy/run-etl.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);
const run = async (args: string[] = []) => {
  const r = await runFlowsheetEtl({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url }, args);
  expect(r.code, r.lines.join('\n')).toBe(0);
  return r.lines.join('\n');
};
const endOf = async (legacyShowId: number) =>
  (
    await db.sql<
      { e: Date | null }[]
    >`SELECT end_time AS e FROM wxyc_schema.shows WHERE legacy_show_id = ${legacyShowId}`
  )[0]!.e;

describe.skipIf(!server)('flowsheet-etl: shows.end_time is source-else-local', () => {
  it('a local end of a show never signed off is kept by ticks and verification; a legacy sign-off wins', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(1, { SIGNOFF_TIME: 0 })]);
    await insertLegacy(legacy.conn, 'FLOWSHEET_ENTRY_PROD', [legacyEntry(1, 1)]);
    await run();
    expect(await endOf(1)).toBeNull();
    // A local repair job closes the show two hours after it started.
    const local = new Date(T0 + 3 * 3_600_000);
    await db.sql`UPDATE wxyc_schema.shows SET end_time = ${local} WHERE legacy_show_id = 1`;
    await run();
    const lap = await run(['--verify', '--repair']);
    expect(lap).toMatch(/verify FLOWSHEET_RADIO_SHOW_PROD: .*0 changed, 0 missing, 0 extra/);
    expect((await endOf(1))?.getTime()).toBe(local.getTime());

    const signoff = T0 + 3_600_000 + 5_400_000;
    await legacy.exec(
      `UPDATE FLOWSHEET_RADIO_SHOW_PROD SET SIGNOFF_TIME = ${signoff}, TIME_LAST_MODIFIED = ${Date.now() - 60_000} WHERE ID = 1`,
    );
    await run();
    expect((await endOf(1))?.getTime()).toBe(signoff);
  });
});
