import type { Sql } from 'postgres';
import { JobError, EXIT } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import { attemptBatch, type AttemptContext, type AttemptResult } from '../attempt.js';
import type { BatchScope, WritePlan } from '../batch-sql.js';
import { isDestructive, type BackfillDefinition } from '../definition.js';
import { analyzeIfChanged, pendingNow } from '../finish.js';
import { parkedIn } from '../parking.js';
import { recoveryFor } from '../policy.js';
import { MIN_BATCH_SIZE, nextBatchSize, sizeAfterTimeout } from '../sizing.js';
import { freshState, loadState, type RunState } from '../state.js';
import { checkOnce, type Step, type TaskRunOptions } from './frame.js';
import { drive, type Budget, type Engine } from './pipeline.js';
import { withBatchRecovery, type BatchRecovery } from './recovery.js';
import type { Task } from './task.js';

/** What one committed batch of the SQL walk did, seen by `onBatch` (benchmarks, tests). */
export interface BatchReport extends Omit<AttemptResult, 'next'> {
  batch: number;
  size: number;
  elapsedMs: number;
}

/** The SQL walk's own settings beyond the engine's. */
export interface SqlWalk {
  plan: WritePlan;
  /** Each key range is sized toward this (by the last batch's time), within [MIN_BATCH_SIZE, MAX_BATCH_SIZE]. */
  targetMs: number;
  /** Sleep between range batches. */
  pauseMs: number;
  analyzeShare: number;
  /** Retry the rows parked by earlier runs, before the walk. */
  retryParked: boolean;
  onBatch?: (b: BatchReport) => unknown;
}

/**
 * The SQL walk's recovery: a statement timeout halves the key range (free down to MIN_BATCH_SIZE),
 * a data error retries the batch split around its bad rows (attempt.ts parks them).
 */
const RANGE: BatchRecovery = { unit: 'keys', minSize: MIN_BATCH_SIZE, shrink: sizeAfterTimeout, isolates: true };

/** The frame's view of a definition: the limits apply to the destructive modes only. */
export const sqlFrame = (def: BackfillDefinition): Task => ({
  name: def.name,
  table: def.table,
  key: def.key,
  pending: def.pending,
  resolve: def.resolve ?? '',
  prepare: def.prepare,
  pauseWhen: def.pauseWhen,
  analyze: def.analyze,
  limits: isDestructive(def) ? def.limits : undefined,
});

/** The largest key now, read on the pool (the walk reads it again at its end). */
export const maxKeyOf = (sql: Sql, def: BackfillDefinition) => async () =>
  Number(
    (
      await sql<{ m: string | null }[]>`SELECT max(${sql.unsafe(def.key)})::bigint AS m FROM ${sql.unsafe(def.table)}`
    )[0]!.m ?? 0,
  );

/** Counts what is pending beyond the cursor (the one count of the run), on `conn`, where prepare() ran. */
export async function countPending(conn: Sql, def: BackfillDefinition, state: RunState): Promise<number> {
  const [counted] = await conn<{ n: string }[]>`
    SELECT count(*) AS n FROM ${conn.unsafe(def.table)} t WHERE t.${conn.unsafe(def.key)} > ${state.cursor} AND (${conn.unsafe(def.pending)})`;
  const parkedAhead = state.parked.filter((p) => typeof p.id === 'number' && p.id > state.cursor).length;
  const remaining = Number(counted!.n) - parkedAhead + state.skipped.length;
  state.pendingAtStart = state.rowsProcessed + remaining;
  return remaining;
}

/** The state to walk from: a resumed one, or a fresh walk from below the smallest key (ids <= 0 included). */
export async function sqlStartState(sql: Sql, def: BackfillDefinition, o: TaskRunOptions): Promise<RunState> {
  const saved = o.reset ? null : await loadState(sql, def.name);
  if (saved && saved.status !== 'done') {
    o.log.info(
      `resuming ${def.name} after key ${saved.cursor} (${saved.rowsProcessed} rows processed by earlier runs)`,
    );
    return { ...saved, status: 'running', batchSize: o.batchSize };
  }
  if (saved) o.log.info(`${def.name} finished before; walking the table again for rows that are pending now`);
  const [row] = await sql<
    { m: string | null }[]
  >`SELECT (min(${sql.unsafe(def.key)}) - 1)::bigint AS m FROM ${sql.unsafe(def.table)}`;
  return freshState(def.name, o.batchSize, Number(row!.m ?? 0), saved?.parked ?? []);
}

const contextOf = (e: Engine, def: BackfillDefinition, w: SqlWalk): AttemptContext => ({
  def,
  plan: w.plan,
  session: e.session,
  statementTimeoutMs: e.statementTimeoutMs,
  lockTimeoutMs: e.lockTimeoutMs,
  track: (q) => (e.current = q),
});

interface Done {
  r: AttemptResult;
  size: number;
  elapsedMs: number;
}

/** One batch under the engine's recovery: the statement, the waiter check and the state with the cursor, one transaction. */
function batch(
  e: Engine,
  def: BackfillDefinition,
  w: SqlWalk,
  scope: () => { scope: BatchScope; cursor: number | null },
): Promise<Done> {
  return withBatchRecovery(e, RANGE, async (isolate) => {
    const size = e.batchSize;
    const t0 = performance.now();
    const at = scope();
    const r = await attemptBatch(contextOf(e, def, w), { ...e.s, batchSize: size }, at.scope, at.cursor, isolate);
    e.s = r.next;
    return { r, size, elapsedMs: performance.now() - t0 };
  });
}

/** After a committed batch: progress, the parked cap, the batch's report. */
async function report(e: Engine, w: SqlWalk, b: Done): Promise<void> {
  e.runRows += b.r.rows;
  e.ticker.tick(e.s, b.r.rows);
  if (e.s.parked.length > e.maxParked) {
    throw new JobError(
      `${e.s.parked.length} rows parked (more than ${e.maxParked}): the definition is likely wrong; see backfill.runs.parked`,
      EXIT.FAILED,
    );
  }
  const { next: _next, ...out } = b.r;
  await w.onBatch?.({ ...out, batch: e.s.batches, size: b.size, elapsedMs: b.elapsedMs });
}

/**
 * The main walk: key ranges (cursor, cursor + size] up to the largest key, which is read again at
 * the end so rows added meanwhile are walked too; each range sized toward targetMs. Parked keys are
 * left out of each range; the lock waiters a batch saw make the next pause check.
 */
async function walkRanges(e: Engine, def: BackfillDefinition, w: SqlWalk, budget: Budget): Promise<void> {
  const maxKey = maxKeyOf(e.sql, def);
  let end = await maxKey();
  await drive(e, budget, async () => {
    if (e.s.cursor >= end) {
      end = await maxKey();
      if (e.s.cursor >= end) return false;
    }
    const lo = e.s.cursor;
    const b = await batch(e, def, w, () => {
      const hi = Math.min(lo + e.batchSize, end);
      return { scope: { lo, hi, exclude: parkedIn(e.s.parked, lo, hi) }, cursor: hi };
    });
    e.waiters = b.r.waiters;
    await report(e, w, b);
    e.batchSize = nextBatchSize(b.size, b.elapsedMs, w.targetMs);
    await sleep(w.pauseMs, e.signal);
    return true;
  });
}

/**
 * Listed keys in chunks of 1000, each waiting boundedly for its locks: the rows skipped by the walk
 * at the end, the parked rows on request. One pass over the list as it is now: a row that fails
 * again is parked again, not retried in a loop; rows still locked after the batch's attempts stay
 * pending (the summary names them).
 */
async function walkListed(e: Engine, def: BackfillDefinition, w: SqlWalk, list: readonly number[], what: string) {
  const todo = [...list];
  if (todo.length === 0) return;
  await drive(e, null, async () => {
    const ids = todo.slice(0, 1000);
    e.log.info(`revisiting ${todo.length} rows ${what}`);
    try {
      const b = await batch(e, def, w, () => ({ scope: { ids, wait: true }, cursor: null }));
      await report(e, w, { ...b, size: ids.length });
    } catch (err) {
      if (e.signal.aborted || err instanceof JobError || recoveryFor(err) !== 'wait') throw err;
      e.log.warn(`${todo.length} rows ${what} are still locked by another session; leaving them pending`);
      return false;
    }
    todo.splice(0, ids.length);
    return todo.length > 0;
  });
}

/**
 * A BackfillDefinition as a step of the one engine: integer key ranges, each one transaction in
 * which one statement locks, resolves (the definition's SQL) and writes (update, delete or insert)
 * the range's pending rows, and the state with the cursor is saved (attempt.ts). Before the walk
 * the parked rows on request, after it the rows other sessions held.
 */
export function sqlStep(def: BackfillDefinition, w: SqlWalk): Step {
  const task = sqlFrame(def);
  let writtenBefore = 0;
  return {
    task,
    async start(e, o) {
      const c = e.session.c;
      e.s = await sqlStartState(c, def, { ...o, batchSize: e.batchSize });
      writtenBefore = e.s.rowsWritten;
      // on the session: a pending predicate may use what prepare() made (a TEMP id set, say)
      const remaining = await countPending(c, def, e.s);
      await checkOnce(c, task, remaining);
      const end = await maxKeyOf(e.sql, def)();
      if (w.retryParked) e.s.pendingAtStart += e.s.parked.length;
      e.log.info(
        `${def.name}: ${remaining} pending rows in ${def.table} with ${def.key} in (${e.s.cursor}, ${end}]; ` +
          `batch size ${e.batchSize}, target ${w.targetMs} ms per batch`,
      );
    },
    async walk(e, budget) {
      if (w.retryParked) {
        const parked = e.s.parked.flatMap((p) => (typeof p.id === 'number' ? [p.id] : []));
        await walkListed(e, def, w, parked, 'parked by earlier runs (--retry-parked)');
      }
      await walkRanges(e, def, w, budget);
      await walkListed(e, def, w, e.s.skipped, 'that were locked by another session');
    },
    async end(e) {
      e.ticker.done(e.s);
      const c = e.session.alive ? e.session.c : e.sql;
      const changed = e.s.rowsWritten - writtenBefore;
      const analyzed = await analyzeIfChanged(e.sql, def, changed, w.analyzeShare, e.log);
      return { analyzed: analyzed ? [def.into ?? def.table] : [], pendingAtEnd: await pendingNow(c, def) };
    },
  };
}
