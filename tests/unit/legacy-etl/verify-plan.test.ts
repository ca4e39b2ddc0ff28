import { describe, expect, it } from 'vitest';
import {
  allowedDeletes,
  bucketRange,
  diffHashes,
  groupSums,
  listWhole,
  pairBuckets,
  pairRanges,
  rangesOf,
  sameSum,
  slicePlan,
  sliceRanges,
  sourceHash,
  subWidth,
  verifyMode,
} from '@wxyc/legacy-etl';

describe('verification planning', () => {
  it('covers the key space in ranges, the last one short', () => {
    expect([...rangesOf(0, 10, 4)]).toEqual([
      { after: 0, upTo: 4 },
      { after: 4, upTo: 8 },
      { after: 8, upTo: 10 },
    ]);
    expect([...rangesOf(10, 10, 4)]).toEqual([]);
  });

  it('pairs the buckets of a grouped answer with their id ranges; a bucket a side left out has no rows there', () => {
    const sum = (n: number, s: string) => ({ n, hashed: n, sum: s });
    const pairs = pairBuckets(
      { after: 10, upTo: 45 },
      10,
      new Map([
        [0, sum(10, '7')],
        [3, sum(5, '9')],
      ]),
      new Map([
        [0, sum(10, '7')],
        [1, sum(2, '4')],
      ]),
    );
    expect(pairs.map((p) => p.range)).toEqual([
      { after: 10, upTo: 20 },
      { after: 20, upTo: 30 },
      { after: 30, upTo: 40 },
      { after: 40, upTo: 45 },
    ]);
    expect(pairs.map((p) => [p.legacy.n, p.pg.n])).toEqual([
      [10, 10],
      [0, 2],
      [0, 0],
      [5, 0],
    ]);
    expect(pairs.map((p) => sameSum(p.legacy, p.pg))).toEqual([true, false, true, false]);
    // The SQL's (id - after - 1) DIV width: the first and the last id of a bucket land in it.
    expect(bucketRange({ after: 10, upTo: 45 }, 10, Math.floor((21 - 10 - 1) / 10))).toEqual({ after: 20, upTo: 30 });
    expect(bucketRange({ after: 10, upTo: 45 }, 10, Math.floor((30 - 10 - 1) / 10))).toEqual({ after: 20, upTo: 30 });
  });

  it('a two-level answer: each range totals its sub-ranges (exactly, past 2^53), which are paired within it', () => {
    const sum = (n: number, s: string) => ({ n, hashed: n, sum: s });
    const big = '9007199254740993'; // 2^53 + 1
    const legacy = groupSums([
      [0, 0, sum(2, big)],
      [0, 1, sum(1, '4')],
      [1, 0, sum(3, '6')],
    ]);
    const pg = groupSums([
      [0, 0, sum(2, big)],
      [0, 1, sum(1, '5')],
    ]);
    const r = pairRanges({ after: 0, upTo: 15 }, 8, 4, legacy, pg);
    expect(r.map((x) => [x.pair.range, x.pair.legacy.sum, x.pair.pg.sum])).toEqual([
      [{ after: 0, upTo: 8 }, '9007199254740997', '9007199254740998'],
      [{ after: 8, upTo: 15 }, '6', '0'],
    ]);
    expect(r[0]!.parts.map((p) => [p.range, sameSum(p.legacy, p.pg)])).toEqual([
      [{ after: 0, upTo: 4 }, true],
      [{ after: 4, upTo: 8 }, false],
    ]);
    expect(r[1]!.parts.map((p) => p.range)).toEqual([
      { after: 8, upTo: 12 },
      { after: 12, upTo: 15 },
    ]);
  });

  it('narrows by a fanout down to one id, and lists a bucket whole only when most of it differs and it is small', () => {
    expect(subWidth(4096, 16)).toBe(256);
    expect(subWidth(100, 16)).toBe(7);
    expect(subWidth(3, 16)).toBe(1);
    expect(listWhole(9, 16, 4096, 4096)).toBe(true);
    expect(listWhole(8, 16, 4096, 4096)).toBe(false);
    expect(listWhole(16, 16, 4097, 4096)).toBe(false);
  });

  it("plans a tick's slice in whole ranges from the cursor, starting over after the lap", () => {
    const fixed = { maxIds: 1000, lapTicks: 0, rangeIds: 500 };
    expect(slicePlan(0, 3000, fixed)).toEqual({ from: 0, upTo: 3000, span: { after: 0, upTo: 1000 } });
    expect(slicePlan(2000, 3000, fixed).span).toEqual({ after: 2000, upTo: 3000 });
    expect(slicePlan(3000, 3000, fixed).span).toEqual({ after: 0, upTo: 1000 }); // lap done
    expect(slicePlan(0, 3000, { ...fixed, maxIds: 100 }).span).toEqual({ after: 0, upTo: 500 }); // at least one range
    expect(slicePlan(0, 0, fixed).span).toEqual({ after: 0, upTo: 0 }); // nothing imported yet
  });

  it('sizes the slice to the lap: no more ranges than a lap of ETL_VERIFY_LAP_TICKS needs, at least one, at most the cap', () => {
    const budget = (maxIds: number, lapTicks: number) => ({ maxIds, lapTicks, rangeIds: 4096 });
    const lap = (maxId: number, b: ReturnType<typeof budget>) => {
      let ticks = 0;
      for (let next = 0, done = false; !done; ticks++) {
        const p = slicePlan(next, maxId, b);
        next = p.span.upTo;
        done = next >= p.upTo;
      }
      return ticks;
    };
    expect(sliceRanges(200_000, budget(60_000, 48))).toBe(2); // 200,000 / 48 = 4,167 ids: two ranges
    expect(lap(200_000, budget(60_000, 48))).toBe(25);
    expect(sliceRanges(2_600_000, budget(60_000, 48))).toBe(14); // 54,167 ids: 13.2 ranges, rounded up
    expect(lap(2_600_000, budget(60_000, 48))).toBe(46); // within a day of 30-minute ticks
    expect(sliceRanges(10_000_000, budget(60_000, 48))).toBe(14); // the cap binds: a longer lap
    expect(lap(10_000_000, budget(60_000, 48))).toBe(175);
    expect(sliceRanges(2_600_000, budget(60_000, 0))).toBe(14); // 0: always the cap
    expect(sliceRanges(200_000, budget(60_000, 0))).toBe(14);
    expect(sliceRanges(100, budget(60_000, 48))).toBe(1);
    expect(sliceRanges(0, budget(60_000, 48))).toBe(1);
    for (const maxId of [1, 4096, 4097, 196_608, 196_609, 1_000_000, 2_752_512])
      expect(lap(maxId, budget(60_000, 48))).toBeLessThanOrEqual(48);
    expect(lap(2_752_513, budget(60_000, 48))).toBe(49); // 48 x 14 ranges is the most the cap lets a day's lap cover
  });

  it('a range is equal only with the same count, sum, and every PostgreSQL row hashed', () => {
    expect(sameSum({ n: 2, hashed: 2, sum: '5' }, { n: 2, hashed: 2, sum: '5' })).toBe(true);
    expect(sameSum({ n: 2, hashed: 2, sum: '5' }, { n: 2, hashed: 1, sum: '5' })).toBe(false);
    expect(sameSum({ n: 2, hashed: 2, sum: '5' }, { n: 3, hashed: 3, sum: '5' })).toBe(false);
  });

  it('tells changed, missing and extra rows apart; an unset hash is a change', () => {
    const d = diffHashes(
      [
        [1, '10'],
        [2, '20'],
        [3, '30'],
        [5, '50'],
      ],
      [
        [1, '10'],
        [2, '21'],
        [4, '40'],
        [5, null],
      ],
    );
    expect(d).toEqual({ changed: [2, 5], missing: [3], extra: [4] });
  });

  it('caps deletes by count and by share of the rows checked', () => {
    expect(allowedDeletes([1, 2, 3], 1000, { maxCount: 2, maxShare: 0.05 })).toEqual({ now: [1, 2], heldBack: 1 });
    expect(allowedDeletes([1, 2, 3], 20, { maxCount: 100, maxShare: 0.05 })).toEqual({ now: [1], heldBack: 2 });
    expect(allowedDeletes([1], 0, { maxCount: 100, maxShare: 0.05 })).toEqual({ now: [], heldBack: 1 });
  });

  it('parses --verify and --verify --repair; refuses --repair alone and anything else with them', () => {
    expect(verifyMode([])).toBeNull();
    expect(verifyMode(['dump.sql'])).toBeNull();
    expect(verifyMode(['--verify'])).toEqual({ repair: false, confirmDeleted: [] });
    expect(verifyMode(['--repair', '--verify'])).toEqual({ repair: true, confirmDeleted: [] });
    expect(
      verifyMode([
        '--verify',
        '--repair',
        '--confirm-deleted',
        'FLOWSHEET_ENTRY_PROD:1-4200',
        '--confirm-deleted=ROTATION_RELEASE:7-7',
      ]),
    ).toEqual({
      repair: true,
      confirmDeleted: [
        { table: 'FLOWSHEET_ENTRY_PROD', from: 1, to: 4200 },
        { table: 'ROTATION_RELEASE', from: 7, to: 7 },
      ],
    });
    expect(() => verifyMode(['--verify', '--confirm-deleted', 'FLOWSHEET_ENTRY_PROD:1-4200'])).toThrow(
      '--confirm-deleted deletes rows: it needs --verify --repair.',
    );
    expect(() => verifyMode(['--confirm-deleted', 'FLOWSHEET_ENTRY_PROD:1-4200'])).toThrow(
      '--confirm-deleted needs --verify --repair',
    );
    for (const bad of [
      'FLOWSHEET_ENTRY_PROD:4200-1',
      'flowsheet:1-2',
      'FLOWSHEET_ENTRY_PROD:0-5',
      'FLOWSHEET_ENTRY_PROD',
      'X:1-99999999999',
    ]) {
      expect(() => verifyMode(['--verify', '--repair', '--confirm-deleted', bad])).toThrow(
        'is invalid: expected LEGACY_TABLE:FROM-TO',
      );
    }
    expect(() => verifyMode(['--verify', '--repair', '--confirm-deleted'])).toThrow('--confirm-deleted "" is invalid');
    expect(() => verifyMode(['--repair'])).toThrow('--repair needs --verify');
    expect(() => verifyMode(['--verify', 'x.sql'])).toThrow('--verify takes only --repair');
    expect(() => verifyMode(['--verify', '--verify'])).toThrow('--verify takes only --repair');
  });
});

describe('sourceHash', () => {
  const cols = ['ID', 'T'];
  it('tells NULL from empty, and counts trailing spaces and 4-byte characters', () => {
    const h = (t: unknown) => sourceHash(cols, { ID: 1, T: t });
    expect(new Set([h(null), h(''), h('a'), h('a '), h('a\u{1F3B5}')]).size).toBe(5);
    expect(h('a')).toBe(h('a'));
    // An unsigned 32-bit integer: exact in a PostgreSQL bigint and in SUM on both sides.
    expect(Number.isInteger(h('a')) && h('a') >= 0 && h('a') < 2 ** 32).toBe(true);
  });

  it('values do not run into each other', () => {
    expect(sourceHash(['A', 'B'], { A: 'ab', B: 'c' })).not.toBe(sourceHash(['A', 'B'], { A: 'a', B: 'bc' }));
  });
});
