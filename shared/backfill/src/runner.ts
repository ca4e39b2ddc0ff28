import type { Sql } from 'postgres';
import { JobError, EXIT, type Logger } from '@wxyc/job-runtime';
import { definitionProblem, isDestructive, type BackfillDefinition } from './definition.js';
import { DEFAULT_ANALYZE_SHARE } from './finish.js';
import type { UnresolvedGroup, WritePlan } from './batch-sql.js';
import { columnTypes } from './columns.js';
import { checkOnce, runEngine, type TaskRunOptions } from './engine/frame.js';
import type { PauseCapAction } from './engine/pauses.js';
import { countPending, maxKeyOf, sqlFrame, sqlStartState, sqlStep, type BatchReport } from './engine/sql-step.js';
import { parkedGroups, type ParkedGroup } from './parking.js';
import { initialBatchSize } from './sizing.js';
import type { RunState } from './state.js';

export type { BatchReport } from './engine/sql-step.js';

export interface RunOptions {
  /** A pool with room for two connections: one reserved for the batches, one to watch. */
  sql: Sql;
  log: Logger;
  signal?: AbortSignal;
  /** Initial batch size (keys per batch), clamped into [MIN_BATCH_SIZE, MAX_BATCH_SIZE] (with a warning); adapted toward targetMs afterwards. */
  batchSize: number;
  targetMs: number;
  /** Sleep between batches. */
  pauseMs?: number;
  maxReplicaLagMs?: number;
  dryRun?: boolean;
  /** Forget the saved position (and the parked rows) and start over; only once this run holds the lock. */
  reset?: boolean;
  /** Delete and insert definitions only write with this set; without it they run as a dry run. */
  execute?: boolean;
  /** ANALYZE the table after a run that changed more than this share of its rows (default 0: any change). */
  analyzeShare?: number;
  /** Cumulative pause time after which the run does `onPauseCap` (default: no cap). */
  maxPauseMs?: number;
  /** `stop`: end the run resumably (as interrupted); `continue` (default): stop consulting the definition's pauseWhen. */
  onPauseCap?: PauseCapAction;
  /** Retry the rows parked by earlier runs (before the walk). */
  retryParked?: boolean;
  /** Values (by column) written to rows that cannot be resolved instead of leaving them pending. */
  fallback?: Readonly<Record<string, unknown>> | null;
  /** Per-batch statement_timeout; a batch that hits it is retried at half the size. */
  statementTimeoutMs?: number;
  /** Per-batch lock_timeout: the longest the backfill waits for a lock. */
  lockTimeoutMs?: number;
  /** How long to wait for another run's lock (a killed run's session ends within seconds) before refusing. */
  lockWaitMs?: number;
  /** How long to pause when the back-off check fires, before checking again. */
  backoffMs?: number;
  /** Consecutive failed attempts of one batch (timeouts at the minimum size, lock timeouts) before giving up. */
  maxAttempts?: number;
  /** Lost batch connections in a row (no batch committed between) before the run stops with exit 3 (default 8). */
  maxReconnects?: number;
  /** More parked rows than this in one run's state stops it: the definition, not the data, is likely wrong. */
  maxParked?: number;
  /** Seen after each committed batch (benchmarks, tests); awaited before the next batch. */
  onBatch?: (b: BatchReport) => unknown;
  /** Replica lag probe; defaults to pg_stat_replication. */
  replicaLag?: (sql: Sql) => Promise<number>;
}

export interface RunSummary {
  name: string;
  dryRun: boolean;
  interrupted: boolean;
  /** Pending rows when this run started (dry run: what a run would handle). */
  pendingAtStart: number;
  rowsProcessed: number;
  rowsWritten: number;
  rowsFallback: number;
  rowsUnresolved: number;
  unresolved: UnresolvedGroup[];
  /** Rows whose write failed on a data error, by error: left pending until --retry-parked. */
  rowsParked: number;
  parked: ParkedGroup[];
  /** Rows still held by another session after the last revisit: left pending. */
  stillLocked: number[];
  /** Rows the pending predicate matches after the run (null for a dry or interrupted run). */
  pendingAtEnd: number | null;
  /** Whether the run refreshed the table's statistics. */
  analyzed: boolean;
  cursor: number;
  batches: number;
  elapsedMs: number;
}

interface Ending {
  interrupted: boolean;
  stillLocked?: number[];
  pendingAtEnd?: number | null;
  analyzed?: boolean;
  dryRun?: boolean;
}

function summarize(def: BackfillDefinition, state: RunState, o: RunOptions, started: number, e: Ending): RunSummary {
  return {
    name: def.name,
    dryRun: e.dryRun ?? !!o.dryRun,
    interrupted: e.interrupted,
    pendingAtStart: state.pendingAtStart,
    rowsProcessed: state.rowsProcessed,
    rowsWritten: state.rowsWritten,
    rowsFallback: state.rowsFallback,
    rowsUnresolved: state.rowsUnresolved,
    unresolved: state.unresolved,
    rowsParked: state.parked.length,
    parked: parkedGroups(state.parked),
    stillLocked: e.stillLocked ?? [],
    pendingAtEnd: e.pendingAtEnd ?? null,
    analyzed: e.analyzed ?? false,
    cursor: state.cursor,
    batches: state.batches,
    elapsedMs: Date.now() - started,
  };
}

/** The requested first batch size within the bounds, saying so when it was not. */
function firstBatchSize(o: RunOptions): number {
  const size = initialBatchSize(o.batchSize);
  if (size !== o.batchSize) o.log.warn(`batch size ${o.batchSize} is outside [100, 100000]; using ${size}`);
  return size;
}

/** The engine's options for a SQL walk: the runner's defaults (statement_timeout from the target, lock waits, parking). */
function engineOptions(o: RunOptions, batchSize: number): TaskRunOptions {
  return {
    sql: o.sql,
    log: o.log,
    signal: o.signal,
    batchSize,
    reset: o.reset,
    statementTimeoutMs: o.statementTimeoutMs ?? Math.max(5_000, o.targetMs * 10),
    lockTimeoutMs: o.lockTimeoutMs ?? 2_000,
    lockWaitMs: o.lockWaitMs ?? 5_000,
    backoffMs: o.backoffMs ?? 1_000,
    maxAttempts: o.maxAttempts ?? 8,
    maxReconnects: o.maxReconnects,
    maxParked: o.maxParked ?? 1_000,
    maxPauseMs: o.maxPauseMs,
    onPauseCap: o.onPauseCap,
    maxReplicaLagMs: o.maxReplicaLagMs,
    replicaLag: o.replicaLag,
  };
}

/**
 * Runs a backfill to the end as a step of the one engine (engine/sql-step.ts): takes the
 * backfill's lock on its own session, walks the key in order (one transaction per batch, cursor
 * saved in it, sized toward targetMs, pausing when others wait on it or a replica lags), then
 * revisits rows that were locked by others. Returns when done, or when `signal` aborts (the batch
 * in flight commits or rolls back first). Delete and insert without `execute`, and every dry run,
 * only count and plan.
 */
export async function runBackfill(def: BackfillDefinition, o: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const problem = definitionProblem(def);
  if (problem) throw new JobError(problem, EXIT.FAILED);
  const batchSize = firstBatchSize(o);
  const target = def.mode === 'insert' ? def.into! : def.table;
  const plan: WritePlan = { columns: await columnTypes(o.sql, target, def.columns), fallback: o.fallback ?? null };
  if (o.dryRun || (isDestructive(def) && !o.execute)) return dryRun(def, o, batchSize, started);
  const step = sqlStep(def, {
    plan,
    targetMs: o.targetMs,
    pauseMs: o.pauseMs ?? 0,
    analyzeShare: o.analyzeShare ?? DEFAULT_ANALYZE_SHARE,
    retryParked: !!o.retryParked,
    onBatch: o.onBatch,
  });
  const r = await runEngine(step, engineOptions(o, batchSize));
  return summarize(def, r.e.s, o, started, {
    interrupted: r.interrupted,
    ...(r.interrupted
      ? {}
      : { stillLocked: r.e.s.skipped, pendingAtEnd: r.pendingAtEnd, analyzed: r.analyzed.length > 0 }),
  });
}

/** Counts and plans on a prepared connection of its own, without the lock: nothing written, no state table. */
async function dryRun(def: BackfillDefinition, o: RunOptions, batchSize: number, started: number): Promise<RunSummary> {
  const quiet = { ...engineOptions(o, batchSize), log: { ...o.log, info: () => {} } };
  const state = await sqlStartState(o.sql, def, quiet);
  // a connection of its own, prepared as the batch session would be, and reset before it goes back
  const conn = await o.sql.reserve();
  try {
    await def.prepare?.(conn);
    const remaining = await countPending(conn, def, state);
    await checkOnce(conn, sqlFrame(def), remaining);
    const end = await maxKeyOf(o.sql, def)();
    const batchesEst = Math.ceil(Math.max(0, end - state.cursor) / state.batchSize);
    o.log.info(
      `dry run: ${remaining} pending rows in ${def.table} with ${def.key} in (${state.cursor}, ${end}]; ` +
        `first batch ${state.batchSize} keys, about ${batchesEst} batches at that size (sized toward ${o.targetMs} ms each); nothing written` +
        (isDestructive(def) && !o.dryRun ? ` (mode ${def.mode}: add --execute to ${def.mode} them)` : ''),
    );
    return summarize(def, state, o, started, { interrupted: false, dryRun: true });
  } finally {
    try {
      // not DISCARD ALL: that would drop the statements postgres-js has prepared on this connection
      await conn`DISCARD TEMP`;
      await conn`RESET ALL`;
      conn.release();
    } catch {
      // dead: never released (see BatchSession.drop)
    }
  }
}
