// A source-fed task's pure parts: what it must declare, its counts by the write's verb, and the
// state (with the checkpoint) that commits with a batch.
import { describe, expect, it } from 'vitest';
import {
  freshState,
  literalSource,
  nextSourceState,
  sourceTaskProblem,
  stagedCounts,
  type SourceTask,
} from '@wxyc/backfill';

const task = (staged: Partial<SourceTask['staged']> = {}): SourceTask => ({
  name: 'imp',
  source: literalSource('l', []),
  staged: {
    table: 'plays',
    columns: [{ name: 'id', type: 'int' }],
    key: ['id'],
    write: 'INSERT INTO plays SELECT id FROM staged',
    ...staged,
  },
});

describe('a source task', () => {
  it('needs a table, a record key, one INSERT/UPDATE/DELETE and valid staged columns', () => {
    expect(sourceTaskProblem(task())).toBeNull();
    expect(sourceTaskProblem(task({ table: '' }))).toBe('imp: staged.table names the table its write changes');
    expect(sourceTaskProblem(task({ key: [] }))).toMatch(/^imp: staged.key names the record fields/);
    expect(sourceTaskProblem(task({ write: 'SELECT 1' }))).toBe(
      'imp: staged.write is one INSERT, UPDATE or DELETE reading the CTE staged',
    );
    expect(sourceTaskProblem(task({ write: '  update plays SET x = 1 FROM staged' }))).toBeNull();
    expect(sourceTaskProblem(task({ columns: [] }))).toMatch(/^imp: /);
  });

  it('counts a batch by the verb of its write', () => {
    expect(stagedCounts('INSERT INTO t SELECT * FROM staged ON CONFLICT DO NOTHING', 100, 60)).toEqual({
      inserted: 60,
      updated: 0,
      unchanged: 40,
      deleted: 0,
    });
    expect(stagedCounts(' UPDATE t SET a = s.a FROM staged s', 100, 7)).toEqual({
      inserted: 0,
      updated: 7,
      unchanged: 0,
      deleted: 0,
    });
    expect(stagedCounts('delete FROM t USING staged s', 5, 5)).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 0,
      deleted: 5,
    });
  });

  it('the state after a batch carries its checkpoint and adds its counts to the earlier runs', () => {
    const s0 = {
      ...freshState('imp', 100, 0),
      rowsProcessed: 200,
      batches: 2,
      checkpoint: { offset: 200 },
      tables: { plays: { inserted: 190, updated: 0, unchanged: 10, deleted: 0 } },
      outcomes: { imported: 190, unchanged: 10 },
    };
    const s1 = nextSourceState(
      s0,
      'plays',
      { records: [{ id: 1 }, { id: 2 }, { id: 3 }], checkpoint: { offset: 203 }, done: true },
      stagedCounts('INSERT', 3, 2),
    );
    expect(s1).toMatchObject({
      checkpoint: { offset: 203 },
      batches: 3,
      rowsProcessed: 203,
      rowsWritten: 2,
      status: 'running',
      outcomes: { imported: 192, unchanged: 11 },
    });
    expect(s1.tables).toEqual({ plays: { inserted: 192, updated: 0, unchanged: 11, deleted: 0 } });
    expect(s0.tables.plays.inserted).toBe(190);
  });
});
