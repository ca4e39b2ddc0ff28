// pnpm bench:library-etl — what a library-etl tick costs as the catalogue grows.
// For LIBRARY_RELEASE of 100k and 200k rows (steady state: imported, first sweep lap done), a tick
// that finds 100 edited releases, against a naive tick that re-reads the whole table from MySQL
// (what an ETL without a cursor does). ETL_SWEEP_IDS = ETL_EDIT_WINDOW_IDS = 20000, so every tick
// at both sizes reads the same id ranges (window + one sweep slice + new rows); only the table
// size differs. 25k artists (LIBRARY_CODE) at both sizes. Prints medians and ratios; asserts only correctness.
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { connectLegacy } from '@wxyc/legacy-etl';
import { createTestDatabase } from '../tests/support/test-database.js';
import { findMysqlServer, LEGACY_LIBRARY_DDL, useLegacyDatabase } from '../tests/support/mysql.js';
import { insertLegacy } from '../tests/support/legacy/flowsheet-rows.js';
import { legacyCode, legacyRelease } from '../tests/support/legacy/catalogue-rows.js';
import { runEtlMain } from '../tests/support/legacy/run-etl.js';
import { libraryEtl } from '../jobs/library-etl/src/main.js';
import { RELEASE_QUERIES } from '../jobs/library-etl/src/legacy-tables.js';

const REPS = 5;
const SIZES = [100_000, 200_000];
const CHANGED = 100;
const ARTISTS = 25_000;
const server = await findMysqlServer();
const legacy = useLegacyDatabase(server, [LEGACY_LIBRARY_DDL]);
const ms = (x: number) => `${x.toFixed(1)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it.skipIf(!server)('a tick with 100 edited releases, by catalogue size, vs re-reading the table', async () => {
  await legacy.exec("INSERT INTO GENRE VALUES (1, 'Rock'); INSERT INTO FORMAT VALUES (1, 'cd');");
  // The same artists at both sizes, more than the edit window: their part of a tick is the same.
  await insertLegacy(
    legacy.conn,
    'LIBRARY_CODE',
    Array.from({ length: ARTISTS }, (_, i) => legacyCode(i + 1)),
  );
  const source = await connectLegacy(legacy.url);
  const lines: string[] = [];
  const figures: { tick: number; naive: number }[] = [];
  let have = 0;
  try {
    for (const size of SIZES) {
      await insertLegacy(
        legacy.conn,
        'LIBRARY_RELEASE',
        Array.from({ length: size - have }, (_, i) => legacyRelease(have + i + 1, 1 + ((have + i) % ARTISTS))),
      );
      have = size;
      const db = await createTestDatabase();
      try {
        const env = {
          DATABASE_URL: db.url,
          LEGACY_DATABASE_URL: legacy.url,
          ETL_EDIT_WINDOW_IDS: '20000',
          ETL_SWEEP_IDS: '20000',
        };
        const tick = async () => {
          const r = await runEtlMain('library-etl', libraryEtl, env);
          expect(r.code, r.lines.join('\n')).toBe(0);
          return r.lines.find((l) => l.includes('tick done'))!;
        };
        const t0 = performance.now();
        await tick();
        const imported = performance.now() - t0;
        // Ticks until the first sweep lap (which re-reads every older row once) is over.
        for (let i = 0; i < 12; i++) {
          const [row] = await db.sql`SELECT cursor FROM wxyc_schema.cronjob_runs WHERE job_name = 'library-etl'`;
          if (row!.cursor.releases.sweep?.since != null) break;
          await tick();
        }
        const times: number[] = [];
        let read = '';
        for (let rep = 0; rep <= REPS; rep++) {
          const at = Date.now();
          await legacy.exec(
            `UPDATE LIBRARY_RELEASE SET TITLE = 'edit ${rep}', TIME_LAST_MODIFIED = ${at} WHERE ID > ${size - CHANGED}`,
          );
          const t = performance.now();
          const line = await tick();
          if (rep > 0) times.push(performance.now() - t); // rep 0 warms up
          read = /\((\d+) legacy rows read\)/.exec(line)![1]!;
        }
        const naiveTimes: number[] = [];
        for (let rep = 0; rep <= REPS; rep++) {
          const t = performance.now();
          expect(await source.query(RELEASE_QUERIES.newRows, [0, size, size])).toHaveLength(size);
          if (rep > 0) naiveTimes.push(performance.now() - t);
        }
        const f = { tick: median(times), naive: median(naiveTimes) };
        figures.push(f);
        lines.push(
          `  LIBRARY_RELEASE ${String(size).padStart(7)} rows: first import ${(imported / 1000).toFixed(1)} s; ` +
            `tick with ${CHANGED} edits ${ms(f.tick)} (${read} legacy rows read) | naive re-read of the table alone ${ms(f.naive)} | naive/tick ${(f.naive / f.tick).toFixed(1)}x`,
        );
      } finally {
        await db.drop();
      }
    }
  } finally {
    await source.close();
  }
  lines.push(
    `  tick ${SIZES[1]! / 1000}k/${SIZES[0]! / 1000}k rows: ${(figures[1]!.tick / figures[0]!.tick).toFixed(2)}x (naive: ${(figures[1]!.naive / figures[0]!.naive).toFixed(2)}x)`,
  );
  console.log(
    `\n[bench] library-etl tick (median of ${REPS}; ETL_EDIT_WINDOW_IDS 20000, ETL_SWEEP_IDS 20000)\n${lines.join('\n')}\n`,
  );
});
