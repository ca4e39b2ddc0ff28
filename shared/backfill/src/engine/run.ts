import { JobError, EXIT } from '@wxyc/job-runtime';
import { parkedGroups, type ParkedGroup } from '../parking.js';
import { freshState, loadState, saveState, type RunState, type TableCounts } from '../state.js';
import { analyzeChanged, checkOnce, runEngine, type Step, type TaskRunOptions } from './frame.js';
import { keyId, keySpec, type KeyText } from './keys.js';
import { dueParked, walk, type Engine } from './pipeline.js';
import { parkedKey } from './progress.js';
import { countAhead } from './read.js';
import { standingOf, standingRow } from './status.js';
import { isSourceTask, sourceFrame, sourceTaskProblem, walkSource, type SourceTask } from './source-step.js';
import { taskProblem, type Task } from './task.js';

export { markEnded, type TaskRunOptions } from './frame.js';

export interface TaskSummary {
  name: string;
  dryRun: boolean;
  interrupted: boolean;
  /** The run stopped at its budget; the next resumes at its position. */
  budgetReached: boolean;
  pendingAtStart: number;
  rowsProcessed: number;
  /** Rows written (write and remove outcomes; stamps are counted under their label). */
  rowsWritten: number;
  /** Rows by outcome label, all runs of this state (this run's, in a dry run). */
  outcomes: Record<string, number>;
  /** Changes by table, this run. */
  tables: Record<string, TableCounts>;
  rowsParked: number;
  parked: ParkedGroup[];
  /** Rows changed or locked by others between read and write, still so after the revisits. */
  skipped: KeyText[];
  pendingAtEnd: number | null;
  /** Tables ANALYZEd after the run. */
  analyzed: string[];
  requests: number;
  breakerPausedMs: number;
  pausedMs: number;
  batches: number;
  elapsedMs: number;
  position: string[] | null;
  cursor: number;
  /** Dry run: the first outcomes, one line each. */
  preview: string[];
  /** This run alone (the counts above add up all runs of the state): what run history records per tick. */
  thisRun: RunCounts;
}

export interface RunCounts {
  rows: number;
  written: number;
  /** Rows parked by this run (net of parked rows it retried). */
  parked: number;
  outcomes: Record<string, number>;
}

type Base = Pick<RunState, 'rowsProcessed' | 'rowsWritten' | 'parked' | 'outcomes'>;

function countsSince(base: Base, s: RunState): RunCounts {
  const outcomes: Record<string, number> = {};
  for (const [k, n] of Object.entries(s.outcomes ?? {})) {
    const d = n - (base.outcomes?.[k] ?? 0);
    if (d > 0) outcomes[k] = d;
  }
  return {
    rows: s.rowsProcessed - base.rowsProcessed,
    written: s.rowsWritten - base.rowsWritten,
    parked: Math.max(0, s.parked.length - base.parked.length),
    outcomes,
  };
}

function summarize(
  e: Engine,
  started: number,
  base: Base,
  x: { interrupted: boolean; budgetReached: boolean; pendingAtEnd: number | null; analyzed: string[] },
): TaskSummary {
  return {
    name: e.task.name,
    dryRun: e.dryRun,
    ...x,
    pendingAtStart: e.s.pendingAtStart,
    rowsProcessed: e.s.rowsProcessed,
    rowsWritten: e.s.rowsWritten,
    outcomes: e.s.outcomes ?? {},
    tables: e.runTables,
    rowsParked: e.s.parked.length,
    parked: parkedGroups(e.s.parked),
    skipped: e.revisit,
    requests: e.limiter.requests,
    breakerPausedMs: e.breaker.ms,
    pausedMs: e.gate.pause.totalMs,
    batches: e.s.batches,
    elapsedMs: Date.now() - started,
    position: e.s.position ?? null,
    cursor: e.s.cursor,
    preview: e.preview,
    thisRun: countsSince(base, e.s),
  };
}

/** The state to run from: resumed unless done (or reset), keeping parked rows across fresh walks. */
async function startState(e: Engine, o: TaskRunOptions, source: boolean): Promise<RunState> {
  const saved = o.reset ? null : await loadState(e.session.c, e.task.name);
  if (saved && saved.status !== 'done') {
    o.log.info(
      `resuming ${e.task.name} at ${saved.position ? keyId(saved.position) : 'the start'} (${saved.rowsProcessed} rows handled by earlier runs)`,
    );
    return { ...saved, status: 'running', position: saved.position ?? null };
  }
  // a source read to its end stays there: a rerun reads only what came after (--reset reads it again)
  return {
    ...freshState(e.task.name, o.batchSize, 0, saved?.parked ?? []),
    checkpoint: source ? (saved?.checkpoint ?? null) : null,
  };
}

/** A task walking its table (or read query): due parked rows, the keyset, the revisits. */
function walkedStep(task: Task, o: TaskRunOptions): Step {
  let due: KeyText[] = [];
  return {
    task,
    spec: (c) => keySpec(c, task),
    async start(e) {
      e.s = await startState(e, o, false);
      due = dueParked(task, e.s, o.retryParked ?? false, Date.now());
      const dueIds = new Set(due.map(keyId));
      e.held = e.s.parked.map(parkedKey).filter((k) => !dueIds.has(keyId(k)));
      const ahead = await countAhead(e.session.c, task, e.spec, e.s.position ?? null, e.held);
      e.s.pendingAtStart = e.s.rowsProcessed + ahead + due.length;
      await checkOnce(e.session.c, task, e.s.pendingAtStart);
      o.log.info(
        `${task.name}: ${ahead} pending rows ahead${due.length ? `, ${due.length} parked due for a retry` : ''}; batch ${e.batchSize} rows${e.dryRun ? ' (dry run: each batch rolled back, nothing saved)' : ''}`,
      );
    },
    walk: (e, budget) => walk(e, due, budget, o.maxRevisits ?? 5),
    async end(e) {
      if (e.dryRun) return { analyzed: await analyzeChanged(e), pendingAtEnd: null };
      // counted with the definition and kept in the state row: ops:status shows them (it has no definition)
      const standing = await standingOf(o.sql, task, e.spec, e.s.parked.map(parkedKey));
      e.s = { ...e.s, standing: standingRow(standing, e.s.parked.length) };
      await saveState(e.session.alive ? e.session.c : o.sql, e.s);
      return { analyzed: await analyzeChanged(e), pendingAtEnd: standing.ahead };
    },
  };
}

/** A task fed by a record source: its checkpoint instead of a position, no count ahead (unknown until read). */
function sourceStep(source: SourceTask, o: TaskRunOptions): Step {
  const task = sourceFrame(source);
  return {
    task,
    async start(e) {
      e.s = await startState(e, o, true);
      e.s.pendingAtStart = e.s.rowsProcessed;
      await checkOnce(e.session.c, task, e.s.pendingAtStart);
      o.log.info(
        `${task.name}: reading ${source.source.name} from ${(e.s.checkpoint ?? null) === null ? 'the beginning' : `checkpoint ${JSON.stringify(e.s.checkpoint)}`}; batch ${e.batchSize} records${e.dryRun ? ' (dry run: each batch rolled back, nothing saved)' : ''}`,
      );
    },
    walk: (e, budget) => walkSource(e, source, budget),
    async end(e) {
      return { analyzed: await analyzeChanged(e), pendingAtEnd: null };
    },
  };
}

/**
 * Runs a task: one session holding its advisory lock; the guard and limits once; then batches
 * (read, resolve, one transaction writing the plan and the position) to the end or the budget;
 * ANALYZE of what changed; a summary with counts per outcome and table.
 */
export async function runTask(input: Task | SourceTask, o: TaskRunOptions): Promise<TaskSummary> {
  const started = Date.now();
  const source = isSourceTask(input) ? input : null;
  const problem = source ? sourceTaskProblem(source) : taskProblem(input as Task);
  if (problem) throw new JobError(problem, EXIT.FAILED);
  const r = await runEngine(source ? sourceStep(source, o) : walkedStep(input as Task, o), o);
  return summarize(r.e, started, r.base, r);
}
