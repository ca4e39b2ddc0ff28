// The PostgreSQL side of @wxyc/legacy-etl: batch upsert, watermark/cursor, tick lock.
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { finishTick, readWatermark, saveCursor, upsertBatch, withTickLock } from '@wxyc/legacy-etl';
import { useTestDatabase } from '../../support/test-database.js';

const db = useTestDatabase();

describe('upsertBatch', () => {
  const spec = (rows: { legacy_genre_id: number; genre_name: string; plays: number }[]) => ({
    table: 'wxyc_schema.genres',
    key: 'legacy_genre_id' as const,
    rows,
  });

  it('inserts new rows and tells them apart from updated ones; unchanged rows are not rewritten', async () => {
    const first = await upsertBatch(
      db.sql,
      spec([
        { legacy_genre_id: 1, genre_name: 'Rock', plays: 0 },
        { legacy_genre_id: 2, genre_name: 'Jazz', plays: 0 },
      ]),
    );
    expect(first.map((r) => [r.legacyId, r.inserted])).toEqual([
      [1, true],
      [2, true],
    ]);
    const before = await db.sql`SELECT legacy_genre_id, xmin::text FROM wxyc_schema.genres ORDER BY 1`;

    const second = await upsertBatch(
      db.sql,
      spec([
        { legacy_genre_id: 1, genre_name: 'Rock', plays: 0 }, // unchanged
        { legacy_genre_id: 2, genre_name: 'Jazz', plays: 3 }, // changed
        { legacy_genre_id: 3, genre_name: 'Soul', plays: 0 }, // new
      ]),
    );
    expect(second.map((r) => [r.legacyId, r.inserted])).toEqual([
      [2, false],
      [3, true],
    ]);
    expect(second[0]!.id).toBe(first[1]!.id);
    const after = await db.sql`SELECT legacy_genre_id, xmin::text FROM wxyc_schema.genres ORDER BY 1`;
    expect(after[0]).toEqual(before[0]); // row 1 untouched
    expect(after[1]!.xmin).not.toBe(before[1]!.xmin);
  });

  it('leaves columns it is not given alone on update', async () => {
    await db.sql`UPDATE wxyc_schema.genres SET description = 'kept' WHERE legacy_genre_id = 1`;
    await upsertBatch(db.sql, spec([{ legacy_genre_id: 1, genre_name: 'Rock & Roll', plays: 0 }]));
    expect((await db.sql`SELECT genre_name, description FROM wxyc_schema.genres WHERE legacy_genre_id = 1`)[0]).toEqual(
      { genre_name: 'Rock & Roll', description: 'kept' },
    );
  });

  it('is a no-op for no rows', async () => {
    expect(await upsertBatch(db.sql, spec([]))).toEqual([]);
  });
});

describe('watermark', () => {
  it('reads nothing before the first run, then the saved cursor; finishTick stamps last_run', async () => {
    expect(await readWatermark(db.sql, 'test-job')).toEqual({ lastRun: null, cursor: null });
    await db.sql.begin((tx) => saveCursor(tx, 'test-job', { maxId: 5 }));
    const saved = await readWatermark<{ maxId: number }>(db.sql, 'test-job');
    expect(saved.cursor).toEqual({ maxId: 5 });
    await db.sql`UPDATE wxyc_schema.cronjob_runs SET last_run = '2020-01-01Z' WHERE job_name = 'test-job'`;
    await saveCursor(db.sql, 'test-job', { maxId: 6 });
    expect((await readWatermark(db.sql, 'test-job')).lastRun).toEqual(new Date('2020-01-01Z')); // saveCursor keeps last_run
    await finishTick(db.sql, 'test-job', { maxId: 7 });
    const done = await readWatermark(db.sql, 'test-job');
    expect(done.cursor).toEqual({ maxId: 7 });
    expect(done.lastRun!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a cursor saved in a transaction that rolls back is not kept', async () => {
    await db.sql
      .begin(async (tx) => {
        await saveCursor(tx, 'test-job', { maxId: 99 });
        await tx`SELECT 1/0`;
      })
      .catch(() => {});
    expect((await readWatermark(db.sql, 'test-job')).cursor).toEqual({ maxId: 7 });
  });
});

describe('withTickLock', () => {
  it('runs fn when free; reports the holder (pid, since) when another session has it; frees it after', async () => {
    const other = postgres(db.url, { max: 2, onnotice: () => {} });
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const first = withTickLock(other, 'lock-job', async () => {
        entered();
        await held;
        return 'first';
      });
      await inside;
      const { pid } = (await db.sql`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted`)[0]!;
      const second = await withTickLock(db.sql, 'lock-job', async () => 'second');
      expect(second).toMatchObject({ ran: false, holderPid: pid });
      expect((second as { since: Date }).since).toBeInstanceOf(Date);
      expect(await withTickLock(db.sql, 'another-job', async () => 'independent')).toEqual({
        ran: true,
        value: 'independent',
      });
      release();
      expect(await first).toEqual({ ran: true, value: 'first' });
      expect(await withTickLock(db.sql, 'lock-job', async () => 'after')).toEqual({ ran: true, value: 'after' });
    } finally {
      await other.end();
    }
  });
});
