import { describe, expect, it } from 'vitest';
import {
  BadRows,
  FUTURE_SLACK_MS,
  firstUsableTime,
  flagCell,
  IdSet,
  intCell,
  pagesById,
  readEtlConfig,
  textCell,
} from '@wxyc/legacy-etl';

const logLines = (bad: BadRows) => {
  const lines: string[] = [];
  bad.report({ info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) });
  return lines;
};

describe('cells', () => {
  it('intCell reads numbers and numeric strings, and nothing else', () => {
    expect([
      intCell(5),
      intCell('42'),
      intCell(null),
      intCell(undefined),
      intCell(''),
      intCell('x'),
      intCell(1.5),
    ]).toEqual([5, 42, null, null, null, null, null]);
  });

  it('flagCell: any non-zero is true', () => {
    expect([flagCell(1), flagCell('2'), flagCell(0), flagCell(null)]).toEqual([true, true, false, false]);
  });

  it('textCell trims, nulls empty text, and counts each repair on the row', () => {
    const bad = new BadRows();
    const ref = { table: 'T', legacyId: 9, bad };
    expect(textCell('  a  ', 10, ref, 'C')).toBe('a');
    expect(textCell('   ', 10, ref, 'C')).toBeNull();
    expect(textCell('a\u0000b', 10, ref, 'C')).toBe('ab');
    expect(textCell('bad \uFFFD byte', 20, ref, 'C')).toBe('bad \uFFFD byte');
    // truncation counts characters, not UTF-16 units: an emoji is one
    expect(textCell('😀'.repeat(5), 3, ref, 'C')).toBe('😀😀😀');
    expect(bad.repairedCount).toBe(3);
    expect(bad.rejectedCount).toBe(0);
    expect(logLines(bad)).toEqual([
      'repaired 1 row, T: NUL bytes removed from C (legacy id 9)',
      'repaired 1 row, T: invalid UTF-8 in C replaced by U+FFFD (legacy id 9)',
      'repaired 1 row, T: C truncated to 3 characters (legacy id 9)',
    ]);
  });

  it('firstUsableTime skips 0, null and far-future values', () => {
    const now = Date.UTC(2026, 3, 4);
    expect(firstUsableTime([0, null, now - 1000], now)).toEqual(new Date(now - 1000));
    expect(firstUsableTime([now + FUTURE_SLACK_MS + 1, now - 5], now)).toEqual(new Date(now - 5));
    expect(firstUsableTime([now + FUTURE_SLACK_MS], now)).toEqual(new Date(now + FUTURE_SLACK_MS));
    expect(firstUsableTime([0, -1, null, undefined], now)).toBeNull();
  });
});

describe('BadRows', () => {
  it('lists at most 20 ids per reason with an exact count', () => {
    const bad = new BadRows();
    for (let id = 1; id <= 25; id++) bad.reject('T', id, 'no usable time');
    bad.reject('U', 7, 'other');
    expect(bad.rejectedCount).toBe(26);
    expect(logLines(bad)).toEqual([
      'skipped 25 rows, T: no usable time (legacy ids 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, ... 5 more)',
      'skipped 1 row, U: other (legacy id 7)',
    ]);
  });
});

describe('IdSet', () => {
  it('tells a new id from a repeated one, growing as needed', () => {
    const s = new IdSet();
    expect([s.add(3), s.add(3), s.add(2_600_000), s.add(2_600_000), s.add(0)]).toEqual([
      true,
      false,
      true,
      false,
      true,
    ]);
    expect([s.has(3), s.has(4), s.has(2_600_000), s.has(9_999_999)]).toEqual([true, false, true, false]);
    expect(() => s.add(-1)).toThrow(RangeError);
  });
});

describe('pagesById', () => {
  const table = Array.from({ length: 10 }, (_, i) => ({ ID: (i + 1) * 2 }));
  const fetch = async (after: number, limit: number) => table.filter((r) => r.ID > after).slice(0, limit);
  const collect = async (opts: { startAfter: number; pageSize: number; maxRows?: number; signal?: AbortSignal }) => {
    const pages: number[][] = [];
    for await (const p of pagesById({ ...opts, idOf: (r: { ID: number }) => r.ID, fetch }))
      pages.push(p.map((r) => r.ID));
    return pages;
  };

  it('pages by key from startAfter, ending on a short page', async () => {
    expect(await collect({ startAfter: 5, pageSize: 3 })).toEqual([
      [6, 8, 10],
      [12, 14, 16],
      [18, 20],
    ]);
  });

  it('stops at maxRows', async () => {
    expect(await collect({ startAfter: 0, pageSize: 3, maxRows: 4 })).toEqual([[2, 4, 6], [8]]);
  });

  it('asks for one row past the page, so the last page needs no empty query after it', async () => {
    const asked: Array<[number, number]> = [];
    const pages: number[][] = [];
    const spy = async (after: number, limit: number) => (asked.push([after, limit]), fetch(after, limit));
    for await (const p of pagesById({ startAfter: 0, pageSize: 5, idOf: (r: { ID: number }) => r.ID, fetch: spy }))
      pages.push(p.map((r) => r.ID));
    expect(pages).toEqual([
      [2, 4, 6, 8, 10],
      [12, 14, 16, 18, 20],
    ]);
    expect(asked).toEqual([
      [0, 6],
      [10, 6],
    ]);
  });

  it('never ends a page between two copies of one id, however many there are', async () => {
    // A source without its primary key: id 4 three times across the first page boundary, id 8
    // four times across the second (more copies than a page holds).
    const dup = [1, 2, 4, 4, 4, 5, 6, 8, 8, 8, 8, 9].map((ID, n) => ({ ID, n }));
    const dupFetch = async (after: number, limit: number) => dup.filter((r) => r.ID > after).slice(0, limit);
    const pages: number[][] = [];
    for await (const p of pagesById({ startAfter: 0, pageSize: 3, idOf: (r) => r.ID, fetch: dupFetch }))
      pages.push(p.map((r) => r.n));
    expect(pages).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9, 10], [11]]);
    expect(pages.flat()).toEqual(dup.map((r) => r.n)); // every copy read once
  });

  it('stops when the signal is aborted', async () => {
    const c = new AbortController();
    c.abort();
    expect(await collect({ startAfter: 0, pageSize: 3, signal: c.signal })).toEqual([]);
  });
});

describe('readEtlConfig', () => {
  const base = { DATABASE_URL: 'postgres://u@h/db', LEGACY_DATABASE_URL: 'mysql://u:pw@h/legacy' };

  it('has documented defaults', () => {
    expect(readEtlConfig(base)).toEqual({
      databaseUrl: base.DATABASE_URL,
      legacyUrl: base.LEGACY_DATABASE_URL,
      batchSize: 1000,
      editWindowIds: 20_000,
      maxRowsPerTick: 500_000,
      sweepIds: 50_000,
      modifiedOverlapMs: 600_000,
      outlierGapIds: 1_000_000,
      verifyRangeIds: 4096,
      verifyRowsPerTick: 60_000,
      verifyLapTicks: 48,
      verifyMaxDeletes: 1000,
      verifyMaxDeletePct: 5,
    });
  });

  it('needs no legacy URL for a mode that reads no MySQL', () => {
    expect(readEtlConfig({ DATABASE_URL: base.DATABASE_URL }, { needLegacy: false }).legacyUrl).toBeNull();
  });

  it('rejects a non-mysql legacy URL without printing its password', () => {
    expect(() => readEtlConfig({ ...base, LEGACY_DATABASE_URL: 'postgres://u:pw@h/x' })).toThrow(
      'LEGACY_DATABASE_URL=postgres://u:***@h/x is not a mysql:// URL.',
    );
  });

  it('rejects out-of-range numbers', () => {
    expect(() => readEtlConfig({ ...base, ETL_BATCH_SIZE: '0' })).toThrow(
      'ETL_BATCH_SIZE="0" is invalid: expected a whole number between 1 and 5000.',
    );
    expect(() => readEtlConfig({ ...base, ETL_VERIFY_LAP_TICKS: '-1' })).toThrow(
      'ETL_VERIFY_LAP_TICKS="-1" is invalid: expected a whole number between 0 and 100000.',
    );
    expect(readEtlConfig({ ...base, ETL_VERIFY_LAP_TICKS: '0' }).verifyLapTicks).toBe(0);
  });
});
