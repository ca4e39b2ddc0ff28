// The runner's operational promises, on a definition of its own over a scratch table, so each
// behaviour (timeouts, waiters, resume) can be provoked precisely.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { loadState, replicaLagMs, runBackfill, type BackfillDefinition, type BatchReport } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog } from './helpers.js';

const db = useTestDatabase();

/** Fills items.v = 'v' || id; `sleep` makes each batch take (rows * sleepMsPerRow) ms. */
const def = (sleepMsPerRow = 0): BackfillDefinition => ({
  name: 'items-v',
  table: 'public.items',
  key: 'id',
  columns: ['v'],
  pending: 't.v IS NULL',
  resolve: `
    WITH z AS MATERIALIZED (SELECT pg_sleep(count(*) * ${sleepMsPerRow} / 1000.0) FROM locked)
    SELECT l.id, 'v' || l.id AS v, CASE WHEN l.bad THEN 'bad row' END AS reason
    FROM locked l CROSS JOIN z`,
});

const rows = async () => (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM items WHERE v IS NULL`)[0]!.n;
const wrong = async () =>
  (
    await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM items WHERE NOT bad AND v IS DISTINCT FROM 'v' || id`
  )[0]!.n;

describe('backfill runner', () => {
  beforeAll(async () => {
    await db.sql`CREATE TABLE items (id serial PRIMARY KEY, v text, bad boolean NOT NULL DEFAULT false, note text)`;
  });
  beforeEach(async () => {
    await db.sql`DROP TABLE IF EXISTS backfill.runs`;
    await db.sql`TRUNCATE items RESTART IDENTITY`;
    await db.sql`INSERT INTO items (bad) SELECT g % 500 = 0 FROM generate_series(1, 5000) g`;
  });

  it('dry run counts and plans, and writes nothing (not even its state table)', async () => {
    const log = captureLog();
    const s = await runBackfill(def(), { sql: db.sql, log, batchSize: 1000, targetMs: 300, dryRun: true });
    expect(s.pendingAtStart).toBe(5000);
    expect(log.lines).toEqual([
      'dry run: 5000 pending rows in public.items with id in (0, 5000]; first batch 1000 keys, about 5 batches at that size (sized toward 300 ms each); nothing written',
    ]);
    expect(await rows()).toBe(5000);
    expect((await db.sql`SELECT to_regclass('backfill.runs') AS t`)[0]!.t).toBeNull();
  });

  it('on a statement timeout halves the batch and retries it, then finishes', async () => {
    const log = captureLog();
    const sizes: number[] = [];
    // 0.2 ms a row: 4000 keys = 800 ms > the 300 ms timeout; 1000 keys = 200 ms fits
    const s = await runBackfill(def(0.2), {
      sql: db.sql,
      log,
      batchSize: 4000,
      targetMs: 150,
      statementTimeoutMs: 300,
      onBatch: (b) => sizes.push(b.size),
    });
    expect(log.lines.filter((l) => l.includes('hit statement_timeout'))).toEqual([
      'warning: batch of 4000 keys hit statement_timeout (300 ms); retrying with 2000',
      'warning: batch of 2000 keys hit statement_timeout (300 ms); retrying with 1000',
    ]);
    expect(sizes[0]).toBe(1000);
    expect(Math.max(...sizes)).toBeLessThan(1500);
    expect(s.rowsWritten).toBe(4990);
    expect(await wrong()).toBe(0);
  });

  it('gives up after bounded attempts when even the smallest batch times out, marking the run failed', async () => {
    const log = captureLog();
    // 5 ms a row: 100 keys = 500 ms > 200 ms, at every size the runner may use
    const err = await runBackfill(def(5), {
      sql: db.sql,
      log,
      batchSize: 400,
      targetMs: 100,
      statementTimeoutMs: 200,
      maxAttempts: 3,
    }).catch((e: { code?: string }) => e);
    expect(err).toMatchObject({ code: '57014' });
    expect(log.lines.filter((l) => l.includes('hit statement_timeout'))).toHaveLength(4); // 400 -> 200 -> 100, then 2 more at 100
    expect(await loadState(db.sql, 'items-v')).toMatchObject({ status: 'failed', cursor: 0, rowsProcessed: 0 });
    expect(await rows()).toBe(5000);
  });

  it('saves its position in each batch: an interrupted run resumes exactly, --reset starts over', async () => {
    const controller = new AbortController();
    const first = await runBackfill(def(), {
      sql: db.sql,
      log: captureLog(),
      signal: controller.signal,
      batchSize: 700,
      targetMs: 10_000,
      onBatch: (b) => b.batch === 2 && controller.abort(), // sizes 700, then 1400
    });
    expect(first.interrupted).toBe(true);
    const saved = await loadState(db.sql, 'items-v');
    expect(saved).toMatchObject({ status: 'interrupted', cursor: 2100, rowsProcessed: 2100, rowsUnresolved: 4 });
    // exactly the rows up to the cursor are done
    const [split] = await db.sql<{ done_after: number; open_before: number }[]>`
      SELECT count(*) FILTER (WHERE id > 2100 AND v IS NOT NULL)::int AS done_after,
             count(*) FILTER (WHERE id <= 2100 AND v IS NULL AND NOT bad)::int AS open_before FROM items`;
    expect(split).toEqual({ done_after: 0, open_before: 0 });

    const log = captureLog();
    const second = await runBackfill(def(), { sql: db.sql, log, batchSize: 700, targetMs: 10_000 });
    expect(log.lines[0]).toBe('resuming items-v after key 2100 (2100 rows processed by earlier runs)');
    expect(second).toMatchObject({ interrupted: false, rowsProcessed: 5000, rowsWritten: 4990, rowsUnresolved: 10 });
    expect(second.unresolved).toEqual([
      { reason: 'bad row', count: 10, sample: [500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000] },
    ]);
    expect(await loadState(db.sql, 'items-v')).toMatchObject({ status: 'done', cursor: 5000 });

    const again = captureLog();
    const third = await runBackfill(def(), { sql: db.sql, log: again, batchSize: 700, targetMs: 10_000, reset: true });
    expect(again.lines[0]).toBe('--reset: forgot the saved position of items-v; starting over');
    expect(third).toMatchObject({ rowsProcessed: 10, rowsWritten: 0, rowsUnresolved: 10 }); // only the bad rows were pending
  });

  it('pauses when a session waits on a lock it holds, and says why', async () => {
    const other = postgres(db.url, { max: 1, onnotice: () => {}, connection: { application_name: 'etl' } });
    // each batch holds the row locks it has written for a second before it commits (the ETL's own update does not sleep)
    await db.sql`CREATE FUNCTION items_hold() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF current_setting('application_name') <> 'etl' THEN PERFORM pg_sleep(1); END IF; RETURN NULL; END $$`;
    await db.sql`CREATE TRIGGER items_hold AFTER UPDATE ON items FOR EACH STATEMENT EXECUTE FUNCTION items_hold()`;
    try {
      const log = captureLog();
      const run = runBackfill(def(), { sql: db.sql, log, batchSize: 2000, targetMs: 100_000, backoffMs: 200 });
      // wait for the first batch to hold its rows (written, sleeping in the trigger), then touch one of them
      for (let i = 0; i < 200; i++) {
        const [busy] = await db.sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event = 'PgSleep' AND query LIKE '%WITH locked AS%' AND pid <> pg_backend_pid()`;
        if (busy!.n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const started = performance.now();
      await other`UPDATE items SET note = 'etl' WHERE id = 10`;
      const waitedMs = performance.now() - started;
      await run;
      const pause = log.lines.find((l) => l.startsWith('pausing'));
      expect(pause).toMatch(/^pausing 200 ms: session\(s\) \d+ waiting on a lock held by the backfill$/);
      expect(waitedMs).toBeLessThan(2_000); // at most one batch, never the whole run
      expect(await wrong()).toBe(0);
    } finally {
      await other.end();
      await db.sql`DROP TRIGGER items_hold ON items`;
      await db.sql`DROP FUNCTION items_hold()`;
    }
  });

  it('skips rows another session holds, revisits them before the end, and walks rows added meanwhile', async () => {
    const holder = await db.sql.reserve();
    const etl = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await holder`BEGIN`;
      await holder`SELECT id FROM items WHERE id BETWEEN 100 AND 109 FOR UPDATE`;
      const log = captureLog();
      const seen: BatchReport[] = [];
      let inserted = 0;
      const run = runBackfill(def(), {
        sql: db.sql,
        log,
        batchSize: 500,
        targetMs: 10_000,
        lockTimeoutMs: 300,
        backoffMs: 100,
        onBatch: async (b) => {
          seen.push(b);
          if (b.batch === 2) {
            // the ETL inserts while the walk runs; the held rows are released a little later
            await etl`INSERT INTO items (v) SELECT NULL FROM generate_series(1, 300)`;
            inserted += 300;
            setTimeout(() => void holder`COMMIT`.then(() => {}), 500); // postgres-js runs a query once awaited
          }
        },
      });
      const s = await run;
      expect(seen[0]!.skipped).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
      expect(log.lines).toContain('revisiting 10 rows that were locked by another session');
      expect(s.stillLocked).toEqual([]);
      expect(inserted).toBe(300);
      expect(await rows()).toBe(10); // only the bad rows stay NULL: nothing lost
      expect(await wrong()).toBe(0);
    } finally {
      await holder`ROLLBACK`.catch(() => {});
      holder.release();
      await etl.end();
    }
  });

  it('pauses while a replica lags beyond the limit; no replicas means no lag', async () => {
    expect(await replicaLagMs(db.sql)).toBe(0);
    const lags = [9000, 6000, 0];
    const log = captureLog();
    await runBackfill(def(), {
      sql: db.sql,
      log,
      batchSize: 100_000,
      targetMs: 300,
      backoffMs: 10,
      maxReplicaLagMs: 5000,
      replicaLag: async () => lags.shift() ?? 0,
    });
    expect(log.lines.filter((l) => l.startsWith('pausing'))).toEqual([
      'pausing 10 ms: replica replay lag 9000 ms > BACKFILL_MAX_REPLICA_LAG_MS=5000',
      'pausing 10 ms: replica replay lag 6000 ms > BACKFILL_MAX_REPLICA_LAG_MS=5000',
    ]);
    expect(await wrong()).toBe(0);
  });
});
