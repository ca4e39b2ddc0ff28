import type { Sql } from 'postgres';
import { JobError, EXIT, type Logger } from '@wxyc/job-runtime';
import { replicaLagMs } from '../backoff.js';
import { ApiLimiter, DEFAULT_LIMITER } from '../limiter.js';
import { EXIT_LIMITS, limitProblem } from '../limits.js';
import { parkedGroups, type ParkedGroup } from '../parking.js';
import { BatchSession } from '../session.js';
import {
  deleteState,
  ensureStateTable,
  freshState,
  loadState,
  saveState,
  type RunState,
  type RunStatus,
  type TableCounts,
} from '../state.js';
import { ProgressTicker } from '../ticker.js';
import type { PauseCapAction } from '../walk.js';
import { Catalog } from './catalog.js';
import { keyId, keySpec, type KeyText } from './keys.js';
import { dueParked, going, walk, type Budget, type Engine } from './pipeline.js';
import { parkedKey } from './progress.js';
import { countAhead } from './read.js';
import { standingOf, standingRow } from './status.js';
import { isSourceTask, NO_KEYS, sourceFrame, sourceTaskProblem, walkSource, type SourceTask } from './source-step.js';
import { taskProblem, type Task } from './task.js';

export interface TaskRunOptions {
  /** A pool with room for one reserved connection (the lock holder, which reads and writes) and the pause checks. */
  sql: Sql;
  log: Logger;
  signal?: AbortSignal;
  /** Rows read (and resolved) per batch. */
  batchSize: number;
  /** Per-run budget (cron ticks): stop after this many rows handled, or this long; the next run resumes at the position. */
  maxRows?: number;
  maxMs?: number;
  /** Resolve and plan every batch, roll each back: counts per outcome and table, a preview; nothing written, no state. */
  dryRun?: boolean;
  reset?: boolean;
  /** Retry every parked row now, whatever its time and tries (`'due'`: those whose retry time passed). */
  retryParked?: boolean | 'due';
  /** More parked rows than this stops the run with exit 1 (default 1000). */
  maxParked?: number;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  lockWaitMs?: number;
  backoffMs?: number;
  maxReconnects?: number;
  maxAttempts?: number;
  maxRevisits?: number;
  maxBreakerPauseMs?: number;
  maxPauseMs?: number;
  onPauseCap?: PauseCapAction;
  maxReplicaLagMs?: number;
  replicaLag?: (sql: Sql) => Promise<number>;
  onBatch?: (b: { batch: number; rows: number; elapsedMs: number }) => unknown;
}

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

function engineOf(task: Task, o: TaskRunOptions, session: BatchSession, spec: Engine['spec'], s: RunState): Engine {
  const signal = o.signal ?? new AbortController().signal;
  const backoffMs = o.backoffMs ?? 1_000;
  return {
    task,
    spec,
    cat: new Catalog(o.sql),
    sql: o.sql,
    log: o.log,
    signal,
    session,
    limiter: new ApiLimiter({ ...DEFAULT_LIMITER, ...task.limiter }, signal),
    ticker: new ProgressTicker(o.log),
    gate: {
      sql: o.sql,
      log: o.log,
      signal,
      backoffMs,
      maxReplicaLagMs: o.maxReplicaLagMs ?? 5_000,
      replicaLag: o.replicaLag ?? replicaLagMs,
      pause: {
        totalMs: 0,
        maxMs: o.maxPauseMs ?? Infinity,
        onCap: o.onPauseCap ?? 'continue',
        capReached: false,
        stopped: false,
      },
      def: task,
      session,
    },
    s,
    dryRun: !!o.dryRun,
    batchSize: Math.max(1, o.batchSize),
    statementTimeoutMs: o.statementTimeoutMs ?? 60_000,
    lockTimeoutMs: o.lockTimeoutMs ?? 2_000,
    backoffMs,
    maxReconnects: o.maxReconnects ?? 8,
    maxAttempts: o.maxAttempts ?? 8,
    maxParked: o.maxParked ?? 1_000,
    revisit: [],
    held: [],
    breaker: { ms: 0, maxMs: o.maxBreakerPauseMs ?? 300_000, stopped: false },
    runRows: 0,
    runTables: {},
    preview: [],
    onBatch: o.onBatch,
  };
}

/** Guard and limits, once per run, before anything is written: a reason refuses the run with exit 12. */
async function checkOnce(e: Engine, sql: Sql): Promise<void> {
  const reason = await e.task.guard?.(sql);
  if (reason) throw new JobError(`${e.task.name}: refusing: ${reason}`, EXIT_LIMITS);
  const l = e.task.limits;
  if (!l) return;
  const denom = l.denominator
    ? Number((await sql.unsafe<{ n: string }[]>(`SELECT (${l.denominator})::bigint AS n`))[0]!.n)
    : 0;
  const problem = limitProblem(
    e.task.name,
    l,
    e.s.pendingAtStart,
    denom,
    l.denominator ? 'the declared denominator' : undefined,
  );
  if (problem) throw new JobError(problem, EXIT_LIMITS);
}

/** ANALYZE each table this run changed (the station's rule after a bulk write), unless the task opts out. */
async function analyzeChanged(e: Engine): Promise<string[]> {
  if (e.task.analyze === false || e.dryRun) return [];
  const changed = Object.entries(e.runTables)
    .filter(([, n]) => n.inserted + n.updated + n.deleted > 0)
    .map(([t]) => t);
  for (const t of changed) {
    await e.sql`ANALYZE ${e.sql.unsafe(t)}`;
    const n = e.runTables[t]!;
    e.log.info(`ANALYZE ${t}: this run inserted ${n.inserted}, updated ${n.updated}, deleted ${n.deleted} rows`);
  }
  return changed;
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

/** The end of a run that threw, on the pool (the session may be what died): the committed state, never older than seen. */
export async function markEnded(sql: Sql, s: RunState, status: RunStatus): Promise<RunState> {
  try {
    const saved = await loadState(sql, s.name);
    const newer = saved && +saved.startedAt === +s.startedAt && saved.batches > s.batches;
    const ended = { ...(newer ? saved : s), status };
    await saveState(sql, ended);
    return ended;
  } catch {
    return s;
  }
}

/** The state to run from: resumed unless done (or reset), keeping parked rows across fresh walks. */
async function startState(e: Engine, o: TaskRunOptions, source: boolean): Promise<RunState> {
  if (o.reset && !e.dryRun) {
    await deleteState(e.session.c, e.task.name);
    o.log.info(`--reset: forgot the saved position of ${e.task.name}; starting over`);
  }
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

/**
 * Runs a task: one session holding its advisory lock; the guard and limits once; then batches
 * (read, resolve, one transaction writing the plan and the position) to the end or the budget;
 * ANALYZE of what changed; a summary with counts per outcome and table.
 */
export async function runTask(input: Task | SourceTask, o: TaskRunOptions): Promise<TaskSummary> {
  const started = Date.now();
  const source = isSourceTask(input) ? input : null;
  const task = source ? sourceFrame(source) : (input as Task);
  const problem = source ? sourceTaskProblem(source) : taskProblem(task);
  if (problem) throw new JobError(problem, EXIT.FAILED);
  if (!o.dryRun) await ensureStateTable(o.sql);
  const session = new BatchSession(o.sql, task.name, o.log, {
    lockWaitMs: o.lockWaitMs ?? 5_000,
    statementTimeoutMs: o.statementTimeoutMs ?? 60_000,
    prepare: task.prepare,
  });
  await session.open();
  let e: Engine | null = null;
  let base: Base = freshState(task.name, o.batchSize, 0);
  try {
    e = engineOf(
      task,
      o,
      session,
      source ? NO_KEYS : await keySpec(session.c, task),
      freshState(task.name, o.batchSize, 0),
    );
    e.s = await startState(e, o, !!source);
    base = { ...e.s, outcomes: { ...e.s.outcomes } };
    const due = source ? [] : dueParked(task, e.s, o.retryParked ?? false, Date.now());
    const dueIds = new Set(due.map(keyId));
    e.held = e.s.parked.map(parkedKey).filter((k) => !dueIds.has(keyId(k)));
    // a source's records ahead are unknown until read
    const ahead = source ? 0 : await countAhead(session.c, task, e.spec, e.s.position ?? null, e.held);
    e.s.pendingAtStart = e.s.rowsProcessed + ahead + due.length;
    await checkOnce(e, session.c);
    if (source)
      o.log.info(
        `${task.name}: reading ${source.source.name} from ${(e.s.checkpoint ?? null) === null ? 'the beginning' : `checkpoint ${JSON.stringify(e.s.checkpoint)}`}; batch ${e.batchSize} records${e.dryRun ? ' (dry run: each batch rolled back, nothing saved)' : ''}`,
      );
    else
      o.log.info(
        `${task.name}: ${ahead} pending rows ahead${due.length ? `, ${due.length} parked due for a retry` : ''}; batch ${e.batchSize} rows${e.dryRun ? ' (dry run: each batch rolled back, nothing saved)' : ''}`,
      );
    const budget: Budget = { maxRows: o.maxRows, maxMs: o.maxMs, startedAt: started, reached: false };
    if (source) await walkSource(e, source, budget);
    else await walk(e, due, budget, o.maxRevisits ?? 5);
    const interrupted = !going(e);
    // counted with the definition and kept in the state row: ops:status shows them (it has no definition)
    const end =
      interrupted || e.dryRun || source ? null : await standingOf(o.sql, task, e.spec, e.s.parked.map(parkedKey));
    e.s = {
      ...e.s,
      status: interrupted ? 'interrupted' : budget.reached ? 'budget' : 'done',
      ...(end && { standing: standingRow(end, e.s.parked.length) }),
    };
    if (!e.dryRun) await saveState(session.alive ? session.c : o.sql, e.s);
    const analyzed = interrupted ? [] : await analyzeChanged(e);
    const pendingAtEnd = end?.ahead ?? null;
    if (e.dryRun) for (const line of e.preview) o.log.info(`dry run: ${line}`);
    return summarize(e, started, base, { interrupted, budgetReached: budget.reached, pendingAtEnd, analyzed });
  } catch (err) {
    if (!e) throw err;
    if (!e.dryRun) e.s = await markEnded(o.sql, e.s, o.signal?.aborted ? 'interrupted' : 'failed');
    if (o.signal?.aborted)
      return summarize(e, started, base, { interrupted: true, budgetReached: false, pendingAtEnd: null, analyzed: [] });
    throw err;
  } finally {
    await session.close();
  }
}
