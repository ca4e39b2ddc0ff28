import type { Sql } from 'postgres';
import { describeError, type Logger } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import { attemptBatch, type AttemptContext, type AttemptResult } from './attempt.js';
import type { BatchScope } from './batch-sql.js';
import type { BackfillDefinition } from './definition.js';
import { lockWaitersOf, pauseReason } from './backoff.js';
import { parkedIn } from './parking.js';
import { recoveryFor, usesAttempt } from './policy.js';
import { afterConnectionLost } from './reconnect.js';
import { nextBatchSize, sizeAfterTimeout } from './sizing.js';
import type { RunState } from './state.js';
import type { ProgressTicker } from './ticker.js';

export interface BatchReport extends Omit<AttemptResult, 'next'> {
  batch: number;
  size: number;
  elapsedMs: number;
}

export interface WalkContext extends AttemptContext {
  sql: Sql;
  log: Logger;
  signal?: AbortSignal;
  targetMs: number;
  pauseMs: number;
  backoffMs: number;
  maxAttempts: number;
  maxReplicaLagMs: number;
  replicaLag(sql: Sql): Promise<number>;
  ticker: ProgressTicker;
  /** Cumulative pause time against its cap; `stopped` ends the walk resumably. */
  pause: { totalMs: number; maxMs: number; onCap: PauseCapAction; capReached: boolean; stopped: boolean };
  onBatch?: (b: BatchReport) => unknown;
}

/** One batch with bounded retries, by the recovery policy: smaller, later, reconnected, or split around bad rows. */
async function runBatch(
  w: WalkContext,
  state: RunState,
  mkScope: (size: number) => BatchScope,
  cursorAfter: (size: number) => number | null,
  attempts = w.maxAttempts,
) {
  let failures = 0;
  let isolate = false;
  for (;;) {
    const size = state.batchSize;
    const t0 = performance.now();
    try {
      if (!w.session.alive) await w.session.reopen();
      const r = await attemptBatch(w, state, mkScope(size), cursorAfter(size), isolate);
      Object.assign(state, r.next);
      return { r, size, elapsedMs: performance.now() - t0 };
    } catch (err) {
      if (w.signal?.aborted) throw err;
      const rec = isolate && recoveryFor(err) === 'isolate' ? 'fail' : recoveryFor(err);
      if (usesAttempt(rec, size) && ++failures >= attempts) throw err;
      if (rec === 'halve') {
        const smaller = sizeAfterTimeout(size);
        w.log.warn(
          `batch of ${size} keys hit statement_timeout (${w.statementTimeoutMs} ms); retrying with ${smaller}`,
        );
        state.batchSize = smaller;
      } else if (rec === 'wait') {
        w.log.warn(
          `batch waited too long for a lock (${(err as { code?: string }).code}); retrying in ${w.backoffMs} ms`,
        );
        await sleep(w.backoffMs, w.signal);
      } else if (rec === 'reconnect') {
        await afterConnectionLost(w.session, w.log, err, w.backoffMs, w.signal);
      } else if (rec === 'isolate') {
        w.log.warn(`batch of ${size} keys failed on a data error (${describeError(err)}); isolating the failing rows`);
        isolate = true;
      } else {
        throw err;
      }
    }
  }
}

/** What happens when the pauses of a run add up to `maxPauseMs`. */
export type PauseCapAction = 'continue' | 'stop';

/** What the pause check needs: the SQL walk's context, or the lookup runner's. */
export type PauseContext = Pick<
  WalkContext,
  'sql' | 'log' | 'signal' | 'backoffMs' | 'maxReplicaLagMs' | 'replicaLag' | 'pause'
> & {
  def: Pick<BackfillDefinition, 'pauseWhen'>;
  session: { pid: number };
};

/** The reasons to pause now: lock waiters, replica lag, and the definition's own (until its cap). */
async function pauseNow(w: PauseContext, waiters: number[]): Promise<string | null> {
  const builtIn = pauseReason({ lockWaiters: waiters, replicaLagMs: await w.replicaLag(w.sql) }, w.maxReplicaLagMs);
  const own = w.pause.capReached ? null : ((await w.def.pauseWhen?.(w.sql)) ?? null);
  return [builtIn, own].filter(Boolean).join('; ') || null;
}

/**
 * Waits while sessions queue behind the backfill's locks, a replica lags, or the definition's
 * condition holds. Pauses add up; past `maxPauseMs` the run either stops (resumably: it ends as
 * interrupted) or stops consulting the definition's condition (the built-in ones still apply).
 */
export async function backOff(w: PauseContext, waiters: number[]): Promise<void> {
  let reason = await pauseNow(w, waiters);
  while (reason && !w.signal?.aborted && !w.pause.stopped) {
    if (w.pause.totalMs >= w.pause.maxMs && !w.pause.capReached) {
      w.pause.capReached = true;
      w.log.warn(
        `paused ${w.pause.totalMs} ms in all, the cap (maxPauseMs ${w.pause.maxMs}): ${w.pause.onCap === 'stop' ? 'stopping; run again to resume' : "continuing without the definition's pause condition"}`,
      );
      if (w.pause.onCap === 'stop') {
        w.pause.stopped = true;
        return;
      }
      reason = await pauseNow(w, waiters);
      continue;
    }
    w.log.info(`pausing ${w.backoffMs} ms: ${reason}`);
    await sleep(w.backoffMs, w.signal);
    w.pause.totalMs += w.backoffMs;
    reason = await pauseNow(w, await lockWaitersOf(w.sql, w.session.pid));
  }
}

async function report(w: WalkContext, state: RunState, b: Awaited<ReturnType<typeof runBatch>>): Promise<void> {
  w.ticker.tick(state, b.r.rows);
  const { next: _next, ...out } = b.r;
  await w.onBatch?.({ ...out, batch: state.batches, size: b.size, elapsedMs: b.elapsedMs });
}

/**
 * The main walk: key ranges (cursor, cursor + size] up to the largest key, which is read again
 * at the end so rows added meanwhile are walked too. Parked keys are left out of each range.
 */
export async function walkRanges(w: WalkContext, state: RunState, maxKey: () => Promise<number>): Promise<void> {
  let end = await maxKey();
  let waiters: number[] = [];
  for (;;) {
    if (state.cursor >= end) {
      end = await maxKey();
      if (state.cursor >= end) return;
    }
    if (w.signal?.aborted || w.pause.stopped) return;
    await backOff(w, waiters);
    if (w.signal?.aborted || w.pause.stopped) return;
    const lo = state.cursor;
    const hiFor = (size: number) => Math.min(lo + size, end);
    const b = await runBatch(
      w,
      state,
      (size) => ({ lo, hi: hiFor(size), exclude: parkedIn(state.parked, lo, hiFor(size)) }),
      hiFor,
    );
    waiters = b.r.waiters;
    await report(w, state, b);
    state.batchSize = nextBatchSize(b.size, b.elapsedMs, w.targetMs);
    await sleep(w.pauseMs, w.signal);
  }
}

/**
 * Listed keys in chunks of 1000, each waiting boundedly for its locks: the rows skipped by the walk
 * at the end, the parked rows on request. One pass over the list as it is now: a row that fails
 * again is parked again, not retried in a loop.
 */
export async function walkListed(
  w: WalkContext,
  state: RunState,
  list: readonly number[],
  what: string,
): Promise<void> {
  const todo = [...list];
  for (let round = 0; todo.length > 0 && !w.signal?.aborted && !w.pause.stopped && round < w.maxAttempts; round++) {
    const ids = todo.slice(0, 1000);
    w.log.info(`revisiting ${todo.length} rows ${what}`);
    try {
      const b = await runBatch(
        w,
        state,
        () => ({ ids, wait: true }),
        () => null,
        1,
      );
      await report(w, state, { ...b, size: ids.length });
      todo.splice(0, ids.length);
      round = -1; // progress: the retry budget is per stuck chunk
    } catch (err) {
      const rec = recoveryFor(err);
      if (rec !== 'wait' && rec !== 'reconnect') throw err;
      if (rec === 'reconnect') w.log.warn(`connection lost (${describeError(err)}); reconnecting`);
      else w.log.warn(`${ids.length} rows ${what} are still locked by another session; retrying in ${w.backoffMs} ms`);
      await sleep(w.backoffMs, w.signal);
    }
  }
}
