// pnpm bench:flowsheet-etl — what a tick costs as the tables grow, against the old queries.
//  1. resolveDjNames(500 new ids) vs the old unbounded UPDATE, on flowsheet tables of 20k and 200k rows.
//  2. The legacy new-rows page (PRIMARY range) vs the old TIME_LAST_MODIFIED/TIME_CREATED filter,
//     on FLOWSHEET_ENTRY_PROD of 20k and 200k rows (MariaDB).
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { connectLegacy } from '@wxyc/legacy-etl';
import { DJ_NAME_SOURCE_SQL, DJ_NAME_SQL } from '@wxyc/database';
import { createTestDatabase } from '../tests/support/test-database.js';
import { findMysqlServer, LEGACY_FLOWSHEET_DDL, useLegacyDatabase } from '../tests/support/mysql.js';
import { insertLegacy, legacyEntry } from '../tests/support/legacy/flowsheet-rows.js';
import { resolveDjNames } from '../jobs/flowsheet-etl/src/resolve-dj-names.js';
import { ENTRY_QUERIES, ENTRY_TABLE } from '../jobs/flowsheet-etl/src/legacy-tables.js';

const REPS = 5;
const SIZES = [20_000, 200_000];

async function median(fn: () => Promise<unknown>, before?: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  await before?.();
  await fn(); // warm-up: caches and plans, not timed
  for (let i = 0; i < REPS; i++) {
    await before?.();
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPS / 2)]!;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

it('resolveDjNames: 500 ids, by table size, vs the old unbounded UPDATE', async () => {
  const rows: string[] = [];
  for (const size of SIZES) {
    const db = await createTestDatabase();
    try {
      const sql = db.sql;
      await sql`INSERT INTO wxyc_schema.shows (show_name, start_time, legacy_dj_name) SELECT 'show ' || i, now(), 'dj ' || i FROM generate_series(1, 2000) i`;
      await sql`INSERT INTO wxyc_schema.flowsheet (show_id, play_order, add_time, artist_name, dj_name)
        SELECT 1 + i % 2000, i, now(), 'artist ' || i, 'dj' FROM generate_series(1, ${size}) i`;
      await sql`VACUUM ANALYZE wxyc_schema.flowsheet`;
      const ids = (await sql<{ id: number }[]>`SELECT id FROM wxyc_schema.flowsheet ORDER BY id DESC LIMIT 500`).map((r) => r.id);
      const reset = () => sql`UPDATE wxyc_schema.flowsheet SET dj_name = NULL WHERE id = ANY(${ids})`;
      const now = await median(async () => expect((await resolveDjNames(sql, ids)).resolved).toBe(500), reset);
      const old = await median(
        () => sql.unsafe(`UPDATE wxyc_schema.flowsheet f SET dj_name = ${DJ_NAME_SQL} FROM ${DJ_NAME_SOURCE_SQL} WHERE s.id = f.show_id AND f.dj_name IS NULL`),
        reset,
      );
      rows.push(`  flowsheet ${String(size).padStart(7)} rows: resolveDjNames ${ms(now)} | old unbounded UPDATE ${ms(old)} | old/new ${(old / now).toFixed(1)}x`);
    } finally {
      await db.drop();
    }
  }
  console.log(`\n[bench] resolveDjNames, 500 new ids (median of ${REPS})\n${rows.join('\n')}\n`);
});

const server = await findMysqlServer();
const legacy = useLegacyDatabase(server, [LEGACY_FLOWSHEET_DDL]);

it.skipIf(!server)('legacy new-rows page vs the old time filter, by table size (MariaDB)', async () => {
  const source = await connectLegacy(legacy.url);
  const rows: string[] = [];
  try {
    let have = 0;
    for (const size of SIZES) {
      const add = Array.from({ length: size - have }, (_, i) => legacyEntry(have + i + 1, 1));
      await insertLegacy(legacy.conn, ENTRY_TABLE, add);
      have = size;
      const last = size - 1000; // a tick that finds 1000 new rows
      const page = await median(async () => expect(await source.query(ENTRY_QUERIES.newRows, [last, size, 1000])).toHaveLength(1000));
      const sinceMs = (await source.query<{ t: number }>(`SELECT TIME_CREATED AS t FROM ${ENTRY_TABLE} WHERE ID = ?`, [last]))[0]!.t;
      const old = await median(async () =>
        expect(await source.query(`SELECT * FROM ${ENTRY_TABLE} WHERE TIME_LAST_MODIFIED > ? OR TIME_CREATED > ?`, [sinceMs, sinceMs])).toHaveLength(1000),
      );
      rows.push(`  FLOWSHEET_ENTRY_PROD ${String(size).padStart(7)} rows, 1000 new: PRIMARY page ${ms(page)} | old time filter ${ms(old)} | old/new ${(old / page).toFixed(1)}x`);
    }
  } finally {
    await source.close();
  }
  console.log(`\n[bench] legacy new-row query (median of ${REPS})\n${rows.join('\n')}\n`);
});

it.skipIf(!server)('throughput: an incremental tick and a bulk load of the same 50k entries', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { dumpText } = await import('../tests/support/legacy/dump-writer.js');
  const { runFlowsheetEtl } = await import('../tests/support/legacy/run-etl.js');
  const { legacyShow } = await import('../tests/support/legacy/flowsheet-rows.js');
  const N = 50_000;
  const shows = Array.from({ length: 50 }, (_, i) => legacyShow(i + 1));
  const entries = Array.from({ length: N }, (_, i) => legacyEntry(i + 1, 1 + (i % 50)));
  await legacy.conn.query('TRUNCATE FLOWSHEET_ENTRY_PROD');
  await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', shows);
  await insertLegacy(legacy.conn, ENTRY_TABLE, entries);
  const dir = mkdtempSync(join(tmpdir(), 'bench-dump-'));
  const file = join(dir, 'flowsheet.sql');
  writeFileSync(file, dumpText(LEGACY_FLOWSHEET_DDL, { FLOWSHEET_RADIO_SHOW_PROD: shows, FLOWSHEET_ENTRY_PROD: entries }));
  const lines: string[] = [];
  try {
    for (const mode of ['incremental', 'bulk'] as const) {
      const db = await createTestDatabase();
      try {
        const t = performance.now();
        const run = await runFlowsheetEtl({ DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url }, mode === 'bulk' ? [file] : []);
        const took = performance.now() - t;
        expect(run.code, run.lines.join('\n')).toBe(0);
        expect((await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE dj_name IS NOT NULL`)[0]!.n).toBe(N);
        lines.push(`  ${mode.padEnd(11)} ${N} entries in ${(took / 1000).toFixed(2)} s = ${Math.round(N / (took / 1000))} rows/s (ETL_BATCH_SIZE 1000, dj_name resolved)`);
      } finally {
        await db.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n[bench] throughput\n${lines.join('\n')}\n`);
});

// 3. Verification: a 200k-entry mirror with 20 rows differing, scattered (legacy edits stamped
//    old, invisible to the ticks). One whole verify pass against re-reading both tables whole and
//    comparing row by row in the job; then a steady-state tick with the verification slice on vs off.
it.skipIf(!server)('verification: one whole pass vs re-reading both tables, and a tick with the slice on vs off (200k entries)', async () => {
  const { runFlowsheetEtl, captureLogger } = await import('../tests/support/legacy/run-etl.js');
  const { legacyShow } = await import('../tests/support/legacy/flowsheet-rows.js');
  const { runEtl, sourceHash, verifyTables } = await import('@wxyc/legacy-etl');
  const { flowsheetTables, cursorOf, JOB } = await import('../jobs/flowsheet-etl/src/tick.js');
  type FlowsheetCursor = import('../jobs/flowsheet-etl/src/tick.js').FlowsheetCursor;
  const { readWatermark } = await import('@wxyc/legacy-etl');
  const N = 200_000;
  await legacy.conn.query('TRUNCATE FLOWSHEET_ENTRY_PROD');
  await legacy.conn.query('TRUNCATE FLOWSHEET_RADIO_SHOW_PROD');
  await insertLegacy(legacy.conn, 'FLOWSHEET_RADIO_SHOW_PROD', Array.from({ length: 200 }, (_, i) => legacyShow(i + 1)));
  await insertLegacy(legacy.conn, ENTRY_TABLE, Array.from({ length: N }, (_, i) => legacyEntry(i + 1, 1 + (i % 200))));
  const db = await createTestDatabase();
  const env = { DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url };
  try {
    const load = await runFlowsheetEtl({ ...env, ETL_VERIFY_ROWS_PER_TICK: '0' });
    expect(load.code, load.lines.join('\n')).toBe(0);
    const differing = Array.from({ length: 20 }, (_, i) => 1 + Math.floor(((i + 0.5) * N) / 20));
    await legacy.conn.query(`UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = CONCAT(SONG_TITLE, ' (edited)') WHERE ID IN (?)`, [differing]);
    await db.sql`VACUUM ANALYZE wxyc_schema.flowsheet`;

    // The verify pass, report only (what finding the drift costs), in this process.
    const lines: string[] = [];
    let totals: { legacyRows: number; legacyBytes: number; changed: number } | undefined;
    const t0 = performance.now();
    await runEtl({ job: JOB, log: captureLogger(lines), env, needLegacy: true }, async (ctx) => {
      const start = cursorOf((await readWatermark(ctx.sql, JOB)).cursor as never);
      const r = await verifyTables<'shows' | 'entries', FlowsheetCursor>(ctx, (c) => flowsheetTables(c, { resolved: 0 }), start, { budgetRows: null, repair: false });
      totals = r.totals.entries;
    });
    const verifyMs = performance.now() - t0;
    expect(totals!.changed).toBe(20);

    // The baseline: every row of both sides into the job, hashed and compared there.
    const source = await connectLegacy(legacy.url);
    const t1 = performance.now();
    let baseRows = 0;
    let baseBytes = 0;
    let baseDiff = 0;
    try {
      for (let after = 0; after < N; after += 10_000) {
        const mine = await source.query(ENTRY_QUERIES.newRows, [after, after + 10_000, 10_000]);
        baseRows += mine.length;
        baseBytes += JSON.stringify(mine).length;
        const pg = await db.sql`SELECT legacy_entry_id, source_hash::text AS h FROM wxyc_schema.flowsheet WHERE legacy_entry_id > ${after} AND legacy_entry_id <= ${after + 10_000}`;
        const byId = new Map(pg.map((r) => [r.legacy_entry_id as number, r.h as string]));
        for (const row of mine) if (byId.get(row.ID as number) !== String(sourceHash(ENTRY_QUERIES.columns, row))) baseDiff++;
      }
    } finally {
      await source.close();
    }
    const baseMs = performance.now() - t1;
    expect(baseDiff).toBe(20);

    // A steady-state tick (nothing new, a 20k-id edit window) with the verification slice on and off.
    await runFlowsheetEtl({ ...env, ETL_VERIFY_ROWS_PER_TICK: '0' }); // repairs nothing, warms up
    const tick = (rows: string) => median(async () => expect((await runFlowsheetEtl({ ...env, ETL_VERIFY_ROWS_PER_TICK: rows })).code).toBe(0));
    const off = await tick('0');
    const on = await tick('60000');
    console.log(
      `\n[bench] verification, FLOWSHEET_ENTRY_PROD ${N} rows, 20 differing\n` +
        `  verify pass: ${(verifyMs / 1000).toFixed(2)} s, ${totals!.legacyRows} rows / ${totals!.legacyBytes} bytes from MySQL (${((100 * totals!.legacyRows) / N).toFixed(2)}% of the table)\n` +
        `  re-read both whole: ${(baseMs / 1000).toFixed(2)} s, ${baseRows} rows / ${baseBytes} bytes from MySQL\n` +
        `  ratio: time ${(verifyMs / baseMs).toFixed(2)}x, rows ${(totals!.legacyRows / baseRows).toFixed(4)}x, bytes ${(totals!.legacyBytes / baseBytes).toFixed(4)}x\n` +
        `  steady-state tick (median of ${REPS}): slice off ${ms(off)} | ETL_VERIFY_ROWS_PER_TICK=60000 (default) ${ms(on)} | on/off ${(on / off).toFixed(2)}x\n`,
    );
  } finally {
    await db.drop();
  }
});
