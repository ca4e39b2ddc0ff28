// The task engine's pure parts: walk columns, side-write coalescing, parking bounds and the retry
// policy, the state after a batch.
import { describe, expect, it } from 'vitest';
import {
  coalesce,
  dueParked,
  freshState,
  MAX_PARK_MS,
  nextState,
  outcome,
  parkedOf,
  taskProblem,
  walkColumns,
  type SideWrite,
  type Task,
} from '@wxyc/backfill';

const task: Task = { name: 't', table: 'public.x', key: 'id', resolve: async () => [] };
const now = Date.parse('2026-12-07T00:00:00Z');

describe('walk columns', () => {
  it('puts the key after the order as the tiebreak, in the direction of the last order column', () => {
    expect(walkColumns({ key: 'id' })).toEqual([{ name: 'id', desc: false }]);
    expect(walkColumns({ key: 'id', order: [{ column: 'plays', desc: true }] })).toEqual([
      { name: 'plays', desc: true },
      { name: 'id', desc: true },
    ]);
    expect(walkColumns({ key: ['a', 'b'], order: [{ column: 'b' }] })).toEqual([
      { name: 'b', desc: false },
      { name: 'a', desc: false },
    ]);
  });

  it('refuses what cannot work, in one line', () => {
    expect(taskProblem({ ...task, key: 'Id; DROP' })).toBe(
      't: key and order columns are plain lower-case names ("Id; DROP" is not)',
    );
    expect(taskProblem({ ...task, limits: { ceilingShare: 0.5 } })).toMatch(/needs a denominator/);
    expect(taskProblem({ ...task, read: 'SELECT 1 AS id', pending: 'true' })).toMatch(
      /has its pending rows in the query/,
    );
    expect(taskProblem(task)).toBeNull();
  });
});

describe('side writes of a batch', () => {
  it('one statement per shape; upserts keep the last row per conflict key and count the rest', () => {
    const up = (artist: string, plays: number) => ({
      op: 'upsert' as const,
      table: 's',
      conflict: ['artist'],
      merge: 'no-churn' as const,
      rows: [{ artist, plays }],
    });
    const out = coalesce([up('a', 1), up('b', 2), up('a', 3), { op: 'insert', table: 'i', rows: [{ x: 1 }] }]);
    expect(out).toEqual([
      {
        w: {
          ...up('a', 1),
          rows: [
            { artist: 'a', plays: 3 },
            { artist: 'b', plays: 2 },
          ],
        },
        dropped: 1,
      },
      { w: { op: 'insert', table: 'i', rows: [{ x: 1 }] }, dropped: 0 },
    ]);
  });

  it('keeps the written order when a batch repoints or deletes (a group merge)', () => {
    const ws: SideWrite[] = [
      { op: 'update', table: 'p', set: { a: 1 }, where: { a: [2] } },
      { op: 'delete', table: 'b', where: { id: [2] } },
    ];
    expect(coalesce(ws).map((x) => x.w)).toEqual(ws);
  });
});

describe('parking', () => {
  it('bounds any retry-after: absurd, infinite or negative values never make an invalid or 2036 date', () => {
    for (const ms of [9_999_999_999_999 * 1000, Infinity, Number.NaN, 10 * 365 * 86_400_000]) {
      const p = parkedOf(task, ['5000000000'], 'LOOKP', 'HTTP 429', ms, 1, now);
      expect(Date.parse(p.retryAfter!) - now).toBe(MAX_PARK_MS);
    }
    expect(Date.parse(parkedOf(task, ['1'], 'X', 'm', -5, 1, now).retryAfter!)).toBe(now);
    expect(parkedOf(task, ['9007199254740993'], 'X', 'm', 0, 1, now).id).toBe('9007199254740993'); // above 2^53: kept as text
    expect(parkedOf(task, ['a', '2026-01-01'], 'X', 'm', 0, 1, now)).toMatchObject({
      id: '["a","2026-01-01"]',
      key: ['a', '2026-01-01'],
    });
  });

  it('retries by the policy (time passed, tries left), all with retryParked, due ones with "due"', () => {
    const s = freshState('t', 10, 0, [
      parkedOf(task, ['1'], 'X', 'm', 0, 1, now - 10),
      parkedOf(task, ['2'], 'X', 'm', 60_000, 1, now),
      parkedOf(task, ['3'], 'X', 'm', 0, 3, now - 10),
    ]);
    const policy = { ...task, retry: { afterMs: 0, maxAttempts: 3 } };
    expect(dueParked(task, s, false, now)).toEqual([]);
    expect(dueParked(policy, s, false, now)).toEqual([['1']]);
    expect(dueParked(task, s, 'due', now)).toEqual([['1'], ['3']]);
    expect(dueParked(task, s, true, now)).toEqual([['1'], ['2'], ['3']]);
  });
});

describe('state after a batch', () => {
  it('counts by label and table, moves the position, parks with tries, and settles listed keys', () => {
    const before = { ...freshState('t', 10, 0, [parkedOf(task, ['7'], 'X', 'old', 0, 1, now)]), position: ['3'] };
    const items = [
      { key: ['7'], version: null, outcome: outcome.park('still bad') },
      { key: ['8'], version: 'h', outcome: outcome.write({ a: 1 }, { label: 'resolved' }) },
      { key: ['9'], version: 'h', outcome: outcome.stamp('no_match') },
    ];
    const next = nextState(
      task,
      before,
      {
        items,
        applied: {
          done: items,
          missed: [['10']],
          failed: [],
          tables: { 'public.x': { inserted: 0, updated: 2, unchanged: 0, deleted: 0 } },
        },
        missed: [],
        position: null,
        settled: [['7'], ['8'], ['9']],
      },
      now,
    );
    expect(next).toMatchObject({
      position: ['3'],
      rowsProcessed: 3,
      rowsWritten: 1,
      outcomes: { parked: 1, resolved: 1, no_match: 1 },
      skipped: [10],
    });
    expect(next.parked).toEqual([expect.objectContaining({ id: 7, message: 'still bad', attempts: 2 })]);
    expect(next.tables).toEqual({ 'public.x': { inserted: 0, updated: 2, unchanged: 0, deleted: 0 } });
  });
});
