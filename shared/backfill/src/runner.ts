import type { Sql } from 'postgres';
import { JobError, EXIT, type Logger } from '@wxyc/job-runtime';
import { definitionProblem, isDestructive, type BackfillDefinition } from './definition.js';
import { analyzeIfChanged, DEFAULT_ANALYZE_SHARE, pendingNow } from './finish.js';
import { EXIT_LIMITS, limitProblem } from './limits.js';
import type { UnresolvedGroup, WritePlan } from './batch-sql.js';
import { replicaLagMs } from './backoff.js';
import { columnTypes } from './columns.js';
import { parkedGroups, type ParkedGroup } from './parking.js';
import { BatchSession } from './session.js';
import { initialBatchSize } from './sizing.js';
import { deleteState, ensureStateTable, freshState, loadState, saveState, type RunState } from './state.js';
import { ProgressTicker } from './ticker.js';
import { walkListed, walkRanges, type BatchReport, type PauseCapAction, type WalkContext } from './walk.js';

export type { BatchReport } from './walk.js';

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
  /** Consecutive failed attempts of one batch (timeouts at the minimum size, lock timeouts, reconnects) before giving up. */
  maxAttempts?: number;
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

/** The state to walk from: a resumed one, or a fresh walk from below the smallest key (ids <= 0 included). */
async function startState(sql: Sql, def: BackfillDefinition, o: RunOptions, batchSize: number): Promise<RunState> {
  const saved = o.reset ? null : await loadState(sql, def.name);
  if (saved && saved.status !== 'done') {
    o.log.info(
      `resuming ${def.name} after key ${saved.cursor} (${saved.rowsProcessed} rows processed by earlier runs)`,
    );
    return { ...saved, status: 'running', batchSize };
  }
  if (saved) o.log.info(`${def.name} finished before; walking the table again for rows that are pending now`);
  const [row] = await sql<
    { m: string | null }[]
  >`SELECT (min(${sql.unsafe(def.key)}) - 1)::bigint AS m FROM ${sql.unsafe(def.table)}`;
  return freshState(def.name, batchSize, Number(row!.m ?? 0), saved?.parked ?? []);
}

/** The largest key now, read on the pool (the walk reads it again at its end). */
const maxKeyOf = (sql: Sql, def: BackfillDefinition) => async () =>
  Number(
    (
      await sql<{ m: string | null }[]>`SELECT max(${sql.unsafe(def.key)})::bigint AS m FROM ${sql.unsafe(def.table)}`
    )[0]!.m ?? 0,
  );

/** Counts what is pending beyond the cursor (the one count of the run), on `conn`, where prepare() ran. */
async function countPending(conn: Sql, def: BackfillDefinition, state: RunState): Promise<number> {
  const [counted] = await conn<{ n: string }[]>`
    SELECT count(*) AS n FROM ${conn.unsafe(def.table)} t WHERE t.${conn.unsafe(def.key)} > ${state.cursor} AND (${conn.unsafe(def.pending)})`;
  const parkedAhead = state.parked.filter((p) => typeof p.id === 'number' && p.id > state.cursor).length;
  const remaining = Number(counted!.n) - parkedAhead + state.skipped.length;
  state.pendingAtStart = state.rowsProcessed + remaining;
  return remaining;
}

function settings(o: RunOptions) {
  const statementTimeoutMs = o.statementTimeoutMs ?? Math.max(5_000, o.targetMs * 10);
  return {
    statementTimeoutMs,
    lockTimeoutMs: o.lockTimeoutMs ?? 2_000,
    lockWaitMs: o.lockWaitMs ?? 5_000,
    backoffMs: o.backoffMs ?? 1_000,
    maxAttempts: o.maxAttempts ?? 8,
    maxParked: o.maxParked ?? 1_000,
  };
}

/** The requested first batch size within the bounds, saying so when it was not. */
function firstBatchSize(o: RunOptions): number {
  const size = initialBatchSize(o.batchSize);
  if (size !== o.batchSize) o.log.warn(`batch size ${o.batchSize} is outside [100, 100000]; using ${size}`);
  return size;
}

/**
 * Runs a backfill to the end: takes the backfill's lock on its own session, walks the key in
 * order (one transaction per batch, cursor saved in it, sized toward targetMs, pausing when
 * others wait on it or a replica lags), then revisits rows that were locked by others. Returns
 * when done, or when `signal` aborts (the batch in flight commits or rolls back first).
 */
export async function runBackfill(def: BackfillDefinition, o: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { sql, log, signal } = o;
  const problem = definitionProblem(def);
  if (problem) throw new JobError(problem, EXIT.FAILED);
  const s = settings(o);
  const batchSize = firstBatchSize(o);
  const target = def.mode === 'insert' ? def.into! : def.table;
  const writePlan: WritePlan = { columns: await columnTypes(sql, target, def.columns), fallback: o.fallback ?? null };
  if (o.dryRun || (isDestructive(def) && !o.execute)) return dryRun(def, o, batchSize, started);

  await ensureStateTable(sql);
  const session = new BatchSession(sql, def.name, log, { ...s, prepare: def.prepare });
  await session.open();
  let current: { cancel(): void } | null = null;
  // A batch is bounded by statement_timeout, but the operator was promised an exit within
  // seconds: if one is still running 3 s after the signal, cancel it (it rolls back).
  let cancelTimer: NodeJS.Timeout | undefined;
  const onAbort = () => (cancelTimer = setTimeout(() => current?.cancel(), 3_000).unref());
  signal?.addEventListener('abort', onAbort, { once: true });
  let state: RunState | null = null;
  try {
    // Under the lock, so a second process can never forget the state of a run in progress.
    if (o.reset) {
      await deleteState(session.c, def.name);
      log.info(`--reset: forgot the saved position of ${def.name}; starting over`);
    }
    state = await startState(sql, def, o, batchSize);
    const writtenBefore = state.rowsWritten;
    // on the session: a pending predicate may use what prepare() made (a TEMP id set, say)
    const remaining = await countPending(session.c, def, state);
    await checkLimits(session.c, def, remaining);
    const maxKey = maxKeyOf(sql, def);
    const end = await maxKey();
    if (o.retryParked) state.pendingAtStart += state.parked.length;
    log.info(
      `${def.name}: ${remaining} pending rows in ${def.table} with ${def.key} in (${state.cursor}, ${end}]; ` +
        `batch size ${state.batchSize}, target ${o.targetMs} ms per batch`,
    );
    const w: WalkContext = {
      ...s,
      def,
      plan: writePlan,
      session,
      sql,
      log,
      signal,
      targetMs: o.targetMs,
      pauseMs: o.pauseMs ?? 0,
      maxReplicaLagMs: o.maxReplicaLagMs ?? 5_000,
      replicaLag: o.replicaLag ?? replicaLagMs,
      ticker: new ProgressTicker(log),
      pause: {
        totalMs: 0,
        maxMs: o.maxPauseMs ?? Infinity,
        onCap: o.onPauseCap ?? 'continue',
        capReached: false,
        stopped: false,
      },
      onBatch: async (b) => {
        if (state!.parked.length > s.maxParked) {
          throw new JobError(
            `${state!.parked.length} rows parked (more than ${s.maxParked}): the definition is likely wrong; see backfill.runs.parked`,
            EXIT.FAILED,
          );
        }
        await o.onBatch?.(b);
      },
      track: (q) => (current = q),
    };
    const st = state;
    if (o.retryParked)
      await walkListed(
        w,
        st,
        st.parked.flatMap((p) => (typeof p.id === 'number' ? [p.id] : [])),
        'parked by earlier runs (--retry-parked)',
      );
    await walkRanges(w, st, maxKey);
    await walkListed(w, st, st.skipped, 'that were locked by another session');
    const interrupted = !!signal?.aborted || w.pause.stopped;
    if (!interrupted) w.ticker.done(st);
    st.status = interrupted ? 'interrupted' : 'done';
    await saveState(session.alive ? session.c : sql, st);
    if (interrupted) return summarize(def, st, o, started, { interrupted });
    const analyzed = await analyzeIfChanged(
      sql,
      def,
      st.rowsWritten - writtenBefore,
      o.analyzeShare ?? DEFAULT_ANALYZE_SHARE,
      log,
    );
    return summarize(def, st, o, started, {
      interrupted: false,
      stillLocked: st.skipped,
      pendingAtEnd: await pendingNow(session.alive ? session.c : sql, def),
      analyzed,
    });
  } catch (err) {
    if (!state) throw err;
    state.status = signal?.aborted ? 'interrupted' : 'failed';
    // On the pool, not the batch session: that one may be the thing that died.
    await saveState(sql, state).catch(() => {});
    if (signal?.aborted) return summarize(def, state, o, started, { interrupted: true });
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(cancelTimer);
    await session.close();
  }
}

async function dryRun(def: BackfillDefinition, o: RunOptions, batchSize: number, started: number): Promise<RunSummary> {
  const state = await startState(o.sql, def, { ...o, log: { ...o.log, info: () => {} } }, batchSize);
  // a connection of its own, prepared as the batch session would be, and reset before it goes back
  const conn = await o.sql.reserve();
  try {
    await def.prepare?.(conn);
    const remaining = await countPending(conn, def, state);
    await checkLimits(conn, def, remaining);
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

/** The floor and ceiling of a destructive definition, against the candidates counted at start. */
async function checkLimits(sql: Sql, def: BackfillDefinition, candidates: number): Promise<void> {
  if (!isDestructive(def) || !def.limits) return;
  const l = def.limits;
  const [row] = l.denominator
    ? await sql.unsafe<{ n: string }[]>(`SELECT (${l.denominator})::bigint AS n`)
    : await sql<{ n: string }[]>`SELECT count(*) AS n FROM ${sql.unsafe(def.table)}`;
  const problem = limitProblem(
    def.name,
    l,
    candidates,
    Number(row!.n),
    l.denominator ? 'the declared denominator' : undefined,
  );
  if (problem) throw new JobError(problem, EXIT_LIMITS);
}
