import type { Row, Sql } from 'postgres';
import { JobError, EXIT, type Logger } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import { columnTypes, type ColumnType } from './columns.js';
import { ApiLimiter, DEFAULT_LIMITER } from './limiter.js';
import { lookupDefinitionProblem, type LookupBackfillDefinition } from './lookup-definition.js';
import { LookupCache, resolveRows } from './lookup-resolve.js';
import { readPending, VERSION, type ReadScope, type ResolvedRow } from './lookup-sql.js';
import { commitResolved } from './lookup-write.js';
import { parkedGroups, parkedLookup, type ParkedGroup, type ParkedRow } from './parking.js';
import { BatchSession } from './session.js';
import { ensureStateTable, freshState, loadState, saveState, type RunState } from './state.js';
import { ProgressTicker } from './ticker.js';

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
  elapsedMs: number;
}

interface Ctx {
  def: LookupBackfillDefinition;
  o: LookupRunOptions;
  c: BatchSession;
  cols: readonly ColumnType[];
  limiter: ApiLimiter;
  cache: LookupCache;
  ticker: ProgressTicker;
  paused: { ms: number; stopped: boolean };
}

/** The state after a batch: handled rows counted, failed lookups and bad writes parked, unwritten ones left for a revisit. */
function after(s: RunState, handled: readonly Row[], written: number[], parked: ParkedRow[], cursor: number | null, listed: boolean): RunState {
  const done = new Set([...written, ...parked.map((p) => p.id)]);
  const ids = handled.map((r) => Number(r.backfill_id));
  const missed = ids.filter((id) => !done.has(id));
  const touched = new Set(ids);
  return {
    ...s,
    cursor: cursor ?? s.cursor,
    rowsProcessed: s.rowsProcessed + written.length + parked.length,
    rowsWritten: s.rowsWritten + written.length,
    skipped: [...(listed ? s.skipped.filter((id) => !touched.has(id)) : s.skipped), ...missed],
    parked: [...(listed ? s.parked.filter((p) => !touched.has(p.id)) : s.parked), ...parked],
    batches: s.batches + 1,
  };
}

/** One batch: read (autocommit), resolve with nothing open, write what is still as read. Returns whether the circuit is open. */
async function batch(x: Ctx, state: { s: RunState }, scope: ReadScope): Promise<{ read: number; open: boolean }> {
  const rows = await readPending(x.c.c, x.def, scope);
  if (rows.length === 0) return { read: 0, open: false };
  const resolved = await resolveRows(x.def, rows, x.limiter, x.cache);
  // rows from the first one the open circuit kept from its lookup onward wait for the next batch
  const cut = resolved.findIndex((e) => e.r.kind === 'open');
  const handled = cut < 0 ? resolved : resolved.slice(0, cut);
  const toWrite: ResolvedRow[] = [];
  const failed: ParkedRow[] = [];
  for (const { row, r } of handled) {
    const id = Number(row.backfill_id);
    if (r.kind === 'value') toWrite.push({ id, version: row[VERSION] as string, values: r.values });
    else if (r.kind === 'failed') failed.push(parkedLookup(id, r.message, new Date(Date.now() + r.retryAfterMs)));
  }
  const listed = 'ids' in scope;
  const cursor = listed || handled.length === 0 ? null : Number(handled.at(-1)!.row.backfill_id);
  const rowsOf = handled.map((e) => e.row);
  const { state: next } = await commitResolved(
    x.c.c, x.def, x.cols, toWrite,
    (w) => after(state.s, rowsOf, w.written, [...failed, ...w.parked], cursor, listed),
    x.o.lockTimeoutMs ?? 2_000,
  );
  const rowsDone = next.rowsProcessed - state.s.rowsProcessed;
  state.s = next;
  x.ticker.tick(next, rowsDone);
  return { read: rows.length, open: cut >= 0 };
}

/**
 * Waits out an open circuit. Each opening counts a whole cool-down toward the cap (part of it may
 * have passed while the batch finished); past the cap the run stops, resumably.
 */
async function pauseForBreaker(x: Ctx): Promise<void> {
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

const go = (x: Ctx) => !x.o.signal?.aborted && !x.paused.stopped;

async function walk(x: Ctx, state: { s: RunState }): Promise<void> {
  const now = Date.now();
  if (x.o.retryParked) {
    const due = state.s.parked.filter((p) => !p.retryAfter || Date.parse(p.retryAfter) <= now).map((p) => p.id);
    for (let i = 0; i < due.length && go(x); ) {
      const r = await batch(x, state, { ids: due.slice(i, i + x.o.batchSize) });
      if (r.open) await pauseForBreaker(x);
      else i += x.o.batchSize;
    }
  }
  while (go(x)) {
    const r = await batch(x, state, { after: state.s.cursor, limit: x.o.batchSize, exclude: state.s.parked.map((p) => p.id) });
    if (r.open) await pauseForBreaker(x);
    else if (r.read === 0) break;
  }
  for (let round = 0; round < (x.o.maxRevisits ?? 5) && state.s.skipped.length > 0 && go(x); round++) {
    x.o.log.info(`revisiting ${state.s.skipped.length} rows changed or locked by another session since they were read`);
    const r = await batch(x, state, { ids: state.s.skipped.slice(0, x.o.batchSize) });
    if (r.open) await pauseForBreaker(x);
  }
}

/** A fresh walk starts below the smallest key (ids <= 0 included). */
async function belowSmallestKey(sql: Sql, def: LookupBackfillDefinition): Promise<number> {
  const [r] = await sql<{ m: string | null }[]>`SELECT (min(${sql.unsafe(def.key)}) - 1)::bigint AS m FROM ${sql.unsafe(def.table)}`;
  return Number(r!.m ?? 0);
}

function summarize(def: LookupBackfillDefinition, s: RunState, x: Ctx, started: number, interrupted: boolean): LookupSummary {
  return {
    name: def.name, interrupted, rowsProcessed: s.rowsProcessed, rowsWritten: s.rowsWritten, rowsParked: s.parked.length,
    parked: parkedGroups(s.parked), skipped: s.skipped, requests: x.limiter.requests, cacheHits: x.cache.hits,
    breakerPausedMs: x.paused.ms, elapsedMs: Date.now() - started,
  };
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
  const x: Ctx = {
    def, o, c: session, cols, limiter: new ApiLimiter({ ...DEFAULT_LIMITER, ...def.limiter }, o.signal),
    cache: new LookupCache(), ticker: new ProgressTicker(o.log), paused: { ms: 0, stopped: false },
  };
  const saved = await loadState(o.sql, def.name);
  const state = { s: saved && saved.status !== 'done' ? { ...saved, status: 'running' as const } : freshState(def.name, o.batchSize, 0, saved?.parked ?? []) };
  try {
    if (!saved || saved.status === 'done') state.s.cursor = await belowSmallestKey(session.c, def);
    await walk(x, state);
    const interrupted = !!o.signal?.aborted || x.paused.stopped;
    state.s = { ...state.s, status: interrupted ? 'interrupted' : 'done' };
    await saveState(session.c, state.s);
    return summarize(def, state.s, x, started, interrupted);
  } catch (err) {
    if (o.signal?.aborted) {
      await saveState(session.c, { ...state.s, status: 'interrupted' }).catch(() => undefined);
      return summarize(def, state.s, x, started, true);
    }
    await saveState(session.c, { ...state.s, status: 'failed' }).catch(() => undefined);
    throw err;
  } finally {
    await session.close();
  }
}
