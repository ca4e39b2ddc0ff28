import type { PendingQuery, ReservedSql, Row } from 'postgres';
import { LOCK_NOT_AVAILABLE, sqlState } from '@wxyc/database';
import type { BackfillDefinition } from './definition.js';
import {
  batchStatement,
  optimisticStatement,
  parseOutcome,
  pendingKeys,
  type BatchOutcome,
  type BatchScope,
  type WritePlan,
} from './batch-sql.js';
import { lockWaitersOf } from './backoff.js';
import { connectionLost, isDataError, SERIALIZATION_FAILURE } from './policy.js';
import { halves, parkedRow, type ParkedRow } from './parking.js';
import type { BatchSession } from './session.js';
import { mergeUnresolved, saveState, type RunState } from './state.js';

export interface AttemptContext {
  def: BackfillDefinition;
  plan: WritePlan;
  session: BatchSession;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** Told of each statement in flight, so a shutdown can cancel it. */
  track(q: { cancel(): void } | null): void;
}

export interface Handled extends BatchOutcome {
  parked: ParkedRow[];
}

export interface AttemptResult extends Handled {
  /** Sessions queued behind this batch's row locks at commit time. */
  waiters: number[];
  /** The optimistic write met a lock or a row changed since its read: the batch was redone with SKIP LOCKED. */
  lockedRetry: boolean;
  next: RunState;
}

/**
 * lock_timeout of the optimistic statement: a live writer holds a row for milliseconds (its own
 * autocommit UPDATE); a batch that meets a longer-held lock gives up quickly and is redone with
 * SKIP LOCKED, so the walk never queues behind another session (and stays well under
 * deadlock_timeout, so it never takes part in a deadlock check).
 */
export const OPTIMISTIC_LOCK_TIMEOUT_MS = 100;

const NOTHING: Handled = { rows: 0, written: 0, fallback: 0, unresolved: [], skipped: [], parked: [] };

function merge(a: Handled, b: Handled): Handled {
  return {
    rows: a.rows + b.rows,
    written: a.written + b.written,
    fallback: a.fallback + b.fallback,
    unresolved: mergeUnresolved(a.unresolved, b.unresolved),
    skipped: [...a.skipped, ...b.skipped],
    parked: [...a.parked, ...b.parked],
  };
}

async function run(ctx: AttemptContext, c: ReservedSql, q: PendingQuery<Row[]>): Promise<Row[]> {
  ctx.track(q);
  try {
    return await q;
  } finally {
    ctx.track(null);
  }
}

async function write(ctx: AttemptContext, c: ReservedSql, scope: BatchScope, optimistic = false): Promise<Handled> {
  const q =
    optimistic && !('ids' in scope)
      ? optimisticStatement(c, ctx.def, scope, ctx.plan)
      : batchStatement(c, ctx.def, scope, ctx.plan);
  const [row] = await run(ctx, c, q);
  return { ...parseOutcome(row!, ctx.plan.fallback !== null), parked: [] };
}

async function begin(
  ctx: AttemptContext,
  c: ReservedSql,
  lockTimeoutMs: number,
  snapshot: 'batch' | 'statement',
): Promise<void> {
  // pipelined: one round trip (postgres-js sends both before the first answer arrives)
  await Promise.all([
    snapshot === 'batch' ? c`BEGIN ISOLATION LEVEL REPEATABLE READ` : c`BEGIN`,
    c`SELECT set_config('statement_timeout', ${String(ctx.statementTimeoutMs)}, true), set_config('lock_timeout', ${String(lockTimeoutMs)}, true)`,
  ]);
}

/** Update batches over a key range go optimistic first; revisits, splits, deletes and inserts lock as they read. */
const goesOptimistic = (ctx: AttemptContext, scope: BatchScope): boolean =>
  (ctx.def.mode ?? 'update') === 'update' && !('ids' in scope);

/** What sends an optimistic batch to SKIP LOCKED: a lock held past the short timeout, or a row changed since the read. */
const OPTIMISM_FAILED = new Set([LOCK_NOT_AVAILABLE, SERIALIZATION_FAILURE]);

/**
 * The batch's write, opening its transaction: optimistic first when it may, and when that meets a
 * lock or a concurrent change, the same batch again in a new READ COMMITTED transaction with
 * SKIP LOCKED under the run's lock_timeout. Nothing of the first try survives its rollback.
 */
async function firstWrite(
  ctx: AttemptContext,
  c: ReservedSql,
  scope: BatchScope,
): Promise<Handled & { lockedRetry: boolean }> {
  if (goesOptimistic(ctx, scope)) {
    await begin(ctx, c, Math.min(ctx.lockTimeoutMs, OPTIMISTIC_LOCK_TIMEOUT_MS), 'batch');
    try {
      return { ...(await write(ctx, c, scope, true)), lockedRetry: false };
    } catch (err) {
      if (!OPTIMISM_FAILED.has(sqlState(err) ?? '')) throw err;
      await c`ROLLBACK`;
    }
  }
  await begin(ctx, c, ctx.lockTimeoutMs, 'statement');
  return { ...(await write(ctx, c, scope)), lockedRetry: goesOptimistic(ctx, scope) };
}

/**
 * Writes `ids` under a savepoint; on a data error, rolls that back and halves, down to the
 * single rows that fail, which are parked with their error. Locked rows are skipped, not waited for.
 */
async function bisect(ctx: AttemptContext, c: ReservedSql, ids: readonly number[]): Promise<Handled> {
  if (ids.length === 0) return NOTHING;
  await c`SAVEPOINT backfill_split`;
  try {
    const out = await write(ctx, c, { ids, wait: false });
    await c`RELEASE SAVEPOINT backfill_split`;
    return out;
  } catch (err) {
    if (!isDataError(err)) throw err;
    // released after the rollback, so savepoints never nest deeper than one
    await c`ROLLBACK TO SAVEPOINT backfill_split`;
    await c`RELEASE SAVEPOINT backfill_split`;
    if (ids.length === 1) return { ...NOTHING, rows: 1, parked: [parkedRow(ids[0]!, err)] };
    const [a, b] = halves(ids);
    return merge(await bisect(ctx, c, a), await bisect(ctx, c, b));
  }
}

/**
 * One transaction: the batch (or, with `isolate`, the batch split around its bad rows), the
 * waiter check and the saved state commit together. On failure the transaction is rolled back,
 * or the connection forgotten when it is gone; the caller decides what comes next.
 */
export async function attemptBatch(
  ctx: AttemptContext,
  state: RunState,
  scope: BatchScope,
  nextCursor: number | null,
  isolate: boolean,
): Promise<AttemptResult> {
  const c = ctx.session.c;
  try {
    let out: Handled & { lockedRetry: boolean };
    if (isolate) {
      await begin(ctx, c, ctx.lockTimeoutMs, 'statement');
      const ids = (await run(ctx, c, pendingKeys(c, ctx.def, scope))).map((r) => Number(r.id));
      out = { ...(await bisect(ctx, c, ids)), lockedRetry: false };
    } else {
      out = await firstWrite(ctx, c, scope);
    }
    const next = applyOutcome(state, out, scope, nextCursor);
    // pipelined, in order: the waiter check (while the locks are held), the state, the commit. A
    // failure of either statement aborts the transaction, and the COMMIT then rolls it back.
    const [waiters] = await Promise.all([lockWaitersOf(c, ctx.session.pid), saveState(c, next), c`COMMIT`]);
    return { ...out, waiters, next };
  } catch (err) {
    if (connectionLost(err)) ctx.session.drop({ dead: true });
    else await ctx.session.rollback();
    throw err;
  }
}

/** The state after a committed batch: pure, so the transaction writes exactly what the runner will hold. */
export function applyOutcome(s: RunState, out: Handled, scope: BatchScope, nextCursor: number | null): RunState {
  const listed = 'ids' in scope ? new Set<number | string>(scope.ids) : null;
  // A listed scope is either a revisit of skipped rows or a retry of parked ones: those keys leave
  // their list now (a revisit waits for its locks; a retried row that fails again is parked anew).
  return {
    ...s,
    cursor: nextCursor ?? s.cursor,
    rowsProcessed: s.rowsProcessed + out.rows,
    rowsWritten: s.rowsWritten + out.written,
    rowsFallback: s.rowsFallback + out.fallback,
    rowsUnresolved: s.rowsUnresolved + out.unresolved.reduce((n, g) => n + g.count, 0),
    unresolved: mergeUnresolved(s.unresolved, out.unresolved),
    skipped: listed ? [...s.skipped.filter((id) => !listed.has(id)), ...out.skipped] : [...s.skipped, ...out.skipped],
    parked: [...(listed ? s.parked.filter((p) => !listed.has(p.id)) : s.parked), ...out.parked],
    batches: s.batches + 1,
  };
}
