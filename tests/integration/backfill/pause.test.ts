// A definition's own pause condition, with the cumulative pause cap: stop resumably, or go on.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadState, runBackfill, type RunOptions } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog } from './helpers.js';
import { fillUnlessOnAir } from './definitions/on-air-pause.js';

const db = useTestDatabase('empty');
const opts = (o: Partial<RunOptions> = {}): RunOptions => ({
  sql: db.sql,
  log: captureLog(),
  batchSize: 100,
  targetMs: 10_000,
  backoffMs: 20,
  ...o,
});
const filled = async () =>
  (await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM items WHERE v IS NOT NULL`)[0]!.n;

describe('pause conditions of a definition', () => {
  beforeAll(async () => {
    await db.sql`CREATE TABLE items (id int PRIMARY KEY, v text)`;
    await db.sql`CREATE TABLE on_air (id serial PRIMARY KEY, started_at timestamptz NOT NULL, ended_at timestamptz)`;
  });
  beforeEach(async () => {
    await db.sql`DROP TABLE IF EXISTS backfill.runs`;
    await db.sql`TRUNCATE items, on_air`;
    await db.sql`INSERT INTO items (id) SELECT g FROM generate_series(1, 300) g`;
    await db.sql`INSERT INTO on_air (started_at) VALUES (now() - interval '10 minutes')`;
  });

  it('pauses while a DJ is on air and, at the cap with stop, ends resumably; after the show it finishes', async () => {
    const log = captureLog();
    const s = await runBackfill(fillUnlessOnAir, opts({ log, maxPauseMs: 100, onPauseCap: 'stop' }));
    expect(log.lines.filter((l) => l.startsWith('pausing'))[0]).toMatch(/^pausing 20 ms: a DJ is on air \(show \d+\)$/);
    expect(log.lines.at(-1)).toMatch(
      /^warning: paused \d+ ms in all, the cap \(maxPauseMs 100\): stopping; run again to resume$/,
    );
    expect(s).toMatchObject({ interrupted: true, rowsWritten: 0 });
    expect(await loadState(db.sql, 'items-v-off-air')).toMatchObject({ status: 'interrupted' });
    expect(await filled()).toBe(0);

    await db.sql`UPDATE on_air SET ended_at = now()`;
    const again = await runBackfill(fillUnlessOnAir, opts());
    expect(again).toMatchObject({ interrupted: false, rowsWritten: 300 });
  });

  it('at the cap with continue, stops consulting the condition and finishes', async () => {
    const log = captureLog();
    const s = await runBackfill(fillUnlessOnAir, opts({ log, maxPauseMs: 60, onPauseCap: 'continue' }));
    expect(log.lines.filter((l) => l.startsWith('pausing')).length).toBeGreaterThanOrEqual(3);
    expect(log.lines).toContainEqual(
      expect.stringMatching(/the cap \(maxPauseMs 60\): continuing without the definition's pause condition$/),
    );
    expect(s).toMatchObject({ interrupted: false, rowsWritten: 300 });
  });
});
