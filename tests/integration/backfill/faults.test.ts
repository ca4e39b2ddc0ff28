// Faults of issue #13 (backfill items 8-10), each provoked for real: a batch backend terminated
// mid-statement, a second process with --reset, a lock held by another run, keys <= 0, a huge
// batch size.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { EXIT } from '@wxyc/job-runtime';
import { loadState, runBackfill, type BackfillDefinition } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog } from './helpers.js';

const db = useTestDatabase('empty');

/** Fills items.v; each batch sleeps `ms` inside its statement, so it can be caught running. */
const slow = (ms: number): BackfillDefinition => ({
  name: 'items-v',
  table: 'public.items',
  key: 'id',
  columns: ['v'],
  pending: 't.v IS NULL',
  resolve: `WITH z AS MATERIALIZED (SELECT pg_sleep(${ms} / 1000.0)) SELECT l.id, 'v' || l.id AS v, NULL AS reason FROM locked l CROSS JOIN z`,
});

const batchBackend = async () => {
  for (let i = 0; i < 500; i++) {
    const [r] = await db.sql<{ pid: number }[]>`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%WITH locked AS%' AND pid <> pg_backend_pid() LIMIT 1`;
    if (r) return r.pid;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('no batch running');
};
const pendingRows = async () =>
  (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM items WHERE v IS NULL`)[0]!.n;

describe('backfill faults (#13 items 8-10)', () => {
  beforeAll(async () => {
    await db.sql`CREATE TABLE items (id int PRIMARY KEY, v text)`;
  });
  beforeEach(async () => {
    await db.sql`DROP TABLE IF EXISTS backfill.runs`;
    await db.sql`TRUNCATE items`;
    await db.sql`INSERT INTO items (id) SELECT g FROM generate_series(-5, 994) g`;
  });

  it('8. its batch backend terminated mid-statement: "connection lost; reconnecting", then it finishes, state done', async () => {
    const log = captureLog();
    const run = runBackfill(slow(300), { sql: db.sql, log, batchSize: 200, targetMs: 100_000, backoffMs: 50 });
    const pid = await batchBackend();
    await db.sql`SELECT pg_terminate_backend(${pid})`;
    const s = await run;
    expect(log.lines.filter((l) => l.includes('connection lost'))).toEqual([
      // postgres-js reports the terminated backend as a closed socket, or with the server's 57P01
      expect.stringMatching(
        /^warning: connection lost \((write CONNECTION_CLOSED \S+|.*SQLSTATE 57P01.*)\); reconnecting$/,
      ),
    ]);
    expect(log.lines.some((l) => /^reconnected: backend pid \d+ holds the lock of items-v again$/.test(l))).toBe(true);
    expect(s).toMatchObject({ interrupted: false, rowsProcessed: 1000, rowsWritten: 1000 });
    expect(await loadState(db.sql, 'items-v')).toMatchObject({ status: 'done' });
    expect(await pendingRows()).toBe(0);
  });

  it('8. its batch backend terminated more often than maxReconnects in a row: one line, exit 3, state failed at the last commit; a rerun finishes', async () => {
    const log = captureLog();
    const run = runBackfill(slow(60_000), {
      sql: db.sql,
      log,
      batchSize: 200,
      targetMs: 100_000,
      backoffMs: 50,
      maxReconnects: 1,
    }).catch((e: Error & { exitCode?: number }) => e);
    // every attempt of the first batch is terminated while it sleeps (a replayed FATAL, porsager/postgres#1223, counts as a loss too);
    // it sleeps until terminated, so no attempt can commit however slowly the killer polls
    let done = false;
    const killer = (async () => {
      while (!done) {
        const [r] = await db.sql<{ pid: number }[]>`
          SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%WITH locked AS%' AND pid <> pg_backend_pid() LIMIT 1`;
        if (r) await db.sql`SELECT pg_terminate_backend(${r.pid})`;
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const err = (await run) as Error & { exitCode?: number };
    done = true;
    await killer;
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toMatch(
      /^backfill items-v: the database connection was lost 2 times in a row \(last: .+\); stopped at the last committed batch \(after key -6, 0 rows written\); run again to resume$/,
    );
    expect(log.lines.filter((l) => l.includes('connection lost'))).toHaveLength(1);
    expect(await loadState(db.sql, 'items-v')).toMatchObject({ status: 'failed', cursor: -6, rowsProcessed: 0 });
    expect(await pendingRows()).toBe(1000);
    const again = await runBackfill(slow(0), { sql: db.sql, log: captureLog(), batchSize: 200, targetMs: 100_000 });
    expect(again).toMatchObject({ interrupted: false, rowsProcessed: 1000, rowsWritten: 1000 });
    expect(await pendingRows()).toBe(0);
  });

  it('10. --reset from a second process while a run holds the lock is refused, naming the holder; the state stays', async () => {
    const first = runBackfill(slow(200), { sql: db.sql, log: captureLog(), batchSize: 100, targetMs: 100_000 });
    const pid = await batchBackend();
    const other = postgres(db.url, { max: 2, onnotice: () => {} });
    try {
      const err = await runBackfill(slow(0), {
        sql: other,
        log: captureLog(),
        batchSize: 100,
        targetMs: 300,
        reset: true,
        lockWaitMs: 300,
      }).catch((e: Error) => e);
      // between two statements the holder is "idle in transaction"; the exact wording is unit-tested
      expect(String(err)).toMatch(
        new RegExp(
          `another run of items-v is in progress: backend pid ${pid} \\(application_name '[^']*', client \\S+\\) holds its lock, ` +
            `(running a statement for \\d+ s; .*|state [a-z ]+); waited \\d+ s\\. Wait for it, or stop it: SELECT pg_terminate_backend\\(${pid}\\);$`,
        ),
      );
      expect((await loadState(db.sql, 'items-v'))?.status).toBe('running');
    } finally {
      await other.end();
    }
    expect(await first).toMatchObject({ rowsProcessed: 1000 });
  });

  it('10. keys <= 0 are walked; a batch size above the maximum is clamped, saying so', async () => {
    const log = captureLog();
    const s = await runBackfill(slow(0), { sql: db.sql, log, batchSize: 1_000_000_000, targetMs: 300 });
    expect(log.lines[0]).toBe('warning: batch size 1000000000 is outside [100, 100000]; using 100000');
    expect(log.lines[1]).toMatch(/^items-v: 1000 pending rows in public\.items with id in \(-6, 994\]/);
    expect(s.rowsWritten).toBe(1000);
    expect(await pendingRows()).toBe(0);
  });
});
