// Faults of a tick, against real MariaDB and PostgreSQL: a legacy row edited while the tick runs,
// and the tick's lock session dying mid-tick.
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { runEtl, type EtlContext, type LegacySource } from '@wxyc/legacy-etl';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_FLOWSHEET_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow } from '../../support/legacy/flowsheet-rows.js';
import { captureLogger, runFlowsheetEtl } from '../../support/legacy/run-etl.js';
import { ENTRY_QUERIES } from '../../../jobs/flowsheet-etl/src/legacy-tables.js';
import { runTick } from '../../../jobs/flowsheet-etl/src/tick.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);
// Verification off: these tests are about what the tick itself reads (the verification slice would repair it too).
const env = () => ({
  DATABASE_URL: db.url,
  LEGACY_DATABASE_URL: legacy.url,
  ETL_BATCH_SIZE: '3',
  ETL_VERIFY_ROWS_PER_TICK: '0',
});

/** The legacy source with a hook run after each query returns (to change MySQL between a tick's pages). */
function hooked(
  source: LegacySource,
  after: (sql: string, rows: Record<string, unknown>[]) => Promise<void>,
): LegacySource {
  return {
    ...source,
    async query<T extends Record<string, unknown>>(sql: string, params?: unknown[]) {
      const rows = await source.query<T>(sql, params);
      await after(sql, rows);
      return rows;
    },
  };
}

const titles = async () =>
  Object.fromEntries(
    (await db.sql`SELECT legacy_entry_id, track_title FROM wxyc_schema.flowsheet ORDER BY 1`).map((r) => [
      r.legacy_entry_id,
      r.track_title,
    ]),
  );

describe.skipIf(!server)('flowsheet-etl tick faults', () => {
  it('an edit made during a tick, to a row already read, is imported by the next tick although a later-read row is stamped newer', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(1)]);
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_ENTRY_PROD',
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((id) => legacyEntry(id, 1)),
    );
    const first = await runFlowsheetEtl(env());
    expect(first.code, first.lines.join('\n')).toBe(0);

    // Every entry was edited a minute ago, so tick 2 reads the edit window in pages of 3. After
    // its first page (ids 1-3) has been read,
    // a DJ edits entry 2 (stamped now) and then entry 8 (stamped 5 s later), which a later page reads.
    await legacy.conn.query(
      'UPDATE FLOWSHEET_ENTRY_PROD SET TIME_LAST_MODIFIED = ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) - 60000',
    );
    let edited = false;
    const lines: string[] = [];
    const code = await runEtl(
      { job: 'flowsheet-etl', log: captureLogger(lines), env: env(), needLegacy: true },
      (ctx: EtlContext) =>
        runTick({
          ...ctx,
          legacy: hooked(ctx.legacy, async (sql, rows) => {
            if (edited || sql !== ENTRY_QUERIES.editedRows || !rows.some((r) => r.ID === 1)) return;
            edited = true;
            await legacy.conn.query(
              "UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'A-EDIT-1', TIME_LAST_MODIFIED = ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) WHERE ID = 2",
            );
            await legacy.conn.query(
              "UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'B-EDIT', TIME_LAST_MODIFIED = ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) + 5000 WHERE ID = 8",
            );
          }),
        }),
    );
    expect(code, lines.join('\n')).toBe(0);
    expect(edited).toBe(true);
    expect((await titles())[2]).toBe('Song 2'); // read before the edit
    expect((await titles())[8]).toBe('B-EDIT');

    const third = await runFlowsheetEtl(env());
    expect(third.code, third.lines.join('\n')).toBe(0);
    expect((await titles())[2]).toBe('A-EDIT-1');
    // The mark stays behind the tick's start on the MySQL clock (less ETL_MODIFIED_OVERLAP_S), never at entry 8's stamp.
    const [rows8] = await legacy.conn.query<RowDataPacket[]>(
      'SELECT TIME_LAST_MODIFIED AS t8 FROM FLOWSHEET_ENTRY_PROD WHERE ID = 8',
    );
    const t8 = Number(rows8[0]!.t8);
    const [cron] = await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`;
    expect(cron!.cursor.entries.maxModified).toBeLessThanOrEqual(Number(t8) - 5000 - 600_000 + 1000);
  });

  it('a tick whose lock session dies stops before its next write, says so, and the next tick completes', async () => {
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_ENTRY_PROD',
      [10, 11, 12, 13, 14, 15, 16, 17, 18].map((id) => legacyEntry(id, 1)),
    );
    // While the page holding entry 14 is written, the tick's lock session is terminated (as a
    // failover or an operator would), and the termination has completed before the page commits.
    await db.sql.unsafe(`CREATE FUNCTION wxyc_schema.test_kill_lock() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.legacy_entry_id = 14 THEN
          PERFORM pg_terminate_backend(l.pid, 5000) FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
        END IF;
        RETURN NEW;
      END $$`);
    await db.sql`CREATE TRIGGER test_kill_lock BEFORE INSERT ON wxyc_schema.flowsheet FOR EACH ROW EXECUTE FUNCTION wxyc_schema.test_kill_lock()`;
    const lines: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    let run: Awaited<ReturnType<typeof runFlowsheetEtl>>;
    try {
      run = await runFlowsheetEtl(env());
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    lines.push(...run.lines);
    expect(run.code, lines.join('\n')).toBe(1);
    expect(run.lines.at(-1)).toMatch(
      /^\[flowsheet-etl\] error: lost the tick lock: its PostgreSQL session \(pid \d+\) has ended\. Stopped before the next write/,
    );
    expect(lines.join('\n')).not.toMatch(/TypeError/);
    expect(unhandled).toEqual([]);
    // The page of 13-15 did not commit, nor anything after it; the cursor is at the last committed page.
    const ids = (
      await db.sql`SELECT legacy_entry_id FROM wxyc_schema.flowsheet WHERE legacy_entry_id >= 10 ORDER BY 1`
    ).map((r) => r.legacy_entry_id);
    expect(ids).toEqual([10, 11, 12]);
    const [cron] = await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`;
    expect(cron!.cursor.entries.maxId).toBe(12);

    await db.sql`DROP TRIGGER test_kill_lock ON wxyc_schema.flowsheet`;
    const next = await runFlowsheetEtl(env());
    expect(next.code, next.lines.join('\n')).toBe(0);
    expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE legacy_entry_id >= 10`)[0]!.n).toBe(
      9,
    );
  });
});
