import type { ReservedSql, Sql } from 'postgres';
import { JobError, EXIT, isUnreachable, type Logger } from '@wxyc/job-runtime';
import type { BackfillDefinition } from './definition.js';
import { batchStatement, parseOutcome, type BatchOutcome, type BatchScope, type UnresolvedGroup } from './batch-sql.js';
import { lockWaitersOf, pauseReason, replicaLagMs } from './backoff.js';
import { batchLine, etaMs } from './format.js';
import { initialBatchSize, nextBatchSize, sizeAfterTimeout, MIN_BATCH_SIZE } from './sizing.js';
import { deleteState, ensureStateTable, freshState, loadState, mergeUnresolved, saveState, type RunState } from './state.js';

export interface RunOptions {
  /** A pool with room for two connections: one reserved for the batches, one to watch. */
  sql: Sql;
  log: Logger;
  signal?: AbortSignal;
  /** Initial batch size (keys per batch); adapted toward targetMs afterwards. */
  batchSize: number;
  targetMs: number;
  /** Sleep between batches. */
  pauseMs?: number;
  maxReplicaLagMs?: number;
  dryRun?: boolean;
  /** Forget the saved position and start over. */
  reset?: boolean;
  /** Written to rows that cannot be resolved instead of leaving them pending. */
  fallback?: string | null;
  /** Per-batch statement_timeout; a batch that hits it is retried at half the size. */
  statementTimeoutMs?: number;
  /** Per-batch lock_timeout: the longest the backfill waits for a lock. */
  lockTimeoutMs?: number;
  /** How long to pause when the back-off check fires, before checking again. */
  backoffMs?: number;
  /** Consecutive failed attempts of one batch (timeouts at the minimum size, lock timeouts, reconnects) before giving up. */
  maxAttempts?: number;
  /** Seen after each committed batch (benchmarks, tests); awaited before the next batch. */
  onBatch?: (b: BatchReport) => unknown;
  /** Replica lag probe; defaults to pg_stat_replication. */
  replicaLag?: (sql: Sql) => Promise<number>;
}

export interface BatchReport extends BatchOutcome {
  batch: number;
  size: number;
  elapsedMs: number;
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
  /** Rows still held by another session after the last revisit: left pending. */
  stillLocked: number[];
  cursor: number;
  batches: number;
  elapsedMs: number;
}

const SQLSTATE = { statementTimeout: '57014', lockTimeout: '55P03', deadlock: '40P01', serialization: '40001' } as const;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

const codeOf = (err: unknown) => (err as { code?: string })?.code;

/**
 * Runs a backfill to the end: walks the key in order with a keyset cursor, one transaction
 * per batch (cursor saved in it), sized toward targetMs, pausing when others wait on it or a
 * replica lags, then revisits rows that were locked by others. Returns when done, or when
 * `signal` aborts (the batch in flight commits or rolls back first).
 */
export async function runBackfill(def: BackfillDefinition, o: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { sql, log, signal } = o;
  const targetMs = o.targetMs;
  const statementTimeoutMs = o.statementTimeoutMs ?? Math.max(5_000, targetMs * 10);
  const lockTimeoutMs = o.lockTimeoutMs ?? 2_000;
  const backoffMs = o.backoffMs ?? 1_000;
  const maxAttempts = o.maxAttempts ?? 8;
  const fallback = def.writesNull ? null : (o.fallback ?? null);
  const probeLag = o.replicaLag ?? replicaLagMs;
  const maxLag = o.maxReplicaLagMs ?? 5_000;

  if (o.reset && !o.dryRun) {
    await deleteState(sql, def.name);
    log.info(`--reset: forgot the saved position of ${def.name}; starting over`);
  }
  const saved = o.reset ? null : await loadState(sql, def.name);
  const resuming = saved !== null && saved.status !== 'done';
  const state: RunState = resuming ? saved : freshState(def.name, initialBatchSize(o.batchSize), 0);
  if (resuming) {
    state.status = 'running';
    state.batchSize = initialBatchSize(o.batchSize);
    log.info(`resuming ${def.name} after key ${state.cursor} (${state.rowsProcessed} rows processed by earlier runs)`);
  } else if (saved?.status === 'done') {
    log.info(`${def.name} finished before; walking the table again for rows that are pending now`);
  }

  let conn: ReservedSql | null = null;
  let pid = 0;
  const connect = async () => {
    conn?.release();
    conn = await sql.reserve();
    // The work is idempotent and restartable: do not wait for each commit's WAL flush.
    await conn`SET synchronous_commit = off`;
    const [row] = await conn<{ pid: number; locked: boolean }[]>`
      SELECT pg_backend_pid() AS pid, pg_try_advisory_lock(hashtext('backfill:' || ${def.name})) AS locked`;
    if (!row!.locked) {
      throw new JobError(`another run of ${def.name} is in progress (advisory lock held); wait for it or stop it first`, EXIT.FAILED);
    }
    pid = row!.pid;
    await def.prepare?.(conn);
    return conn;
  };

  const summary = (interrupted: boolean, stillLocked: number[] = []): RunSummary => ({
    name: def.name,
    dryRun: !!o.dryRun,
    interrupted,
    pendingAtStart: state.pendingAtStart,
    rowsProcessed: state.rowsProcessed,
    rowsWritten: state.rowsWritten,
    rowsFallback: state.rowsFallback,
    rowsUnresolved: state.rowsUnresolved,
    unresolved: state.unresolved,
    stillLocked,
    cursor: state.cursor,
    batches: state.batches,
    elapsedMs: Date.now() - started,
  });

  const t = sql.unsafe(def.table);
  const key = sql.unsafe(def.key);
  const pending = sql.unsafe(def.pending);
  const maxKey = async () =>
    Number((await sql<{ m: string | null }[]>`SELECT max(${key})::bigint AS m FROM ${t}`)[0]!.m ?? 0);
  // The one count of the run; progress afterwards is arithmetic on what the batches report.
  const [counted] = await sql<{ n: string }[]>`
    SELECT count(*) AS n FROM ${t} t WHERE t.${key} > ${state.cursor} AND (${pending})`;
  let end = await maxKey();
  const remainingAtStart = Number(counted!.n) + state.skipped.length;
  state.pendingAtStart = state.rowsProcessed + remainingAtStart;

  if (o.dryRun) {
    const batchesEst = Math.ceil(Math.max(0, end - state.cursor) / state.batchSize);
    log.info(
      `dry run: ${remainingAtStart} pending rows in ${def.table} with ${def.key} in (${state.cursor}, ${end}]; ` +
        `first batch ${state.batchSize} keys, about ${batchesEst} batches at that size (sized toward ${targetMs} ms each); nothing written`,
    );
    return summary(false);
  }

  await ensureStateTable(sql);
  await connect();
  log.info(
    `${def.name}: ${remainingAtStart} pending rows in ${def.table} with ${def.key} in (${state.cursor}, ${end}]; ` +
      `batch size ${state.batchSize}, target ${targetMs} ms per batch`,
  );

  let current: { cancel(): void } | null = null;
  let cancelTimer: NodeJS.Timeout | undefined;
  // A batch is bounded by statement_timeout, but the operator was promised an exit within
  // seconds: if one is still running 3 s after the signal, cancel it (it rolls back).
  const onAbort = () => {
    cancelTimer = setTimeout(() => current?.cancel(), 3_000);
    cancelTimer.unref();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const runStartedAt = Date.now();
  let processedThisRun = 0;

  /** One transaction: the batch statement, the waiter check and the saved state commit together. */
  const attempt = async (scope: BatchScope, nextCursor: number | null): Promise<BatchOutcome & { waiters: number[] }> => {
    const c = conn!;
    await c`BEGIN`;
    try {
      await c`SELECT set_config('statement_timeout', ${String(statementTimeoutMs)}, true), set_config('lock_timeout', ${String(lockTimeoutMs)}, true)`;
      const q = batchStatement(c, def, scope, fallback);
      current = q;
      const [row] = await q;
      current = null;
      const outcome = parseOutcome(row!, fallback);
      // Sessions queued behind this batch's row locks right now: pause after committing.
      const waiters = await lockWaitersOf(c, pid);
      const next = applyOutcome(state, outcome, scope, nextCursor);
      await saveState(c, next);
      await c`COMMIT`;
      Object.assign(state, next);
      return { ...outcome, waiters };
    } catch (err) {
      current = null;
      await c`ROLLBACK`.catch(() => {});
      throw err;
    }
  };

  /** Runs a batch with bounded retries: smaller after a timeout, later after a lock timeout, again after a reconnect. */
  const runBatch = async (mkScope: (size: number) => BatchScope, cursorAfter: (size: number) => number | null) => {
    let failures = 0;
    for (;;) {
      const size = state.batchSize;
      const t0 = performance.now();
      try {
        const out = await attempt(mkScope(size), cursorAfter(size));
        return { out, size, elapsedMs: performance.now() - t0 };
      } catch (err) {
        if (signal?.aborted) throw err;
        const code = codeOf(err);
        // Halving is progress; only timeouts at the minimum size and other retries use up attempts.
        const halving = code === SQLSTATE.statementTimeout && size > MIN_BATCH_SIZE;
        if (!halving && ++failures >= maxAttempts) throw err;
        if (code === SQLSTATE.statementTimeout) {
          const smaller = sizeAfterTimeout(size);
          log.warn(`batch of ${size} keys hit statement_timeout (${statementTimeoutMs} ms); retrying with ${smaller}`);
          state.batchSize = smaller;
        } else if (code === SQLSTATE.lockTimeout || code === SQLSTATE.deadlock || code === SQLSTATE.serialization) {
          log.warn(`batch waited too long for a lock (${code}); retrying in ${backoffMs} ms`);
          await sleep(backoffMs, signal);
        } else if (isUnreachable(err)) {
          log.warn(`connection lost (${code}); reconnecting`);
          await sleep(backoffMs, signal);
          await connect();
        } else {
          throw err;
        }
      }
    }
  };

  const backOff = async (waiters: number[]) => {
    let reason = pauseReason({ lockWaiters: waiters, replicaLagMs: await probeLag(sql) }, maxLag);
    while (reason && !signal?.aborted) {
      log.info(`pausing ${backoffMs} ms: ${reason}`);
      await sleep(backoffMs, signal);
      reason = pauseReason({ lockWaiters: await lockWaitersOf(sql, pid), replicaLagMs: await probeLag(sql) }, maxLag);
    }
  };

  const report = async (r: { out: BatchOutcome; size: number; elapsedMs: number }) => {
    processedThisRun += r.out.rows;
    const remaining = Math.max(0, state.pendingAtStart - state.rowsProcessed);
    log.info(
      batchLine({
        batch: state.batches,
        rows: r.out.rows,
        processed: state.rowsProcessed,
        remaining,
        etaMs: etaMs(processedThisRun, remaining, Date.now() - runStartedAt),
      }),
    );
    await o.onBatch?.({ ...r.out, batch: state.batches, size: r.size, elapsedMs: r.elapsedMs });
  };

  try {
    let waiters: number[] = [];
    // Main walk: key ranges (cursor, cursor + size]; rows added beyond the end meanwhile are walked too.
    for (;;) {
      if (state.cursor >= end) {
        end = await maxKey();
        if (state.cursor >= end) break;
      }
      if (signal?.aborted) break;
      await backOff(waiters);
      if (signal?.aborted) break;
      const lo = state.cursor;
      const hiFor = (size: number) => Math.min(lo + size, end);
      const r = await runBatch((size) => ({ lo, hi: hiFor(size) }), hiFor);
      waiters = r.out.waiters;
      await report(r);
      state.batchSize = nextBatchSize(r.size, r.elapsedMs, targetMs);
      await sleep(o.pauseMs ?? 0, signal);
    }

    // Revisit rows skipped because another session held them; now wait for them (bounded by lock_timeout).
    let stillLocked: number[] = [];
    for (let round = 0; state.skipped.length > 0 && !signal?.aborted && round < maxAttempts; round++) {
      const ids = state.skipped.slice(0, 1000);
      log.info(`revisiting ${state.skipped.length} rows that were locked by another session`);
      try {
        const r = await attempt({ ids }, null);
        await report({ out: r, size: ids.length, elapsedMs: 0 });
        round = -1; // progress: the retry budget is per stuck chunk
      } catch (err) {
        if (codeOf(err) !== SQLSTATE.lockTimeout && codeOf(err) !== SQLSTATE.deadlock) throw err;
        log.warn(`${ids.length} skipped rows are still locked by another session; retrying in ${backoffMs} ms`);
        await sleep(backoffMs, signal);
      }
    }
    if (!signal?.aborted) stillLocked = state.skipped;

    const interrupted = !!signal?.aborted;
    state.status = interrupted ? 'interrupted' : 'done';
    await saveState(conn!, state);
    return summary(interrupted, stillLocked);
  } catch (err) {
    if (signal?.aborted) {
      state.status = 'interrupted';
      await saveState(sql, state).catch(() => {});
      return summary(true);
    }
    state.status = 'failed';
    await saveState(sql, state).catch(() => {});
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(cancelTimer);
    const c = conn as ReservedSql | null;
    if (c) {
      await c`SELECT pg_advisory_unlock(hashtext('backfill:' || ${def.name}))`.catch(() => {});
      c.release();
    }
  }
}

/** The state after a committed batch: pure, so the transaction writes exactly what the runner will hold. */
export function applyOutcome(s: RunState, out: BatchOutcome, scope: BatchScope, nextCursor: number | null): RunState {
  const revisited = 'ids' in scope ? new Set(scope.ids) : null;
  const stillSkipped = revisited ? s.skipped.filter((id) => !revisited.has(id)) : s.skipped;
  return {
    ...s,
    cursor: nextCursor ?? s.cursor,
    rowsProcessed: s.rowsProcessed + out.rows,
    rowsWritten: s.rowsWritten + out.written,
    rowsFallback: s.rowsFallback + out.fallback,
    rowsUnresolved: s.rowsUnresolved + out.unresolved.reduce((n, g) => n + g.count, 0),
    unresolved: mergeUnresolved(s.unresolved, out.unresolved),
    // A revisit waits for its locks, so what it did not lock is no longer pending.
    skipped: revisited ? stillSkipped : [...s.skipped, ...out.skipped],
    batches: s.batches + 1,
  };
}


