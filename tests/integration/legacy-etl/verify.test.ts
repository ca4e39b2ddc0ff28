// Verification by chunked checksums, end to end through flowsheet-etl against real MariaDB and
// PostgreSQL: each kind of drift seeded deliberately, found, and repaired; the rails on deletes.
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { runEtl, type EtlContext, type LegacySource } from '@wxyc/legacy-etl';
import { useTestDatabase } from '../../support/test-database.js';
import { findMysqlServer, LEGACY_FLOWSHEET_DDL, useLegacyDatabase } from '../../support/mysql.js';
import { insertLegacy, legacyEntry, legacyShow, T0 } from '../../support/legacy/flowsheet-rows.js';
import { captureLogger, runFlowsheetEtl } from '../../support/legacy/run-etl.js';
import { ENTRY_QUERIES } from '../../../jobs/flowsheet-etl/src/legacy-tables.js';
import { runTick } from '../../../jobs/flowsheet-etl/src/tick.js';

const server = await findMysqlServer();
const db = useTestDatabase();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);
const ROWS = 3000;
const env = (over: Record<string, string> = {}) => ({
  DATABASE_URL: db.url,
  LEGACY_DATABASE_URL: legacy.url,
  ETL_VERIFY_RANGE_IDS: '500',
  ETL_VERIFY_ROWS_PER_TICK: '0',
  ETL_VERIFY_LAP_TICKS: '0',
  ...over,
});
const line = (lines: string[], table: string) =>
  lines.find((l) => new RegExp(`verify ${table}: \\d+ ranges`).test(l)) ??
  `(no verify line for ${table} in:\n${lines.join('\n')})`;
const count = async () => (await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet`)[0]!.n as number;
const title = async (id: number) =>
  (await db.sql`SELECT track_title FROM wxyc_schema.flowsheet WHERE legacy_entry_id = ${id}`)[0]?.track_title as
    | string
    | undefined;
const cursor = async () =>
  (await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'flowsheet-etl'`)[0]!.cursor;

/** Kills every other connection to the legacy database (the tick's, the slice's); how many. */
async function killOtherConnections(): Promise<number> {
  const [rows] = await legacy.conn.query<RowDataPacket[]>(
    'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()',
  );
  for (const r of rows) await legacy.conn.query('KILL CONNECTION ?', [r.ID]);
  return rows.length;
}

/** One tick whose legacy source calls `before(sql)` ahead of every query; its exit code, its lines in `lines`. */
function tickDroppingSource(lines: string[], before: (sql: string) => Promise<void>): Promise<number> {
  const dropping = (source: LegacySource): LegacySource => ({
    ...source,
    async query<T extends Record<string, unknown>>(sql: string, params?: unknown[]) {
      await before(sql);
      return source.query<T>(sql, params);
    },
  });
  return runEtl(
    {
      job: 'flowsheet-etl',
      log: captureLogger(lines),
      env: env({ ETL_VERIFY_ROWS_PER_TICK: '100000' }),
      needLegacy: true,
    },
    (ctx: EtlContext) => runTick({ ...ctx, legacy: dropping(ctx.legacy) }),
  ).catch((err: { exitCode?: number; message: string }) => {
    lines.push(err.message);
    return err.exitCode ?? 1;
  });
}

describe.skipIf(!server)('verification of the flowsheet mirror', () => {
  it('a clean mirror verifies clean (both sides hash the same)', async () => {
    await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', [legacyShow(1), legacyShow(2)]);
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_ENTRY_PROD',
      Array.from({ length: ROWS }, (_, i) => legacyEntry(i + 1, 1 + (i % 2))),
    );
    const first = await runFlowsheetEtl(env());
    expect(first.code, first.lines.join('\n')).toBe(0);
    const v = await runFlowsheetEtl(env(), ['--verify']);
    expect(v.code, v.lines.join('\n')).toBe(0);
    expect(line(v.lines, 'FLOWSHEET_ENTRY_PROD')).toContain(
      `6 ranges, ${ROWS} rows checked; differing: 0 changed, 0 missing, 0 extra`,
    );
    expect(line(v.lines, 'FLOWSHEET_RADIO_SHOW_PROD')).toContain('differing: 0 changed, 0 missing, 0 extra');
    // Equal ranges cost one grouped answer from MySQL: a row per sub-range (16 of 32 ids in each range of 500).
    expect(line(v.lines, 'FLOWSHEET_ENTRY_PROD')).toMatch(/; 96 rows \(\d+ bytes\) from MySQL\.$/);
  });

  it('finds every drift kind with --verify (changing nothing), and --verify --repair repairs them', async () => {
    // An edit stamped older than anything the ticks look at; trailing whitespace only; a 4-byte character.
    await legacy.conn.query(
      `UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'old edit', TIME_LAST_MODIFIED = ${T0 - 86_400_000} WHERE ID = 10`,
    );
    await legacy.conn.query("UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'Song 40 ' WHERE ID = 40");
    await legacy.conn.query(
      'ALTER TABLE FLOWSHEET_ENTRY_PROD MODIFY SONG_TITLE varchar(255) CHARACTER SET utf8mb4 DEFAULT NULL',
    );
    await legacy.conn.query("UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = 'Song 50 \u{1F3B5}' WHERE ID = 50");
    // A legacy delete; a row changed directly in PostgreSQL; a gap of 1,000 ids missing from PostgreSQL.
    await legacy.conn.query('DELETE FROM FLOWSHEET_ENTRY_PROD WHERE ID = 20');
    await db.sql`UPDATE wxyc_schema.flowsheet SET track_title = 'changed here' WHERE legacy_entry_id = 30`;
    await db.sql`DELETE FROM wxyc_schema.flowsheet WHERE legacy_entry_id BETWEEN 1001 AND 2000`;
    const before = await count();

    const report = await runFlowsheetEtl(env(), ['--verify']);
    expect(report.code, report.lines.join('\n')).toBe(0);
    expect(line(report.lines, 'FLOWSHEET_ENTRY_PROD')).toContain(
      'differing: 4 changed, 1000 missing, 1 extra; repaired 0',
    );
    expect(await count()).toBe(before);
    expect(await title(10)).toBe('Song 10');

    const repair = await runFlowsheetEtl(env(), ['--verify', '--repair']);
    expect(repair.code, repair.lines.join('\n')).toBe(0);
    expect(line(repair.lines, 'FLOWSHEET_ENTRY_PROD')).toContain(
      'differing: 4 changed, 1000 missing, 1 extra; repaired 1004',
    );
    expect(repair.lines).toContain(
      '[flowsheet-etl] warning: verify FLOWSHEET_ENTRY_PROD: deleted 1 rows of wxyc_schema.flowsheet gone from MySQL (legacy ids 20).',
    );
    expect(await title(10)).toBe('old edit');
    expect(await title(30)).toBe('Song 30');
    expect(await title(40)).toBe('Song 40'); // trimmed as always; only its hash changed
    expect(await title(50)).toBe('Song 50 \u{1F3B5}');
    expect(await title(20)).toBeUndefined();
    expect(await count()).toBe(ROWS - 1);
    // The repaired rows were imported through the normal mapping: dj_name resolved for the 1,000 re-inserted ones.
    expect(
      (
        await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE legacy_entry_id BETWEEN 1001 AND 2000 AND dj_name IS NOT NULL`
      )[0]!.n,
    ).toBe(1000);

    const again = await runFlowsheetEtl(env(), ['--verify']);
    expect(line(again.lines, 'FLOWSHEET_ENTRY_PROD')).toContain('differing: 0 changed, 0 missing, 0 extra');
  });

  it('runs inside each tick within its budget (sized to the lap), with a rolling cursor, and caps the deletes per tick', async () => {
    await legacy.conn.query('DELETE FROM FLOWSHEET_ENTRY_PROD WHERE ID IN (100, 200, 300, 1600, 2600)');
    await db.sql`UPDATE wxyc_schema.flowsheet SET track_title = 'changed here' WHERE legacy_entry_id = 2700`;
    // Sized to the lap: 3,000 ids in 3 ticks is 2 ranges of 500 a tick (the cap, 100,000, does not bind).
    const tick = (over: Record<string, string> = {}) =>
      runFlowsheetEtl(
        env({ ETL_VERIFY_ROWS_PER_TICK: '100000', ETL_VERIFY_LAP_TICKS: '3', ETL_VERIFY_MAX_DELETES: '2', ...over }),
      );
    const t1 = await tick();
    expect(t1.code, t1.lines.join('\n')).toBe(0);
    // Ids 1-1000: 2 of the 3 deletes there (the cap), the third held back for a later pass.
    expect(line(t1.lines, 'FLOWSHEET_ENTRY_PROD')).toContain(
      '2 ranges, 996 rows checked; differing: 0 changed, 0 missing, 3 extra; repaired 0 (0 still not importable: bad rows), deleted 2, kept 0 (referenced), held back 1',
    );
    expect((await cursor()).entries.verify).toEqual({ nextId: 1000 });
    const t2 = await tick();
    expect(line(t2.lines, 'FLOWSHEET_ENTRY_PROD')).toContain('deleted 1');
    expect((await cursor()).entries.verify).toEqual({ nextId: 2000 });
    const t3 = await tick();
    expect(line(t3.lines, 'FLOWSHEET_ENTRY_PROD')).toContain('differing: 1 changed, 0 missing, 1 extra; repaired 1');
    expect((await cursor()).entries.verify).toEqual({ nextId: 0 }); // lap done: the next starts over
    expect(await title(2700)).toBe('Song 2700');
    const t4 = await tick();
    expect(line(t4.lines, 'FLOWSHEET_ENTRY_PROD')).toContain('deleted 1'); // the one held back in tick 1
    expect(await title(100)).toBeUndefined();
    expect(await title(200)).toBeUndefined();
    expect(await title(300)).toBeUndefined();
  });

  it('a slice that agrees is checked whole, without a grouped query; one that differs is grouped after the sync and repaired', async () => {
    const queries: string[] = [];
    const lines: string[] = [];
    const spy = async (sql: string) => void queries.push(sql);
    expect(await tickDroppingSource(lines, spy), lines.join('\n')).toBe(0);
    expect(lines.filter((l) => /verify \w+: \d+ ranges/.test(l))).toEqual([]);
    expect(queries).not.toContain(ENTRY_QUERIES.rangeSums); // the whole-slice sums ran ahead, on their own connection
    await db.sql`UPDATE wxyc_schema.flowsheet SET track_title = 'changed again' WHERE legacy_entry_id = 1500`;
    queries.length = 0;
    expect(await tickDroppingSource(lines, spy), lines.join('\n')).toBe(0);
    expect(queries.filter((q) => q === ENTRY_QUERIES.rangeSums)).toHaveLength(1);
    expect(line(lines, 'FLOWSHEET_ENTRY_PROD')).toContain('differing: 1 changed, 0 missing, 0 extra; repaired 1');
    expect(await title(1500)).toBe('Song 1500');
  });

  it('the source dropping mid-verify: nothing deleted, the verify cursor not past unchecked ranges, exit 3', async () => {
    await legacy.conn.query('DELETE FROM FLOWSHEET_ENTRY_PROD WHERE ID IN (400, 2400)');
    const saved = (await cursor()).entries.verify;
    let checksums = 0;
    const lines: string[] = [];
    // The slice's checksums ran ahead on their own connection; the first row list is the narrowing
    // of the first differing range (id 400's), before id 2400's is looked at.
    const code = await tickDroppingSource(lines, async (sql) => {
      if (sql === ENTRY_QUERIES.rangeHashes && ++checksums === 1) await killOtherConnections();
    });
    expect(code, lines.join('\n')).toBe(3);
    expect(lines.at(-1)).toMatch(/^lost the connection to legacy MySQL at mysql:\/\//);
    expect(await title(400)).toBe('Song 400');
    expect(await title(2400)).toBe('Song 2400');
    expect((await cursor()).entries.verify).toEqual(saved);
  });

  it('the source dropping while the slice is checksummed ahead of the sync: exit 3 in one line, nothing deleted, the cursor kept', async () => {
    const saved = await cursor();
    let calls = 0;
    const lines: string[] = [];
    // The first query of the sync: the slice's checksums (their own connection) were just sent; every connection is killed.
    const code = await tickDroppingSource(lines, async () => {
      if (++calls === 1) expect(await killOtherConnections()).toBeGreaterThanOrEqual(2); // the tick's and the slice's
    });
    expect(code, lines.join('\n')).toBe(3);
    expect(lines.filter((l) => /lost the connection|MySQL/.test(l))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^lost the connection to legacy MySQL at mysql:\/\//);
    expect(await title(400)).toBe('Song 400');
    expect(await cursor()).toEqual(saved);
  });

  it('an empty legacy table is not taken for a mass delete, by a tick or by a pass', async () => {
    const before = await count();
    await legacy.conn.query('DELETE FROM FLOWSHEET_ENTRY_PROD');
    // A tick first: its slice, checked whole, differs, and its ranges answer empty from MySQL.
    const tick = await runFlowsheetEtl(env({ ETL_VERIFY_ROWS_PER_TICK: '100000' }));
    expect(tick.code, tick.lines.join('\n')).toBe(0);
    expect(line(tick.lines, 'FLOWSHEET_ENTRY_PROD')).toMatch(/deleted 0, .* refused \d+/);
    expect(await count()).toBe(before);
    const run = await runFlowsheetEtl(env(), ['--verify', '--repair']);
    expect(run.code, run.lines.join('\n')).toBe(0);
    expect(
      run.lines.some((l) =>
        /verify FLOWSHEET_ENTRY_PROD: MySQL answered no rows for ids 1-500 where wxyc_schema.flowsheet has \d+; not deleting/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(line(run.lines, 'FLOWSHEET_ENTRY_PROD')).toMatch(/deleted 0, .* refused \d+/);
    expect(await count()).toBe(before);
  });
});
