import type { Sql } from 'postgres';
import { JobError, EXIT, type Logger } from '@wxyc/job-runtime';
import { columnTypes } from './columns.js';
import { held } from './engine/resolve.js';
import { outcome, type Outcome } from './engine/outcome.js';
import { runTask } from './engine/run.js';
import type { Task } from './engine/task.js';
import { lookupDefinitionProblem, type LookupBackfillDefinition } from './lookup-definition.js';
import { LookupCache, resolveRows } from './lookup-resolve.js';
import { LOOKUP_FAILED, type ParkedGroup } from './parking.js';
import type { PauseCapAction } from './engine/pauses.js';

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
 * A lookup definition as a task of the one engine: each row's lookup through the run's cache
 * (one request per key per run), its answer written to `columns`; a lookup that failed after its
 * retries (or that `lookup` refused) parks its rows under LOOKP until its retry-after time; an
 * open circuit or a shutdown holds the row for later, neither written nor parked.
 */
export function lookupTask(def: LookupBackfillDefinition, cache: LookupCache): Task {
  const pick = (values: Record<string, unknown>) => Object.fromEntries(def.columns.map((c) => [c, values[c] ?? null]));
  return {
    name: def.name,
    table: def.table,
    key: def.key,
    pending: def.pending,
    limiter: def.limiter,
    pauseWhen: def.pauseWhen,
    async resolve(rows, ctx): Promise<Outcome[]> {
      const resolved = await resolveRows(def, rows, ctx.limiter, cache);
      return resolved.map(({ r }) => {
        if (ctx.signal.aborted && r.kind !== 'value') return held('shutdown');
        if (r.kind === 'value') return outcome.write(pick(r.values));
        if (r.kind === 'failed') return outcome.park(r.message, { retryAfterMs: r.retryAfterMs, code: LOOKUP_FAILED });
        return held('circuit open');
      });
    },
  };
}

/**
 * Runs a lookup backfill on the engine: values from an HTTP API, resolved between a plain read and
 * a short optimistic write, through one shared limiter, holding the backfill's advisory lock.
 */
export async function runLookupBackfill(def: LookupBackfillDefinition, o: LookupRunOptions): Promise<LookupSummary> {
  const problem = lookupDefinitionProblem(def);
  if (problem) throw new JobError(problem, EXIT.FAILED);
  await columnTypes(o.sql, def.table, def.columns);
  const cache = new LookupCache();
  const s = await runTask(lookupTask(def, cache), { ...o, retryParked: o.retryParked ? 'due' : false });
  return {
    name: s.name,
    interrupted: s.interrupted,
    rowsProcessed: s.rowsProcessed,
    rowsWritten: s.rowsWritten,
    rowsParked: s.rowsParked,
    parked: s.parked,
    skipped: s.skipped.map((k) => Number(k[0])),
    requests: s.requests,
    cacheHits: cache.hits,
    breakerPausedMs: s.breakerPausedMs,
    pausedMs: s.pausedMs,
    elapsedMs: s.elapsedMs,
  };
}
