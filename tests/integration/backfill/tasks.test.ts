// The task engine, one test-only definition per shape (tests/integration/backfill/definitions/tasks),
// on real PostgreSQL; lookups against a local stand-in of the station's lookup service.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobError } from '@wxyc/job-runtime';
import { loadState, runTask, type LimiterSettings } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog } from './helpers.js';
import { startLml, type Answer } from './definitions/tasks/lml-stand-in.js';
import { createRelinkTables, relink } from './definitions/tasks/sql-relink.js';
import { BASE, createTypedTable, typedMulti } from './definitions/tasks/typed-multi.js';
import { createSweepTables, guardedSweep } from './definitions/tasks/guarded-sweep.js';
import { copyArchive, createArchiveTables } from './definitions/tasks/copy-archive.js';
import { createStatsTables, sideUpsert } from './definitions/tasks/side-upsert.js';
import { createRotationTable, singleLookup } from './definitions/tasks/single-lookup.js';
import { bulkLookup, createBulkTables } from './definitions/tasks/bulk-lookup.js';
import { compositeKey, createScheduleTable } from './definitions/tasks/composite-key.js';
import { createPopularTable, priorityBudget } from './definitions/tasks/priority-budget.js';
import { clusterMerge, createClusterTables } from './definitions/tasks/cluster-merge.js';

const db = useTestDatabase('empty');
const fast: Partial<LimiterSettings> = {
  requestsPerMinute: 60_000,
  burst: 8,
  maxConcurrency: 4,
  timeoutMs: 2_000,
  maxRetries: 1,
  backoffBaseMs: 5,
  backoffMaxMs: 50,
};
const run = (task: Parameters<typeof runTask>[0], extra: Partial<Parameters<typeof runTask>[1]> = {}) =>
  runTask(task, { sql: db.sql, log: captureLog(), batchSize: 50, backoffMs: 20, ...extra });
let lml: Awaited<ReturnType<typeof startLml>> | null = null;
afterEach(async () => {
  await lml?.close();
  lml = null;
});

describe('task engine: SQL shapes', () => {
  beforeAll(async () => {
    await createRelinkTables(db.sql);
    await createTypedTable(db.sql);
    await createSweepTables(db.sql);
    await createArchiveTables(db.sql);
    await createStatsTables(db.sql);
  });

  it('SQL re-link: every matching play linked once, the rest counted under their reason; ANALYZE after a small run', async () => {
    await db.sql`INSERT INTO artists SELECT g, 'Artist ' || g FROM generate_series(1, 20) g`;
    await db.sql`INSERT INTO plays (id, artist_name) SELECT g, CASE WHEN g % 100 = 0 THEN 'nobody' ELSE 'ARTIST ' || (g % 20 + 1) END FROM generate_series(1, 300) g`;
    const s = await run(relink);
    expect(s).toMatchObject({
      rowsProcessed: 300,
      rowsWritten: 297,
      outcomes: { written: 297, unresolved: 3 },
      pendingAtEnd: 3,
      analyzed: ['public.plays'],
    });
    const [bad] =
      await db.sql`SELECT count(*)::int AS n FROM plays p JOIN artists a ON a.id = p.artist_id WHERE lower(a.name) <> lower(p.artist_name)`;
    expect(bad!.n).toBe(0);
  });

  it('typed multi-column on bigint keys above 2^31: each type cast from the catalog; a bad value parks its row alone; retry-parked writes it', async () => {
    await db.sql`INSERT INTO items (id, src) SELECT ${BASE}::bigint + g, CASE WHEN g = 7 THEN 'far-too-long' ELSE 's' || g END FROM generate_series(1, 20) g`;
    const s = await run(typedMulti, { batchSize: 8 });
    expect(s).toMatchObject({
      rowsWritten: 19,
      rowsParked: 1,
      parked: [{ sqlstate: '22001', count: 1, sample: [BASE + 7] }],
    });
    const [r] = await db.sql`SELECT n, k::text, at, meta, tags, code FROM items WHERE id = ${BASE + 3}`;
    expect(r).toEqual({
      n: 3,
      k: 'talk',
      at: new Date('2026-12-07T01:02:03Z'),
      meta: { src: 's3', nested: [1, 'two'] },
      tags: ['a', 's3'],
      code: 's3',
    });
    await db.sql`UPDATE items SET src = 'ok7' WHERE id = ${BASE + 7}`;
    const again = await run(typedMulti, { retryParked: true });
    expect(again).toMatchObject({ rowsParked: 0, pendingAtEnd: 0 });
  });

  it('more parked rows than maxParked stops the run with exit 1 and one line, not done', async () => {
    await db.sql`DELETE FROM backfill.runs WHERE name = 'typed-multi'`;
    await db.sql`INSERT INTO items (id, src) SELECT ${BASE}::bigint + 100 + g, 'way-too-long-' || g FROM generate_series(1, 30) g`;
    const err = await run(typedMulti, { batchSize: 10, maxParked: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).exitCode).toBe(1);
    expect((err as Error).message).toMatch(
      /^typed-multi: 20 rows parked, more than 10: the task or its input is likely wrong; stopped/,
    );
    expect((await loadState(db.sql, 'typed-multi'))!.status).toBe('failed');
    // fixed out of band (no longer pending): a retry settles them without a write
    await db.sql`UPDATE items SET n = 0 WHERE n IS NULL`;
    const after = await run(typedMulti, { retryParked: true });
    expect(after).toMatchObject({ rowsParked: 0, pendingAtEnd: 0 });
    expect((await loadState(db.sql, 'typed-multi'))!).toMatchObject({ status: 'done', parked: [] });
  });

  it('guarded delete sweep: guard once per run; the ceiling is a share of the declared denominator, not the table', async () => {
    await db.sql`INSERT INTO mirrored SELECT g, CASE WHEN g <= 80 THEN g END FROM generate_series(1, 100) g`;
    const guards = { n: 0 };
    expect(((await run(guardedSweep(0.5, guards)).catch((e: unknown) => e)) as Error).message).toBe(
      'ghost-sweep: refusing: the legacy id list is empty (not loaded?)',
    );
    await db.sql`INSERT INTO legacy_ids SELECT generate_series(1, 36)`; // truncated: 44 of 80 candidates (55%), 44% of the table
    const refused = (await run(guardedSweep(0.5, guards)).catch((e: unknown) => e)) as JobError;
    expect(refused.exitCode).toBe(12);
    expect(refused.message).toContain('55.0% of the declared denominator 80, more than the ceiling of 50.0%');
    expect((await db.sql`SELECT count(*)::int AS n FROM mirrored`)[0]!.n).toBe(100);
    await db.sql`INSERT INTO legacy_ids SELECT generate_series(37, 70)`;
    guards.n = 0;
    const s = await run(guardedSweep(0.5, guards), { batchSize: 3 });
    expect(guards.n).toBe(1); // 4 batches, one guard
    expect(s).toMatchObject({
      rowsWritten: 10,
      outcomes: { ghost: 10 },
      tables: { 'public.mirrored': { deleted: 10 } },
      pendingAtEnd: 0,
    });
  });

  it('copy into another table: each row copied once, remaining reaches 0', async () => {
    await db.sql`INSERT INTO finished SELECT g, 'T' || g, now() - g * interval '1 minute' FROM generate_series(1, 250) g`;
    const log = captureLog();
    const s = await runTask(copyArchive, { sql: db.sql, log, batchSize: 100 });
    expect(s).toMatchObject({
      outcomes: { copied: 250 },
      tables: { 'public.finished_archive': { inserted: 250 } },
      pendingAtEnd: 0,
    });
    expect(log.lines.filter((l) => l.startsWith('batch ')).at(-1)).toMatch(/remaining 0,/);
    expect(
      (
        await db.sql`SELECT count(*)::int AS n FROM finished_archive a JOIN finished f ON f.id = a.play_id AND f.title = a.title`
      )[0]!.n,
    ).toBe(250);
  });

  it('upsert into a side table: no-churn leaves equal rows untouched; fill-NULL only fills NULLs', async () => {
    await db.sql`INSERT INTO heard SELECT g, 'band ' || (g % 10), 100 + g % 10, date '2026-01-01' + g % 10 FROM generate_series(1, 60) g`;
    const first = await run(sideUpsert('no-churn'), { batchSize: 25 });
    expect(first.tables['public.artist_stats']).toEqual({ inserted: 10, updated: 0, unchanged: 50, deleted: 0 });
    await db.sql`UPDATE heard SET checked = false`;
    await db.sql`UPDATE heard SET plays = 999 WHERE artist = 'band 3'`;
    const second = await run(sideUpsert('no-churn'), { batchSize: 25 });
    expect(second.tables['public.artist_stats']).toMatchObject({ inserted: 0, updated: 1 });
    expect((await db.sql`SELECT sum(updates)::int AS n FROM artist_stats`)[0]!.n).toBe(1);
    await db.sql`UPDATE heard SET checked = false, plays = 5`;
    await db.sql`UPDATE artist_stats SET last_at = NULL WHERE artist = 'band 4'`;
    const fill = await run(sideUpsert('fill-null'), { batchSize: 100 });
    expect(fill.tables['public.artist_stats']).toMatchObject({ inserted: 0, updated: 1, unchanged: 59 });
    const rows =
      await db.sql`SELECT artist, plays, last_at FROM artist_stats WHERE artist IN ('band 3', 'band 4') ORDER BY 1`;
    expect(rows.map((r) => [r.artist, r.plays, r.last_at !== null])).toEqual([
      ['band 3', 999, true],
      ['band 4', 104, true],
    ]);
  });
});

describe('task engine: lookups, keys, order, groups', () => {
  beforeAll(async () => {
    await createRotationTable(db.sql);
    await createBulkTables(db.sql);
    await createScheduleTable(db.sql);
    await createPopularTable(db.sql);
    await createClusterTables(db.sql);
  });

  it('single-key lookup: write, stamp, pending and park outcomes; the TTL keeps stamped rows from being asked again', async () => {
    const hit = (id: number, type = 'direct'): Answer => ({
      body: { results: [{ artwork: { release_id: id } }], search_type: type },
    });
    lml = await startLml(
      new Map([
        ['A - direct', hit(101)],
        ['B - zero', hit(0)],
        ['C - alt', hit(102, 'fallback')],
        ['E - down', { status: 503 }],
      ]),
    );
    await db.sql`INSERT INTO rotation (id, artist, album) VALUES (1, 'A', 'direct'), (2, 'B', 'zero'), (3, 'C', 'alt'), (4, 'D', 'none'), (5, 'E', 'down'), (6, NULL, 'lonely')`;
    const s = await run(singleLookup(lml.url, fast));
    expect(s.outcomes).toEqual({
      resolved: 1,
      sentinel: 1,
      trust_rejected: 1,
      no_match: 1,
      transient: 1,
      bad_input: 1,
    });
    const rows =
      await db.sql`SELECT id, release_id, release_source, attempted_at IS NOT NULL AS stamped FROM rotation ORDER BY id`;
    expect(rows.map((r) => [r.id, r.release_id, r.release_source, r.stamped])).toEqual([
      [1, 101, 'lml_direct', true],
      [2, null, null, true],
      [3, null, null, true],
      [4, null, null, true],
      [5, null, null, false],
      [6, null, null, false],
    ]);
    lml.log.length = 0;
    const again = await run(singleLookup(lml.url, fast));
    expect(lml.log.map((e) => e.keys[0])).toEqual(['E - down', 'E - down']); // 2 attempts; the stamped rows are within their TTL
    expect(again.parked[0]).toMatchObject({ sqlstate: 'PARKD', message: 'no artist to ask with', sample: [6] });
    expect((await loadState(db.sql, 'rotation-release-lookup'))!.parked[0]!.attempts).toBe(2);
    await db.sql`UPDATE rotation SET attempted_at = now() - interval '31 days' WHERE id = 4`;
    lml.log.length = 0;
    await run(singleLookup(lml.url, fast));
    expect(lml.log.map((e) => e.keys[0]).sort()).toEqual(['D - none', 'E - down', 'E - down']); // row 6: 2 tries used, held
  });

  it('SIGTERM during lookups: in-flight rows are not parked nor stamped; a rerun finishes them', async () => {
    await db.sql`TRUNCATE rotation`;
    await db.sql`DELETE FROM backfill.runs WHERE name = 'rotation-release-lookup'`;
    const answers = new Map<string, Answer>();
    for (let i = 1; i <= 30; i++)
      answers.set(`X - a${i}`, {
        body: { results: [{ artwork: { release_id: i } }], search_type: 'direct' },
        delayMs: 100,
      });
    lml = await startLml(answers);
    await db.sql`INSERT INTO rotation (id, artist, album) SELECT g, 'X', 'a' || g FROM generate_series(1, 30) g`;
    const stop = new AbortController();
    const started = run(singleLookup(lml.url, { ...fast, maxConcurrency: 2 }), { batchSize: 10, signal: stop.signal });
    while (lml.log.length < 13) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    const s = await started;
    expect(s.interrupted).toBe(true);
    expect(s.rowsParked).toBe(0);
    const [c] =
      await db.sql`SELECT count(*) FILTER (WHERE release_id IS NOT NULL)::int AS written, count(*) FILTER (WHERE attempted_at IS NOT NULL AND release_id IS NULL)::int AS stamped_only FROM rotation`;
    expect(c!.stamped_only).toBe(0);
    expect(c!.written).toBeGreaterThanOrEqual(10);
    const rest = await run(singleLookup(lml.url, fast));
    expect(rest).toMatchObject({ interrupted: false, rowsParked: 0, pendingAtEnd: 0 });
    expect((await db.sql`SELECT count(*)::int AS n FROM rotation WHERE release_id = id`)[0]!.n).toBe(30);
  });

  it('bulk lookup: one request per batch, one verdict per item in order; the walked row and a side table written together', async () => {
    const answers = new Map<string, Answer>();
    for (let i = 1; i <= 120; i++) {
      if (i % 10 === 0) answers.set(`Artist ${i} - Album ${i}`, { itemError: 'upstream timeout' });
      else if (i % 7 !== 0)
        answers.set(`Artist ${i} - Album ${i}`, { body: { results: [{ artwork: { release_id: 1000 + (i % 50) } }] } });
    }
    lml = await startLml(answers);
    await db.sql`INSERT INTO library (id, artist, album) SELECT g, 'Artist ' || g, 'Album ' || g FROM generate_series(1, 120) g`;
    const s = await run(bulkLookup(lml.url, fast), { batchSize: 40 });
    expect(lml.log.map((e) => [e.path, e.keys.length])).toEqual(Array(3).fill(['/api/v1/lookup/bulk', 40]));
    expect(s.outcomes).toEqual({ resolved: 92, no_match: 16, item_error: 12 });
    expect(s.tables['public.releases']!.inserted).toBe(45); // distinct release ids among the 92 hits
    const [c] = await db.sql`SELECT count(*) FILTER (WHERE release_id IS NULL AND attempted_at IS NULL)::int AS pending,
                                    count(*) FILTER (WHERE release_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.release_id = library.release_id))::int AS orphans FROM library`;
    expect(c).toEqual({ pending: 12, orphans: 0 });
  });

  it('composite key (text, date, int): walked as a row value across batch boundaries, budget-stopped and resumed, each row once', async () => {
    await db.sql`INSERT INTO schedule (station, day, slot, host) SELECT s, date '2026-12-01' + d, g, 'host' || g FROM unnest(array['wxyc', 'wxdu', 'wkncu']) s, generate_series(0, 3) d, generate_series(1, 5) g`;
    const first = await run(compositeKey, { batchSize: 7, maxRows: 20 });
    expect(first).toMatchObject({ budgetReached: true, rowsProcessed: 20 });
    expect((await loadState(db.sql, 'schedule-labels'))!.status).toBe('budget');
    const rest = await run(compositeKey, { batchSize: 7 });
    expect(rest).toMatchObject({
      budgetReached: false,
      rowsProcessed: 60,
      pendingAtEnd: 0,
      position: ['wxyc', '2026-12-04', '5'],
    });
    const [c] =
      await db.sql`SELECT count(*)::int AS n FROM schedule WHERE label = upper(host) || ' @ ' || day || '#' || slot`;
    expect(c!.n).toBe(60);
  });

  it('priority order with a per-run budget: the most played first, ties by id, 10 rows per run', async () => {
    await db.sql`INSERT INTO popular (id, play_count) SELECT g, (g * 37) % 11 FROM generate_series(1, 30) g`;
    const expected = (await db.sql`SELECT id FROM popular ORDER BY play_count DESC, id DESC`).map((r) => r.id);
    for (let tick = 1; tick <= 3; tick++) {
      const s = await run(priorityBudget, { batchSize: 4, maxRows: 10 });
      expect(s).toMatchObject({ rowsWritten: 10 * tick, budgetReached: true });
      const done = (await db.sql`SELECT id FROM popular WHERE done_at IS NOT NULL ORDER BY id`).map((r) => r.id);
      expect(done).toEqual(expected.slice(0, 10 * tick).sort((a, b) => a - b));
    }
  });

  it('duplicate-cluster merge: a dry run changes nothing; then each cluster repointed in three tables and deleted in one transaction; a bad cluster parks alone', async () => {
    await db.sql`INSERT INTO band VALUES (1, 'Stereolab'), (2, 'stereolab'), (3, 'STEREOLAB'), (4, 'Can'), (5, 'can'), (6, 'Unique'), (7, 'Dup'), (8, 'dup')`;
    await db.sql`INSERT INTO band_play (band_id) SELECT 1 + g % 8 FROM generate_series(1, 40) g`;
    await db.sql`INSERT INTO band_album (band_id) SELECT 1 + g % 8 FROM generate_series(1, 16) g`;
    await db.sql`INSERT INTO band_alias VALUES (2, 'Stereo Lab'), (5, 'The Can'), (7, 'x'), (8, 'x')`; // 7 and 8 cannot both keep alias x
    const before = await db.sql`SELECT band_id, count(*)::int AS n FROM band_play GROUP BY 1 ORDER BY 1`;
    const dry = await run(clusterMerge, { dryRun: true });
    expect(dry.preview).toEqual([
      'key can: merged; update public.band_play, update public.band_album, update public.band_alias, delete public.band',
      'key dup: merged; update public.band_play, update public.band_album, update public.band_alias, delete public.band',
      'key stereolab: merged; update public.band_play, update public.band_album, update public.band_alias, delete public.band',
    ]);
    expect(await db.sql`SELECT band_id, count(*)::int AS n FROM band_play GROUP BY 1 ORDER BY 1`).toEqual(before);
    const s = await run(clusterMerge);
    expect(s).toMatchObject({ outcomes: { merged: 2, parked: 1 }, parked: [{ sqlstate: '23505', sample: ['dup'] }] });
    expect((await db.sql`SELECT array_agg(id ORDER BY id) AS ids FROM band`)[0]!.ids).toEqual([1, 4, 6, 7, 8]);
    const refs = await db.sql`SELECT band_id, count(*)::int AS n FROM band_play GROUP BY 1 ORDER BY 1`;
    expect(refs.map((r) => r.band_id)).toEqual([1, 4, 6, 7, 8]);
    expect(refs.find((r) => r.band_id === 1)!.n).toBe(15);
    expect(s.analyzed).toEqual(expect.arrayContaining(['public.band', 'public.band_play']));
  });
});
