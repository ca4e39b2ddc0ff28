import { connectionLost } from '../policy.js';
import { saveState, type RunState, type TableCounts } from '../state.js';
import { stagedColumnsProblem } from '../sources/stage.js';
import type { Checkpoint, RecordSource, SourceBatch, SourceReader } from '../sources/source.js';
import { writeStaged, type StagedWrite } from '../sources/write.js';
import { begin, drive, type Budget, type Engine } from './pipeline.js';
import { withBatchRecovery, type BatchRecovery } from './recovery.js';
import { addCounts } from './side.js';
import type { Task } from './task.js';

/** How a source-fed task writes a batch: its records staged as the CTE `staged`, one statement. */
export interface StagedStep extends Omit<StagedWrite, 'name'> {
  /** The table `write` changes: its counts in the summary, its ANALYZE after the run. */
  table: string;
}

/**
 * A task fed by records from outside the walked table (MySQL, another PostgreSQL, a JSONL(.gz)
 * feed or file, a literal list) instead of a walked `table`/`key`: per batch the engine reads
 * `source` (nothing open on the database), then in one transaction writes `staged` and saves the
 * reader's checkpoint in the state row (backfill.runs.checkpoint); a rerun resumes there.
 */
export interface SourceTask extends Pick<Task, 'name' | 'guard' | 'analyze' | 'prepare' | 'pauseWhen'> {
  source: RecordSource;
  staged: StagedStep;
}

export const isSourceTask = (t: Task | SourceTask): t is SourceTask => 'source' in t && 'staged' in t;

/** The frame's view of a source task (name, guard, pauses, the table it writes): no walk, no resolve. */
export const sourceFrame = (t: SourceTask): Task => ({
  name: t.name,
  table: t.staged.table,
  key: t.staged.key,
  resolve: '',
  guard: t.guard,
  analyze: t.analyze,
  prepare: t.prepare,
  pauseWhen: t.pauseWhen,
});

const VERB = /^\s*(INSERT|UPDATE|DELETE)\b/i;

export function sourceTaskProblem(t: SourceTask): string | null {
  if (!t.name) return 'a task needs a name';
  if (!t.staged.table) return `${t.name}: staged.table names the table its write changes`;
  if (t.staged.key.length === 0)
    return `${t.name}: staged.key names the record fields that identify a record in an error line`;
  if (!VERB.test(t.staged.write))
    return `${t.name}: staged.write is one INSERT, UPDATE or DELETE reading the CTE staged`;
  const cols = stagedColumnsProblem(t.staged.columns);
  return cols ? `${t.name}: ${cols}` : null;
}

/** A batch's changes by the verb of the write: an INSERT's conflicts skipped (or met unchanged) count as unchanged; an upsert's updates count as inserted. */
export function stagedCounts(write: string, records: number, count: number): TableCounts {
  const verb = VERB.exec(write)![1]!.toUpperCase();
  const n = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
  if (verb === 'INSERT') return { ...n, inserted: count, unchanged: Math.max(0, records - count) };
  return verb === 'UPDATE' ? { ...n, updated: count } : { ...n, deleted: count };
}

/** The state after a source batch: pure; the checkpoint commits with the batch's writes. */
export function nextSourceState(s: RunState, table: string, b: SourceBatch, counts: TableCounts): RunState {
  const tables: Record<string, TableCounts> = JSON.parse(JSON.stringify(s.tables ?? {}));
  addCounts(tables, table, counts);
  const outcomes = { ...(s.outcomes ?? {}) };
  for (const [label, n] of [
    ['imported', counts.inserted + counts.updated + counts.deleted],
    ['unchanged', counts.unchanged],
  ] as const) {
    if (n > 0) outcomes[label] = (outcomes[label] ?? 0) + n;
  }
  return {
    ...s,
    status: 'running',
    checkpoint: b.checkpoint,
    batches: s.batches + 1,
    tables,
    outcomes,
    rowsProcessed: s.rowsProcessed + b.records.length,
    rowsWritten: s.rowsWritten + counts.inserted + counts.updated + counts.deleted,
  };
}

/** The reader, reopened at the committed checkpoint after a batch that did not commit. */
interface Reading {
  reader: SourceReader | null;
}

async function reopenReader(e: Engine, t: SourceTask, rd: Reading): Promise<SourceReader> {
  const old = rd.reader;
  rd.reader = null;
  await old?.close();
  rd.reader = await t.source.open((e.s.checkpoint ?? null) as Checkpoint, { signal: e.signal });
  return rd.reader;
}

/** One batch: records read (no transaction open), then one transaction: the staged write and the state with the checkpoint. */
async function sourceBatch(e: Engine, t: SourceTask, reader: SourceReader, limit: number): Promise<boolean> {
  const t0 = performance.now();
  const b = await reader.next(limit);
  if (b.records.length === 0 && JSON.stringify(b.checkpoint) === JSON.stringify(e.s.checkpoint ?? null)) return b.done;
  const c = e.session.c;
  await begin(e, c);
  try {
    const count = await writeStaged(c, { ...t.staged, name: t.name }, b.records);
    const counts = stagedCounts(t.staged.write, b.records.length, count);
    const next = nextSourceState(e.s, t.staged.table, b, counts);
    if (e.dryRun) {
      await c`ROLLBACK`;
      if (e.preview.length < 20)
        e.preview.push(
          `batch ${next.batches}: ${b.records.length} records; ${t.staged.table} +${counts.inserted} inserted, ${counts.updated} updated, ${counts.deleted} deleted, ${counts.unchanged} unchanged`,
        );
    } else {
      await saveState(c, next);
      await c`COMMIT`;
    }
    addCounts(e.runTables, t.staged.table, counts);
    e.runRows += b.records.length;
    e.s = next;
    e.ticker.tick(next, b.records.length);
    await e.onBatch?.({ batch: next.batches, rows: b.records.length, elapsedMs: performance.now() - t0 });
    return b.done;
  } catch (err) {
    if (connectionLost(err)) e.session.drop({ dead: true });
    else await e.session.rollback();
    throw err;
  }
}

/**
 * A source batch under the engine's recovery: before a retry the reader is reopened at the
 * committed checkpoint (after a lost connection, at the state reloaded as last committed). A
 * JobError (the source failed, a record was refused) ends the run with its one line.
 */
function resilientSourceBatch(e: Engine, t: SourceTask, rd: Reading, limit: number): Promise<boolean> {
  const how: BatchRecovery = { unit: 'records', minSize: 1, again: () => reopenReader(e, t, rd).then(() => {}) };
  return withBatchRecovery(e, how, async () =>
    sourceBatch(e, t, rd.reader ?? (await reopenReader(e, t, rd)), Math.min(limit, e.batchSize)),
  );
}

/** The walk of a source: open at the committed checkpoint, batches to its end (or the budget), close in any case. */
export async function walkSource(e: Engine, t: SourceTask, budget: Budget): Promise<void> {
  const rd: Reading = { reader: null };
  try {
    await reopenReader(e, t, rd);
    await drive(e, budget, async (limit) => !(await resilientSourceBatch(e, t, rd, limit)));
  } finally {
    await rd.reader
      ?.close()
      .catch((err: unknown) => e.log.warn(`source ${t.source.name}: closing failed: ${(err as Error).message}`));
  }
}
