import { describe, expect, it } from 'vitest';
import { allowedDeletes, diffHashes, rangesOf, sameSum, sourceHash, split, verifyMode } from '@wxyc/legacy-etl';

describe('verification planning', () => {
  it('covers the key space in ranges, the last one short', () => {
    expect([...rangesOf(0, 10, 4)]).toEqual([
      { after: 0, upTo: 4 },
      { after: 4, upTo: 8 },
      { after: 8, upTo: 10 },
    ]);
    expect([...rangesOf(10, 10, 4)]).toEqual([]);
  });

  it('splits a differing range into parts that cover it exactly', () => {
    expect(split({ after: 0, upTo: 10 }, 4)).toEqual([
      { after: 0, upTo: 3 },
      { after: 3, upTo: 6 },
      { after: 6, upTo: 9 },
      { after: 9, upTo: 10 },
    ]);
    expect(split({ after: 5, upTo: 7 }, 8)).toEqual([
      { after: 5, upTo: 6 },
      { after: 6, upTo: 7 },
    ]);
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
    expect(verifyMode(['--verify'])).toEqual({ repair: false });
    expect(verifyMode(['--repair', '--verify'])).toEqual({ repair: true });
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
    expect(Number.isSafeInteger(h('a'))).toBe(true);
  });

  it('values do not run into each other', () => {
    expect(sourceHash(['A', 'B'], { A: 'ab', B: 'c' })).not.toBe(sourceHash(['A', 'B'], { A: 'a', B: 'bc' }));
  });
});
