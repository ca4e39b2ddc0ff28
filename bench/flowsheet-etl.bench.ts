// pnpm bench:flowsheet-etl — what a tick costs as the tables grow, against the old queries.
//  1. A tick of 500 new entries on a 200k-row flowsheet: the old insert-then-update vs the INSERT
//     carrying dj_name (writeEntryPage): row versions written, WAL bytes, time, and the ratio.
//  2. The legacy new-rows page (PRIMARY range) vs the old TIME_LAST_MODIFIED/TIME_CREATED filter,
//     on FLOWSHEET_ENTRY_PROD of 20k and 200k rows (MariaDB).
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import postgres, { type Sql } from 'postgres';
import { BadRows, connectLegacy, idsByLegacyId, upsertBatch } from '@wxyc/legacy-etl';
import { djNameExpression, djNameSource, intArray } from '@wxyc/database';
import { createTestDatabase } from '../tests/support/test-database.js';
import { findMysqlServer, LEGACY_FLOWSHEET_DDL, useLegacyDatabase } from '../tests/support/mysql.js';
import { insertLegacy, legacyEntry } from '../tests/support/legacy/flowsheet-rows.js';
import { mapEntry } from '../jobs/flowsheet-etl/src/mapping.js';
import { writeEntryPage } from '../jobs/flowsheet-etl/src/write.js';
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

/** One variant's tick of 500 new entries, in one transaction: what it wrote, and how long it took. */
interface TickCost {
  ms: number;
  walBytes: number;
  rowVersions: number;
}

/** Today's tick before this change: INSERT the entries without a name, then UPDATE them with it (the baseline). */
async function insertThenUpdate(sql: Sql, legacyRows: Record<string, unknown>[]): Promise<void> {
  await sql.begin(async (tx) => {
    const entries = legacyRows.map((r) => mapEntry(r, new BadRows())!);
    const shows = await idsByLegacyId(
      tx,
      'wxyc_schema.shows',
      'legacy_show_id',
      entries.map((e) => e.legacy_show_id),
    );
    // the row writeEntries writes, without dj_name
    const rows = entries.map(({ legacy_show_id, modified, ...e }) => ({
      ...e,
      show_id: shows.get(legacy_show_id!)!,
      album_id: null,
      rotation_id: null,
    }));
    const ids = (await upsertBatch(tx, { table: 'wxyc_schema.flowsheet', key: 'legacy_entry_id', rows })).map(
      (r) => r.id,
    );
    await tx`UPDATE wxyc_schema.flowsheet f SET dj_name = ${djNameExpression(tx as never)} FROM ${djNameSource(tx as never)}
      WHERE f.id = ANY(${intArray(tx as never, ids)}) AND f.dj_name IS NULL AND s.id = f.show_id AND ${djNameExpression(tx as never)} IS NOT NULL`;
  });
}

/** The tick as shipped: writeEntryPage, each entry INSERTed with its dj_name. */
async function insertWithName(sql: Sql, legacyRows: Record<string, unknown>[]): Promise<void> {
  const r = await sql.begin((tx) => writeEntryPage(tx, legacyRows, new BadRows()));
  expect([r.results.filter((x) => x.inserted).length, r.resolved]).toEqual([500, 500]);
}

/** Row versions written to flowsheet so far (inserts + updates), from the statistics, flushed first. */
async function rowVersionsWritten(sql: Sql): Promise<number> {
  await sql`SELECT pg_stat_force_next_flush()`;
  await sql`SELECT 1`; // the flush happens when the previous statement's transaction ends
  const [r] = await sql<
    { n: string }[]
  >`SELECT pg_stat_clear_snapshot(), (n_tup_ins + n_tup_upd)::text AS n FROM pg_stat_user_tables WHERE relid = 'wxyc_schema.flowsheet'::regclass`;
  return Number(r!.n);
}

async function measureTick(
  sql: Sql,
  variant: (sql: Sql, rows: Record<string, unknown>[]) => Promise<void>,
  firstId: number,
): Promise<TickCost> {
  const rows = Array.from({ length: 500 }, (_, i) => legacyEntry(firstId + i, 1 + (i % 2000)));
  const versions = await rowVersionsWritten(sql);
  await sql`SELECT pg_current_xact_id()`; // a commit with an xid flushes earlier WAL (the last VACUUM's) before the start is read
  const [lsn] = await sql<{ l: string }[]>`SELECT pg_current_wal_lsn()::text AS l`;
  const t = performance.now();
  await variant(sql, rows);
  const ms = performance.now() - t;
  const [wal] = await sql<{ b: string }[]>`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ${lsn!.l}::pg_lsn)::text AS b`;
  const cost = { ms, walBytes: Number(wal!.b), rowVersions: (await rowVersionsWritten(sql)) - versions };
  // Back to 200k rows, vacuumed, so every repetition starts from the same table.
  await sql`DELETE FROM wxyc_schema.flowsheet WHERE legacy_entry_id >= ${firstId}`;
  await sql`VACUUM wxyc_schema.flowsheet`;
  return cost;
}

it('a tick of 500 new entries on a 200k-row flowsheet: insert-then-update vs insert-with-name', async () => {
  const db = await createTestDatabase();
  // One connection: the tick and the statistics reads share a backend, so the flush is ours.
  // synchronous_commit on (the harness server runs with it off): each commit writes its WAL, so
  // pg_current_wal_lsn() (the write position) has moved past the tick when it is read.
  const sql = postgres(db.url, { max: 1, onnotice: () => {}, connection: { synchronous_commit: 'on' } });
  try {
    await sql`INSERT INTO wxyc_schema.shows (legacy_show_id, show_name, start_time, legacy_dj_name) SELECT i, 'show ' || i, now(), 'DJ ' || i FROM generate_series(1, 2000) i`;
    await sql`INSERT INTO wxyc_schema.flowsheet (show_id, legacy_entry_id, play_order, add_time, artist_name, track_title, album_title, dj_name)
      SELECT 1 + i % 2000, i, i, now(), 'artist ' || i, 'track ' || i, 'album ' || i, 'DJ ' || (1 + i % 2000) FROM generate_series(1, 200000) i`;
    await sql`ALTER TABLE wxyc_schema.flowsheet SET (autovacuum_enabled = false)`; // no background WAL during a measurement
    await sql`VACUUM ANALYZE wxyc_schema.flowsheet`;
    const variants = { 'insert-then-update': insertThenUpdate, 'insert-with-name': insertWithName } as const;
    const costs: Record<keyof typeof variants, TickCost[]> = { 'insert-then-update': [], 'insert-with-name': [] };
    let nextId = 1_000_000;
    for (let rep = -1; rep < REPS; rep++) {
      for (const name of Object.keys(variants) as (keyof typeof variants)[]) {
        nextId += 1000;
        const c = await measureTick(sql, variants[name], nextId);
        if (rep >= 0) costs[name].push(c); // rep -1 warms caches and plans
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const summary = (name: keyof typeof variants) => {
      const c = costs[name];
      return {
        ms: med(c.map((x) => x.ms)),
        wal: med(c.map((x) => x.walBytes)),
        versions: med(c.map((x) => x.rowVersions)),
      };
    };
    const old = summary('insert-then-update');
    const now = summary('insert-with-name');
    const line = (name: string, x: typeof old) =>
      `  ${name.padEnd(19)} ${String(x.versions).padStart(5)} row versions written | WAL ${(x.wal / 1024).toFixed(0).padStart(5)} kB | ${ms(x.ms)}`;
    console.log(
      `\n[bench] tick of 500 new entries, flowsheet 200000 rows with its search_doc GIN index (median of ${REPS})\n` +
        `${line('insert-then-update', old)}\n${line('insert-with-name', now)}\n` +
        `  ratio old/new: row versions ${(old.versions / now.versions).toFixed(2)}x, WAL ${(old.wal / now.wal).toFixed(2)}x, time ${(old.ms / now.ms).toFixed(2)}x\n`,
    );
  } finally {
    await sql.end();
    await db.drop();
  }
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
      const page = await median(async () =>
        expect(await source.query(ENTRY_QUERIES.newRows, [last, size, 1000])).toHaveLength(1000),
      );
      const sinceMs = (
        await source.query<{ t: number }>(`SELECT TIME_CREATED AS t FROM ${ENTRY_TABLE} WHERE ID = ?`, [last])
      )[0]!.t;
      const old = await median(async () =>
        expect(
          await source.query(`SELECT * FROM ${ENTRY_TABLE} WHERE TIME_LAST_MODIFIED > ? OR TIME_CREATED > ?`, [
            sinceMs,
            sinceMs,
          ]),
        ).toHaveLength(1000),
      );
      rows.push(
        `  FLOWSHEET_ENTRY_PROD ${String(size).padStart(7)} rows, 1000 new: PRIMARY page ${ms(page)} | old time filter ${ms(old)} | old/new ${(old / page).toFixed(1)}x`,
      );
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
  writeFileSync(
    file,
    dumpText(LEGACY_FLOWSHEET_DDL, { FLOWSHEET_RADIO_SHOW_PROD: shows, FLOWSHEET_ENTRY_PROD: entries }),
  );
  const lines: string[] = [];
  try {
    for (const mode of ['incremental', 'bulk'] as const) {
      const db = await createTestDatabase();
      try {
        const t = performance.now();
        const run = await runFlowsheetEtl(
          { DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url },
          mode === 'bulk' ? [file] : [],
        );
        const took = performance.now() - t;
        expect(run.code, run.lines.join('\n')).toBe(0);
        expect(
          (await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE dj_name IS NOT NULL`)[0]!.n,
        ).toBe(N);
        lines.push(
          `  ${mode.padEnd(11)} ${N} entries in ${(took / 1000).toFixed(2)} s = ${Math.round(N / (took / 1000))} rows/s (ETL_BATCH_SIZE 1000, dj_name resolved)`,
        );
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
//    comparing row by row in the job, alternated A/B in this process (VERIFY_REPS rounds); then,
//    the mirror repaired, a steady-state tick with the verification slice off and on, alternated.
const VERIFY_REPS = 3;
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], unit: (x: number) => string) =>
  `median ${unit(med(xs))} (${unit(Math.min(...xs))}-${unit(Math.max(...xs))})`;

it.skipIf(!server)(
  'verification: one whole pass vs re-reading both tables, and a tick with the slice on vs off (200k entries)',
  async () => {
    const { loadavg } = await import('node:os');
    const { runFlowsheetEtl, captureLogger } = await import('../tests/support/legacy/run-etl.js');
    const { legacyShow } = await import('../tests/support/legacy/flowsheet-rows.js');
    const { runEtl, sourceHash, verifyTables, readWatermark } = await import('@wxyc/legacy-etl');
    const { flowsheetTables, cursorOf, JOB } = await import('../jobs/flowsheet-etl/src/tick.js');
    type FlowsheetCursor = import('../jobs/flowsheet-etl/src/tick.js').FlowsheetCursor;
    type Totals = import('@wxyc/legacy-etl').VerifyTotals;
    const N = 200_000;
    const load0 = loadavg();
    await legacy.conn.query('TRUNCATE FLOWSHEET_ENTRY_PROD');
    await legacy.conn.query('TRUNCATE FLOWSHEET_RADIO_SHOW_PROD');
    await insertLegacy(
      legacy.conn,
      'FLOWSHEET_RADIO_SHOW_PROD',
      Array.from({ length: 200 }, (_, i) => legacyShow(i + 1)),
    );
    await insertLegacy(
      legacy.conn,
      ENTRY_TABLE,
      Array.from({ length: N }, (_, i) => legacyEntry(i + 1, 1 + (i % 200))),
    );
    const db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, LEGACY_DATABASE_URL: legacy.url };
    try {
      const load = await runFlowsheetEtl({ ...env, ETL_VERIFY_ROWS_PER_TICK: '0' });
      expect(load.code, load.lines.join('\n')).toBe(0);
      const differing = Array.from({ length: 20 }, (_, i) => 1 + Math.floor(((i + 0.5) * N) / 20));
      await legacy.conn.query(
        `UPDATE FLOWSHEET_ENTRY_PROD SET SONG_TITLE = CONCAT(SONG_TITLE, ' (edited)') WHERE ID IN (?)`,
        [differing],
      );
      await db.sql`VACUUM ANALYZE wxyc_schema.flowsheet`;

      // A: the verify pass, report only (what finding the drift costs), in this process.
      const verifyPass = async () => {
        let totals: Totals | undefined;
        const t0 = performance.now();
        await runEtl({ job: JOB, log: captureLogger([]), env, needLegacy: true }, async (ctx) => {
          const start = cursorOf((await readWatermark(ctx.sql, JOB)).cursor as never);
          const r = await verifyTables<'shows' | 'entries', FlowsheetCursor>(
            ctx,
            (c) => flowsheetTables(c, { resolved: 0, renamed: 0 }),
            start,
            { budgetRows: null, repair: false },
          );
          totals = r.totals.entries;
        });
        const ms = performance.now() - t0;
        expect(totals!.changed).toBe(20);
        return { ms, rows: totals!.legacyRows, bytes: totals!.legacyBytes };
      };
      // B, the baseline: every row of both sides into the job, hashed and compared there.
      const reReadBoth = async () => {
        const t1 = performance.now();
        const source = await connectLegacy(legacy.url);
        let rows = 0;
        let bytes = 0;
        let diff = 0;
        try {
          for (let after = 0; after < N; after += 10_000) {
            const mine = await source.query(ENTRY_QUERIES.newRows, [after, after + 10_000, 10_000]);
            rows += mine.length;
            bytes += JSON.stringify(mine).length;
            const pg =
              await db.sql`SELECT legacy_entry_id, source_hash::text AS h FROM wxyc_schema.flowsheet WHERE legacy_entry_id > ${after} AND legacy_entry_id <= ${after + 10_000}`;
            const byId = new Map(pg.map((r) => [r.legacy_entry_id as number, r.h as string]));
            for (const row of mine)
              if (byId.get(row.ID as number) !== String(sourceHash(ENTRY_QUERIES.columns, row))) diff++;
          }
        } finally {
          await source.close();
        }
        expect(diff).toBe(20);
        return { ms: performance.now() - t1, rows, bytes };
      };
      await verifyPass(); // warm-up of both: caches and plans, not counted
      await reReadBoth();
      const passes: Awaited<ReturnType<typeof verifyPass>>[] = [];
      const bases: Awaited<ReturnType<typeof reReadBoth>>[] = [];
      for (let i = 0; i < VERIFY_REPS; i++) {
        passes.push(await verifyPass());
        bases.push(await reReadBoth());
      }
      const ratios = passes.map((p, i) => p.ms / bases[i]!.ms);

      // The mirror repaired, then a steady-state tick (nothing new, a 20k-id edit window) with the
      // verification slice off, at the defaults (sized to a lap of 48 ticks: 2 ranges of this table),
      // and fixed at the cap (ETL_VERIFY_LAP_TICKS=0: 14 ranges, 57,344 ids, what 2.6M ids need a
      // tick), alternated; the slice walks the table.
      expect((await runFlowsheetEtl(env, ['--verify', '--repair'])).code).toBe(0);
      const tick = async (over: Record<string, string>) => {
        const t = performance.now();
        const r = await runFlowsheetEtl({ ...env, ...over });
        expect(r.code, r.lines.join('\n')).toBe(0);
        expect(r.lines.filter((l) => /verify \w+: \d+ ranges/.test(l))).toEqual([]); // a quiet slice: nothing differed
        return performance.now() - t;
      };
      const OFF = { ETL_VERIFY_ROWS_PER_TICK: '0' };
      const FIXED = { ETL_VERIFY_LAP_TICKS: '0' };
      await tick(OFF);
      await tick({});
      await tick(FIXED);
      const off: number[] = [];
      const on: number[] = [];
      const fixed: number[] = [];
      for (let i = 0; i < 2 * REPS; i++) {
        off.push(await tick(OFF));
        on.push(await tick({}));
        fixed.push(await tick(FIXED));
      }
      const tickRatios = on.map((x, i) => x / off[i]!);
      const fixedRatios = fixed.map((x, i) => x / off[i]!);

      // The one-time cost of the hash change (version 1, MD5, to 2, CRC32): every row's stored hash
      // made a version-1-like value (>= 2^32; UPDATE OF source_hash alone does not fire 0057's
      // unhash trigger), then one tick fixed at the cap (its 57,344-id slice re-imports what it covers), then the rest
      // by one --verify --repair.
      const rehashLine = async (run: { lines: string[] }) =>
        run.lines.find((l) => /verify FLOWSHEET_ENTRY_PROD: \d+ ranges/.test(l)) ?? '(no verify line)';
      await db.sql`UPDATE wxyc_schema.flowsheet SET source_hash = source_hash + 4294967296`;
      let t2 = performance.now();
      const rehashTick = await runFlowsheetEtl({ ...env, ...FIXED });
      const rehashTickMs = performance.now() - t2;
      expect(rehashTick.code, rehashTick.lines.join('\n')).toBe(0);
      t2 = performance.now();
      const rehashPass = await runFlowsheetEtl(env, ['--verify', '--repair']);
      const rehashPassMs = performance.now() - t2;
      expect(rehashPass.code, rehashPass.lines.join('\n')).toBe(0);
      expect(
        (await db.sql`SELECT count(*)::int AS n FROM wxyc_schema.flowsheet WHERE source_hash >= 4294967296`)[0]!.n,
      ).toBe(0);
      const repaired = (l: string) => /repaired (\d+)/.exec(l)?.[1] ?? '?';
      const load1 = loadavg();
      const p = passes[0]!;
      const b = bases[0]!;
      const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
      const x = (r: number) => `${r.toFixed(2)}x`;
      console.log(
        `\n[bench] verification, FLOWSHEET_ENTRY_PROD ${N} rows, 20 differing; load average ${load0.map((l) => l.toFixed(2)).join(' ')} before, ${load1.map((l) => l.toFixed(2)).join(' ')} after\n` +
          `  verify pass (${VERIFY_REPS} runs, alternated with the re-read): ${spread(
            passes.map((r) => r.ms),
            s,
          )}, ${p.rows} rows / ${p.bytes} bytes from MySQL (${((100 * p.rows) / N).toFixed(2)}% of the table)\n` +
          `  re-read both whole: ${spread(
            bases.map((r) => r.ms),
            s,
          )}, ${b.rows} rows / ${b.bytes} bytes from MySQL\n` +
          `  ratio pass/re-read: time ${spread(ratios, x)}, rows ${(p.rows / b.rows).toFixed(4)}x, bytes ${(p.bytes / b.bytes).toFixed(4)}x\n` +
          `  steady-state tick (${2 * REPS} each, alternated): slice off ${spread(off, ms)} | default (lap of 48 ticks: 2 ranges, 8,192 ids) ${spread(on, ms)}, on/off ${spread(tickRatios, x)} | ` +
          `fixed at the cap (ETL_VERIFY_LAP_TICKS=0: 57,344 ids) ${spread(fixed, ms)}, /off ${spread(fixedRatios, x)}\n` +
          `  after the hash change (every row version 1): a tick at the cap ${ms(rehashTickMs)}, re-imported ${repaired(await rehashLine(rehashTick))}; ` +
          `then --verify --repair ${s(rehashPassMs)}, re-imported ${repaired(await rehashLine(rehashPass))}\n`,
      );
    } finally {
      await db.drop();
    }
  },
);
