import type { ReservedSql, Sql } from 'postgres';
import { JobError, type Logger } from '@wxyc/job-runtime';
import { replicaLagMs } from '../backoff.js';
import { ApiLimiter, DEFAULT_LIMITER } from '../limiter.js';
import { EXIT_LIMITS, limitProblem } from '../limits.js';
import { BatchSession } from '../session.js';
import {
  deleteState,
  ensureStateTable,
  freshState,
  loadState,
  saveState,
  type RunState,
  type RunStatus,
} from '../state.js';
import { ProgressTicker } from '../ticker.js';
import { Catalog } from './catalog.js';
import type { KeySpec } from './keys.js';
import type { PauseCapAction } from './pauses.js';
import { going, type Budget, type Engine } from './pipeline.js';
import type { Task } from './task.js';

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

/**
 * What differs between the kinds of work on the one pipeline (walked rows, a record source, the
 * SQL walk's key ranges); the frame around them (session and lock, reset, budget, end state,
 * failure, shutdown) is the same for all.
 */
export interface Step {
  /** The frame's view: name (state row, lock), table, prepare, pauseWhen, guard, limits. */
  task: Task;
  /** The walk's key columns and types, once the session is open (none: a source, or the SQL walk's integer key). */
  spec?(c: ReservedSql): Promise<KeySpec>;
  /** The state to run from (resumed or fresh), what is ahead counted, the guard and limits checked, the start line said. */
  start(e: Engine, o: TaskRunOptions): Promise<void>;
  /** The batches: to the end, the budget, or a stop. */
  walk(e: Engine, budget: Budget): Promise<void>;
  /** After a run that was not interrupted, its state saved: ANALYZE and the final count. */
  end(e: Engine): Promise<{ analyzed: string[]; pendingAtEnd: number | null }>;
}

/** How a run went: the engine as it ended, its state before the walk (for this run's counts), the end. */
export interface Ran {
  e: Engine;
  base: RunState;
  interrupted: boolean;
  budgetReached: boolean;
  analyzed: string[];
  pendingAtEnd: number | null;
}

/** A walk with no keys of its own (a source; the SQL walk keeps its integer cursor in the state). */
export const NO_KEYS: KeySpec = { cols: [], keyAt: [] };

function engineOf(task: Task, o: TaskRunOptions, session: BatchSession, spec: KeySpec, s: RunState): Engine {
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
    waiters: [],
    current: null,
    onBatch: o.onBatch,
  };
}

/**
 * The guard and the limits, once per run before anything is written: a reason refuses the run
 * (exit 12). `candidates` against the declared denominator, else (a share without one) the table.
 */
export async function checkOnce(sql: Sql, task: Task, candidates: number): Promise<void> {
  const reason = await task.guard?.(sql);
  if (reason) throw new JobError(`${task.name}: refusing: ${reason}`, EXIT_LIMITS);
  const l = task.limits;
  if (!l) return;
  const count = async (q: string) => Number((await sql.unsafe<{ n: string }[]>(`SELECT (${q})::bigint AS n`))[0]!.n);
  const denom = l.denominator
    ? await count(l.denominator)
    : l.ceilingShare !== undefined
      ? await count(`SELECT count(*) FROM ${task.table}`)
      : 0;
  const problem = limitProblem(task.name, l, candidates, denom, l.denominator ? 'the declared denominator' : undefined);
  if (problem) throw new JobError(problem, EXIT_LIMITS);
}

/** ANALYZE each table this run changed (the station's rule after a bulk write), unless the task opts out. */
export async function analyzeChanged(e: Engine): Promise<string[]> {
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

/** The walk to its end, then its state saved and the step's end (ANALYZE, final count) unless interrupted. */
async function walkToEnd(step: Step, e: Engine, budget: Budget): Promise<Omit<Ran, 'e' | 'base'>> {
  await step.walk(e, budget);
  const interrupted = !going(e);
  e.s = { ...e.s, status: interrupted ? 'interrupted' : budget.reached ? 'budget' : 'done' };
  if (!e.dryRun) await saveState(e.session.alive ? e.session.c : e.sql, e.s);
  const end = interrupted ? { analyzed: [], pendingAtEnd: null } : await step.end(e);
  if (e.dryRun) for (const line of e.preview) e.log.info(`dry run: ${line}`);
  return { interrupted, budgetReached: budget.reached, ...end };
}

/**
 * The one pipeline's frame: a session holding the work's advisory lock (prepared, reopened after a
 * loss), --reset under it, the step's start (state, counts, checks), its batches under the run's
 * budget, the end state saved; on a failure the state as last committed marked failed (or
 * interrupted on a shutdown, which returns). A statement still running 3 s after the shutdown
 * signal is cancelled (it rolls back): the operator was promised an exit within seconds.
 */
export async function runEngine(step: Step, o: TaskRunOptions): Promise<Ran> {
  const started = Date.now();
  const { task } = step;
  if (!o.dryRun) await ensureStateTable(o.sql);
  const session = new BatchSession(o.sql, task.name, o.log, {
    lockWaitMs: o.lockWaitMs ?? 5_000,
    statementTimeoutMs: o.statementTimeoutMs ?? 60_000,
    prepare: task.prepare,
  });
  await session.open();
  let e: Engine | null = null;
  // until the step's start replaces it, the state is this placeholder: a failure then leaves the saved state alone
  const placeholder = freshState(task.name, o.batchSize, 0);
  let base = placeholder;
  let cancelTimer: NodeJS.Timeout | undefined;
  const onAbort = () => (cancelTimer = setTimeout(() => e?.current?.cancel(), 3_000).unref());
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    e = engineOf(task, o, session, step.spec ? await step.spec(session.c) : NO_KEYS, base);
    if (o.reset && !e.dryRun) {
      await deleteState(session.c, task.name);
      o.log.info(`--reset: forgot the saved position of ${task.name}; starting over`);
    }
    await step.start(e, o);
    base = { ...e.s, outcomes: { ...e.s.outcomes } };
    const budget: Budget = { maxRows: o.maxRows, maxMs: o.maxMs, startedAt: started, reached: false };
    return { e, base, ...(await walkToEnd(step, e, budget)) };
  } catch (err) {
    if (!e) throw err;
    if (!e.dryRun && e.s !== placeholder)
      e.s = await markEnded(o.sql, e.s, o.signal?.aborted ? 'interrupted' : 'failed');
    if (o.signal?.aborted)
      return { e, base, interrupted: true, budgetReached: false, analyzed: [], pendingAtEnd: null };
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    clearTimeout(cancelTimer);
    await session.close();
  }
}
