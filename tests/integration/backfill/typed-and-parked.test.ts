// v2 writes: any column type, explicit NULLs, fallback values cast to the column's type, and one
// bad row never sinking its batch (isolated, parked with its error, retried only on request).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadState, runBackfill, type RunOptions } from '@wxyc/backfill';
import { useTestDatabase } from '../../support/test-database.js';
import { captureLog } from './helpers.js';
import { createTypedTables, typedUpdate } from './definitions/typed-update.js';

const db = useTestDatabase('empty');
const opts = (o: Partial<RunOptions> = {}): RunOptions => ({
  sql: db.sql,
  log: captureLog(),
  batchSize: 100,
  targetMs: 10_000,
  ...o,
});

describe('typed multi-column update', () => {
  beforeAll(async () => {
    await createTypedTables(db.sql);
    await db.sql`INSERT INTO parents SELECT g FROM generate_series(1, 10) g`;
  });
  beforeEach(async () => {
    await db.sql`DROP TABLE IF EXISTS backfill.runs`;
    await db.sql`TRUNCATE typed`;
    // ids from -20 to 279: rows at or below 0 are walked too
    await db.sql`INSERT INTO typed (id, src, src_parent) SELECT g, 'w' || abs(g), 1 + abs(g) % 10 FROM generate_series(-20, 279) g`;
  });

  it('writes every type from the catalog, NULL included, and walks keys <= 0', async () => {
    const s = await runBackfill(typedUpdate, opts());
    expect(s).toMatchObject({ rowsProcessed: 300, rowsWritten: 300, rowsParked: 0 });
    const [r] = await db.sql`SELECT parent_id, kind::text, at, doc, search::text, code, note FROM typed WHERE id = 7`;
    expect(r).toEqual({
      parent_id: 8,
      kind: 'loud',
      at: new Date('2026-11-08T12:00:00Z'),
      doc: { id: 7, src: 'w7' },
      search: "'w7':1",
      code: 'w7',
      note: null,
    });
    const [neg] = await db.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM typed WHERE id <= 0 AND search IS NOT NULL`;
    expect(neg!.n).toBe(21);
  });

  it('casts fallback values to the column types (integer, enum, tsvector)', async () => {
    await db.sql`UPDATE typed SET src = 'unknown' WHERE id IN (3, 4)`;
    const s = await runBackfill(typedUpdate, opts({ fallback: { parent_id: 10, kind: 'calm', search: 'unresolved' } }));
    expect(s).toMatchObject({ rowsWritten: 300, rowsFallback: 2, unresolved: [] });
    const rows =
      await db.sql`SELECT id, parent_id, kind::text, search::text, note FROM typed WHERE id IN (3, 4) ORDER BY id`;
    // columns without a fallback value keep what they had
    expect(rows).toEqual([
      { id: 3, parent_id: 10, kind: 'calm', search: "'unresolved'", note: 'was set' },
      { id: 4, parent_id: 10, kind: 'calm', search: "'unresolved'", note: 'was set' },
    ]);
  });

  it('parks rows that violate a constraint, writes the rest of their batch, and retries them only with retryParked', async () => {
    await db.sql`UPDATE typed SET src = 'far-too-long-' || id WHERE id IN (5, 150)`; // varchar(8): 22001
    await db.sql`UPDATE typed SET src_parent = 99 WHERE id = 42`; // no such parent: 23503
    const log = captureLog();
    const s = await runBackfill(typedUpdate, opts({ log }));
    expect(s).toMatchObject({ rowsProcessed: 300, rowsWritten: 297, rowsParked: 3 });
    expect(s.parked).toEqual([
      { sqlstate: '22001', message: 'value too long for type character varying(8)', count: 2, sample: [5, 150] },
      {
        sqlstate: '23503',
        message: expect.stringContaining('violates foreign key constraint'),
        count: 1,
        sample: [42],
      },
    ]);
    expect(log.lines.filter((l) => l.includes('isolating the failing rows'))).toHaveLength(2);
    const [left] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM typed WHERE search IS NULL`;
    expect(left!.n).toBe(3);

    // a rerun walks again but leaves parked rows alone: never retried silently
    const again = captureLog();
    const s2 = await runBackfill(typedUpdate, opts({ log: again }));
    expect(s2).toMatchObject({ rowsProcessed: 0, rowsParked: 3 });
    expect(again.lines.some((l) => l.includes('isolating'))).toBe(false);

    // fixed at the source, then retried on request: the two fixed rows are written, the third parked again
    await db.sql`UPDATE typed SET src = 'ok' WHERE id IN (5, 150)`;
    const s3 = await runBackfill(typedUpdate, opts({ retryParked: true }));
    expect(s3).toMatchObject({ rowsWritten: 2, rowsParked: 1 });
    expect((await loadState(db.sql, 'typed-update'))!.parked).toEqual([
      { id: 42, sqlstate: '23503', message: expect.stringContaining('foreign key') },
    ]);
  });

  it('stops when more rows are parked than maxParked: the definition is wrong, not the data', async () => {
    await db.sql`UPDATE typed SET src = 'far-too-long-' || id WHERE id > 0`;
    const err = await runBackfill(typedUpdate, opts({ maxParked: 50 })).catch((e: Error) => e);
    expect(String(err)).toMatch(
      /rows parked \(more than 50\): the definition is likely wrong; see backfill\.runs\.parked/,
    );
    expect(await loadState(db.sql, 'typed-update')).toMatchObject({ status: 'failed' });
  });
});
