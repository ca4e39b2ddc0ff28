// Delete and insert: dry run unless execute, a floor and a ceiling checked before any write, and
// (delete) a pending predicate over a TEMP id set made by prepare().
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_LIMITS, runBackfill, type RunOptions } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog } from './helpers.js';
import { ghostDelete } from './definitions/ghost-delete.js';
import { archiveInsert } from './definitions/archive-insert.js';

const db = useTestDatabase('empty');
const opts = (o: Partial<RunOptions> = {}): RunOptions => ({
  sql: db.sql,
  log: captureLog(),
  batchSize: 100,
  targetMs: 10_000,
  ...o,
});
const count = async (table: string) =>
  (await db.sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
const legacy = (ghosts: number[]) => async () =>
  Array.from({ length: 1000 }, (_, i) => i + 1).filter((id) => !ghosts.includes(id));

describe('delete mode', () => {
  beforeAll(async () => {
    await db.sql`CREATE TYPE play_kind AS ENUM ('track', 'talk')`;
    await db.sql`CREATE TABLE plays (id int PRIMARY KEY, kind play_kind NOT NULL, played_at timestamptz)`;
    await db.sql`CREATE TABLE plays_archive (play_id int PRIMARY KEY, kind play_kind NOT NULL, played_at timestamptz NOT NULL)`;
  });
  beforeEach(async () => {
    await db.sql`DROP TABLE IF EXISTS backfill.runs`;
    await db.sql`TRUNCATE plays, plays_archive`;
    await db.sql`INSERT INTO plays SELECT g, CASE WHEN g % 3 = 0 THEN 'talk' ELSE 'track' END::play_kind, CASE WHEN g % 250 <> 0 THEN now() END FROM generate_series(1, 1000) g`;
  });

  it('is a dry run without execute: counts the candidates, deletes nothing, says how to execute', async () => {
    const log = captureLog();
    const s = await runBackfill(ghostDelete(legacy([7, 300, 901])), opts({ log }));
    expect(s).toMatchObject({ dryRun: true, pendingAtStart: 3 });
    expect(log.lines.at(-1)).toMatch(
      /^dry run: 3 pending rows in public\.plays .* nothing written \(mode delete: add --execute to delete them\)$/,
    );
    expect(await count('plays')).toBe(1000);
  });

  it('with execute deletes exactly the rows absent from the id set', async () => {
    const s = await runBackfill(ghostDelete(legacy([7, 300, 901])), opts({ execute: true }));
    expect(s).toMatchObject({ dryRun: false, rowsProcessed: 3, rowsWritten: 3, pendingAtEnd: 0 });
    expect((await db.sql`SELECT id FROM plays WHERE id IN (6, 7, 8, 300, 901)`).map((r) => r.id)).toEqual([6, 8]);
  });

  it('refuses an empty candidate set (floor) and one above the ceiling, with exit code 12, deleting nothing', async () => {
    const none = await runBackfill(ghostDelete(legacy([])), opts({ execute: true })).catch(
      (e: { message: string; exitCode: number }) => e,
    );
    expect(none).toMatchObject({
      exitCode: EXIT_LIMITS,
      message:
        'ghost-delete: refusing: 0 candidate rows, fewer than the floor of 1 (is the predicate or its input wrong?)',
    });
    // the id set arrived truncated: 30% of the table looks like ghosts
    const many = Array.from({ length: 300 }, (_, i) => 700 + i + 1);
    const err = await runBackfill(ghostDelete(legacy(many)), opts({ execute: true })).catch(
      (e: { message: string; exitCode: number }) => e,
    );
    expect(err).toMatchObject({
      exitCode: EXIT_LIMITS,
      message: expect.stringMatching(
        /300 candidate rows are 30\.0% of the table's 1000, more than the ceiling of 20\.0%$/,
      ),
    });
    expect(await count('plays')).toBe(1000);
  });
});

describe('insert mode', () => {
  it('copies the resolved rows once (ON CONFLICT DO NOTHING), casting to the target types, leaving unresolved ones', async () => {
    await db.sql`INSERT INTO plays_archive VALUES (5, 'track', now())`; // already there
    const dry = await runBackfill(archiveInsert, opts());
    expect(dry.dryRun).toBe(true);
    expect(await count('plays_archive')).toBe(1);
    const s = await runBackfill(archiveInsert, opts({ execute: true }));
    expect(s).toMatchObject({ rowsProcessed: 999, rowsWritten: 995, rowsUnresolved: 4, analyzed: true });
    expect(s.unresolved).toEqual([{ reason: 'never played', count: 4, sample: [250, 500, 750, 1000] }]);
    expect(await count('plays_archive')).toBe(996);
    const again = await runBackfill(archiveInsert, opts({ execute: true }));
    expect(again).toMatchObject({ rowsWritten: 0, pendingAtEnd: 4 });
  });
});
