// The walk's optimistic batch: a REPEATABLE READ read-resolve-UPDATE of the key range with no
// FOR UPDATE pass, redone with SKIP LOCKED only when it meets a lock or a concurrent change. What
// it must never do: plan a self-join or a quadratic join (the unanalyzed-table trap of an earlier
// attempt), write a value resolved from a row version another session has since replaced, or
// wait behind another session longer than OPTIMISTIC_LOCK_TIMEOUT_MS.
import { beforeEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import {
  columnTypes,
  optimisticStatement,
  OPTIMISTIC_LOCK_TIMEOUT_MS,
  runBackfill,
  type BackfillDefinition,
  type BatchReport,
} from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog, type PlanNode } from './helpers.js';

const db = useTestDatabase();

/** items.v = 'v' || id || note; `sleepMs` before the write, once per batch. */
const def = (sleepMs = 0): BackfillDefinition => ({
  name: 'items-opt',
  table: 'public.items',
  key: 'id',
  columns: ['v'],
  pending: 't.v IS NULL',
  resolve: `
    WITH z AS MATERIALIZED (SELECT pg_sleep(${sleepMs} / 1000.0))
    SELECT l.id, 'v' || l.id || coalesce(l.note, '') AS v, NULL::text AS reason FROM locked l CROSS JOIN z`,
});

const scans = (n: PlanNode): PlanNode[] => [
  ...(n['Relation Name'] === 'items' && n['Node Type'] !== 'ModifyTable' ? [n] : []),
  ...(n.Plans ?? []).flatMap(scans),
];
const wrong = async () =>
  (
    await db.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM items WHERE v IS DISTINCT FROM 'v' || id || coalesce(note, '')`
  )[0]!.n;

describe('backfill optimistic statement', () => {
  beforeEach(async () => {
    await db.sql`DROP TABLE IF EXISTS backfill.runs`;
    await db.sql`DROP TABLE IF EXISTS items`;
    // autovacuum off: the table stays unanalyzed, as a freshly loaded one is
    await db.sql`CREATE TABLE items (id int PRIMARY KEY, v text, note text) WITH (autovacuum_enabled = off)`;
    await db.sql`INSERT INTO items (id) SELECT g FROM generate_series(1, 50000) g`;
  });

  it('reads the range once and reaches each written row by its key on an unanalyzed table: no scan of the whole table, no self-join, no join filter', async () => {
    const [stats] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'items'`;
    expect(stats!.n).toBe(0);
    const conn = await db.sql.reserve();
    try {
      const plan = { columns: await columnTypes(conn, 'public.items', ['v']), fallback: null };
      await conn`BEGIN`;
      // a quadratic plan (a CTE rescanned per row under a join filter) would run for minutes: fail instead
      await conn`SET LOCAL statement_timeout = '20s'`;
      const out =
        await conn`EXPLAIN (ANALYZE, FORMAT JSON) ${optimisticStatement(conn, def(), { lo: 0, hi: 50_000 }, plan)}`;
      await conn`ROLLBACK`;
      const root = (out[0]!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
      const reads = scans(root);
      const text = JSON.stringify(out);
      expect(text).not.toContain('Seq Scan');
      expect(text).not.toContain('Join Filter');
      // the range read, then the UPDATE's probe by key
      expect(reads).toHaveLength(2);
      for (const n of reads)
        expect((n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops']).toBeLessThanOrEqual(50_000);
    } finally {
      conn.release();
    }
  });

  it('a row another session changes while the batch resolves is not written with the value read before it: the batch is redone locking, and is right', async () => {
    const other = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const seen: BatchReport[] = [];
      const log = captureLog();
      const run = runBackfill(def(800), {
        sql: db.sql,
        log,
        batchSize: 100_000,
        targetMs: 100_000,
        onBatch: (b) => void seen.push(b),
      });
      // while the first batch sleeps between its read and its write, change a row of its range (autocommit: no lock left)
      for (let i = 0; i < 200; i++) {
        const [busy] = await db.sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()`;
        if (busy!.n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await other`UPDATE items SET note = '-changed' WHERE id = 4242`;
      const s = await run;
      expect(seen[0]).toMatchObject({ lockedRetry: true, skipped: [], rows: 50_000 });
      expect(s).toMatchObject({ rowsWritten: 50_000, rowsProcessed: 50_000, stillLocked: [], pendingAtEnd: 0 });
      expect((await db.sql`SELECT v FROM items WHERE id = 4242`)[0]!.v).toBe('v4242-changed');
      expect(await wrong()).toBe(0);
    } finally {
      await other.end();
    }
  });

  it(`meets a row lock: waits at most ~${OPTIMISTIC_LOCK_TIMEOUT_MS} ms, not the run's lock_timeout, then skips the held row and revisits it`, async () => {
    const holder = await db.sql.reserve();
    try {
      await holder`BEGIN`;
      await holder`SELECT id FROM items WHERE id = 30000 FOR UPDATE`;
      const seen: BatchReport[] = [];
      const s = await runBackfill(def(), {
        sql: db.sql,
        log: captureLog(),
        batchSize: 10_000,
        targetMs: 100_000,
        lockTimeoutMs: 10_000,
        backoffMs: 50,
        onBatch: (b) => {
          seen.push(b);
          if (b.skipped.length) void holder`COMMIT`.then(() => {}); // released after the batch that met it
        },
      });
      const met = seen.filter((b) => b.lockedRetry);
      expect(met).toHaveLength(1);
      expect(met[0]!.skipped).toEqual([30000]);
      expect(met[0]!.elapsedMs).toBeLessThan(3_000); // the run's lock_timeout is 10 s
      expect(seen.filter((b) => b !== met[0]).every((b) => b.skipped.length === 0)).toBe(true);
      expect(s).toMatchObject({ rowsWritten: 50_000, stillLocked: [] });
      expect(await wrong()).toBe(0);
    } finally {
      await holder`ROLLBACK`.catch(() => {});
      holder.release();
    }
  });
});
