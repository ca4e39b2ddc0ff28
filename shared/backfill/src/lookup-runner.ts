import type { Sql } from 'postgres';
import { JobError, EXIT, type Logger } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import { replicaLagMs } from './backoff.js';
import { connectionLost } from './policy.js';
import { columnTypes } from './columns.js';
import { ApiLimiter, DEFAULT_LIMITER } from './limiter.js';
import { resilientBatch, type LookupCtx } from './lookup-batch.js';
import { lookupDefinitionProblem, type LookupBackfillDefinition } from './lookup-definition.js';
import { LookupCache } from './lookup-resolve.js';
import type { ReadScope } from './lookup-sql.js';
import { parkedGroups, type ParkedGroup } from './parking.js';
import { BatchSession } from './session.js';
import { ensureStateTable, freshState, loadState, saveState, type RunState, type RunStatus } from './state.js';
import { ProgressTicker } from './ticker.js';
import { backOff, type PauseCapAction } from './walk.js';

export interface LookupRunOptions {
  /** A pool with room for one reserved connection (the lock holder, which reads and writes). */
  sql: Sql;
  log: Logger;
  signal?: AbortSignal;
  /** Pending rows read (and resolved) per batch. */
  batchSize: number;
  /** Retry the parked rows whose retry-after time has passed (before the walk). */
  retryParked?: boolean;
  /** Total time the run may sit paused on an open circuit before it stops resumably (default 5 min). */
  maxBreakerPauseMs?: number;
  lockTimeoutMs?: number;
  /** Rounds over the rows that changed (or were locked) between read and write, at the end. */
  maxRevisits?: number;
  /** Lost batch connections in a row (no batch committed between) before the run gives up (default 8). */
  maxReconnects?: number;
  /** The wait after a lost connection, and between two checks of a pause condition (default 1 s). */
  backoffMs?: number;
  /** Cumulative time paused on the definition's pauseWhen or replica lag after which `onPauseCap` (default: no cap). */
  maxPauseMs?: number;
  /** `stop`: end the run resumably (as interrupted); `continue` (default): stop consulting pauseWhen. */
  onPauseCap?: PauseCapAction;
  maxReplicaLagMs?: number;
  /** Replica lag probe; defaults to pg_stat_replication. */
  replicaLag?: (sql: Sql) => Promise<number>;
}

export interface LookupSummary {
  name: string;
  interrupted: boolean;
  rowsProcessed: number;
  rowsWritten: number;
  rowsParked: number;
  parked: ParkedGroup[];
  /** Rows changed or locked by someone else between read and write, still so after the revisits. */
  skipped: number[];
  /** HTTP requests sent (retries included) and lookups answered from the in-run cache. */
  requests: number;
  cacheHits: number;
  breakerPausedMs: number;
  /** Time paused on the pause conditions (pauseWhen, replica lag). */
  pausedMs: number;
  elapsedMs: number;
}

/**
 * Waits out an open circuit. Each opening counts a whole cool-down toward the cap (part of it may
 * have passed while the batch finished); past the cap the run stops, resumably.
 */
async function pauseForBreaker(x: LookupCtx): Promise<void> {
  const cap = x.o.maxBreakerPauseMs ?? 300_000;
  const cooldown = x.limiter.breaker.cooldownMs;
  if (x.paused.ms + cooldown > cap) {
    x.o.log.warn(`the lookup API kept failing: paused ${x.paused.ms} ms on an open circuit, cap ${cap} ms; stopping, run again to resume`);
    x.paused.stopped = true;
    return;
  }
  const wait = x.limiter.breaker.waitMs;
  x.o.log.warn(`${x.limiter.s.breakerThreshold} consecutive lookups failed: circuit open, pausing ${wait} ms`);
  await sleep(wait, x.o.signal);
  x.paused.ms += cooldown;
}

const go = (x: LookupCtx) => !x.o.signal?.aborted && !x.paused.stopped && !x.gate.pause.stopped;

/**
 * Before each batch, the SQL walk's pause check (the definition's pauseWhen, replica lag, the
 * cumulative cap): nothing is read, asked or written while it holds. No lock waiters are passed:
 * between batches the run holds no lock but its advisory one.
 */
async function mayGo(x: LookupCtx): Promise<boolean> {
  if (!go(x)) return false;
  await backOff(x.gate, []);
  return go(x);
}

async function walk(x: LookupCtx, state: { s: RunState }): Promise<void> {
  const now = Date.now();
  if (x.o.retryParked) {
    const due = state.s.parked.filter((p) => !p.retryAfter || Date.parse(p.retryAfter) <= now).map((p) => p.id);
    for (let i = 0; i < due.length && (await mayGo(x)); ) {
      const ids = due.slice(i, i + x.o.batchSize);
      const r = await resilientBatch(x, state, () => ({ ids }));
      if (r.open) await pauseForBreaker(x);
      else i += x.o.batchSize;
    }
  }
  const next = (s: RunState): ReadScope => ({ after: s.cursor, limit: x.o.batchSize, exclude: s.parked.map((p) => p.id) });
  while (await mayGo(x)) {
    const r = await resilientBatch(x, state, next);
    if (r.open) await pauseForBreaker(x);
    else if (r.read === 0) break;
  }
  for (let round = 0; round < (x.o.maxRevisits ?? 5) && state.s.skipped.length > 0 && (await mayGo(x)); round++) {
    x.o.log.info(`revisiting ${state.s.skipped.length} rows changed or locked by another session since they were read`);
    const r = await resilientBatch(x, state, (s) => ({ ids: s.skipped.slice(0, x.o.batchSize) }));
    if (r.open) await pauseForBreaker(x);
  }
}

/** A fresh walk starts below the smallest key (ids <= 0 included). */
async function belowSmallestKey(sql: Sql, def: LookupBackfillDefinition): Promise<number> {
  const [r] = await sql<{ m: string | null }[]>`SELECT (min(${sql.unsafe(def.key)}) - 1)::bigint AS m FROM ${sql.unsafe(def.table)}`;
  return Number(r!.m ?? 0);
}

function summarize(def: LookupBackfillDefinition, s: RunState, x: LookupCtx, started: number, interrupted: boolean): LookupSummary {
  return {
    name: def.name, interrupted, rowsProcessed: s.rowsProcessed, rowsWritten: s.rowsWritten, rowsParked: s.parked.length,
    parked: parkedGroups(s.parked), skipped: s.skipped, requests: x.limiter.requests, cacheHits: x.cache.hits,
    breakerPausedMs: x.paused.ms, pausedMs: x.gate.pause.totalMs, elapsedMs: Date.now() - started,
  };
}

function context(def: LookupBackfillDefinition, o: LookupRunOptions, session: BatchSession, cols: LookupCtx['cols']): LookupCtx {
  const backoffMs = o.backoffMs ?? 1_000;
  const pause = { totalMs: 0, maxMs: o.maxPauseMs ?? Infinity, onCap: o.onPauseCap ?? 'continue', capReached: false, stopped: false } as const;
  return {
    def, o, c: session, cols, limiter: new ApiLimiter({ ...DEFAULT_LIMITER, ...def.limiter }, o.signal),
    cache: new LookupCache(), ticker: new ProgressTicker(o.log), paused: { ms: 0, stopped: false },
    gate: {
      sql: o.sql, log: o.log, signal: o.signal, backoffMs, maxReplicaLagMs: o.maxReplicaLagMs ?? 5_000,
      replicaLag: o.replicaLag ?? replicaLagMs, pause: { ...pause }, def, session,
    },
    backoffMs, maxReconnects: o.maxReconnects ?? 8,
  };
}

/**
 * The end of a run that threw, recorded on the pool (the batch session may be what died): the
 * committed state (never older than what the run last saw) with its new status.
 */
async function markEnded(sql: Sql, s: RunState, status: RunStatus): Promise<RunState> {
  try {
    const saved = await loadState(sql, s.name);
    // the same run's row (startedAt) further on than seen: a commit whose answer was lost
    const newer = saved && +saved.startedAt === +s.startedAt && saved.batches > s.batches;
    const ended = { ...(newer ? saved : s), status };
    await saveState(sql, ended);
    return ended;
  } catch {
    return s; // the database is gone too: the state stays as last committed
  }
}

/**
 * Runs a lookup backfill: values from an HTTP API, resolved between a plain read and a short
 * optimistic write, through one shared limiter. Holds the backfill's advisory lock throughout.
 */
export async function runLookupBackfill(def: LookupBackfillDefinition, o: LookupRunOptions): Promise<LookupSummary> {
  const started = Date.now();
  const problem = lookupDefinitionProblem(def);
  if (problem) throw new JobError(problem, EXIT.FAILED);
  const cols = await columnTypes(o.sql, def.table, def.columns);
  await ensureStateTable(o.sql);
  const session = new BatchSession(o.sql, def.name, o.log, { lockWaitMs: 5_000, statementTimeoutMs: 60_000 });
  await session.open();
  const x = context(def, o, session, cols);
  const saved = await loadState(o.sql, def.name);
  const state = { s: saved && saved.status !== 'done' ? { ...saved, status: 'running' as const } : freshState(def.name, o.batchSize, 0, saved?.parked ?? []) };
  try {
    if (!saved || saved.status === 'done') state.s.cursor = await belowSmallestKey(session.c, def);
    await walk(x, state);
    const interrupted = !!o.signal?.aborted || x.paused.stopped || x.gate.pause.stopped;
    state.s = { ...state.s, status: interrupted ? 'interrupted' : 'done' };
    // every batch has committed: the state in hand is the latest; the pool if the session just died
    await saveState(session.c, state.s).catch((err: unknown) => {
      if (!connectionLost(err)) throw err;
      return saveState(o.sql, state.s);
    });
    return summarize(def, state.s, x, started, interrupted);
  } catch (err) {
    const status = o.signal?.aborted ? 'interrupted' : 'failed';
    state.s = await markEnded(o.sql, state.s, status);
    if (o.signal?.aborted) return summarize(def, state.s, x, started, true);
    throw err;
  } finally {
    await session.close();
  }
}
