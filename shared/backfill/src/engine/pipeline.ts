import type { ReservedSql, Sql } from 'postgres';
import { JobError, EXIT, type Logger } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import type { ApiLimiter } from '../limiter.js';
import { connectionLost } from '../policy.js';
import type { BatchSession } from '../session.js';
import { saveState, type RunState, type TableCounts } from '../state.js';
import type { ProgressTicker } from '../ticker.js';
import { backOff, type PauseContext } from './pauses.js';
import { applyItems, type Item } from './apply.js';
import type { Catalog } from './catalog.js';
import { keyId, type KeySpec, type KeyText } from './keys.js';
import type { Outcome } from './outcome.js';
import { nextState, parkedKey } from './progress.js';
import type { ReadRow, ReadScope } from './read.js';
import { aheadScope, dropAhead, readAhead, readResolved } from './ahead.js';
import { withBatchRecovery, type BatchRecovery } from './recovery.js';
import { resolveInSql } from './resolve.js';
import { addCounts } from './side.js';
import type { Task } from './task.js';

/** A run in progress: the task, its walk, its session and limiter, its state and counters. */
export interface Engine {
  task: Task;
  spec: KeySpec;
  cat: Catalog;
  sql: Sql;
  log: Logger;
  signal: AbortSignal;
  session: BatchSession;
  limiter: ApiLimiter;
  ticker: ProgressTicker;
  gate: PauseContext;
  s: RunState;
  dryRun: boolean;
  batchSize: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  backoffMs: number;
  maxReconnects: number;
  maxAttempts: number;
  maxParked: number;
  /** Keys changed or locked between read and write: revisited at the end. */
  revisit: KeyText[];
  /** Parked keys not retried in this run: left out of the walk. */
  held: KeyText[];
  breaker: { ms: number; maxMs: number; stopped: boolean };
  /** Rows handled and tables changed by this run (the state holds every run's). */
  runRows: number;
  runTables: Record<string, TableCounts>;
  preview: string[];
  /** Sessions queued behind the last batch's locks at its commit (the SQL walk sees them): the next pause check includes them. */
  waiters: number[];
  /** The statement in flight, when its step tracks it: cancelled if it still runs 3 s after a shutdown signal. */
  current: { cancel(): void } | null;
  onBatch?: (b: { batch: number; rows: number; elapsedMs: number }) => unknown;
}

export async function begin(e: Engine, c: ReservedSql): Promise<void> {
  await Promise.all([
    c`BEGIN`,
    c`SELECT set_config('statement_timeout', ${String(e.statementTimeoutMs)}, true), set_config('lock_timeout', ${String(e.lockTimeoutMs)}, true)`,
  ]);
}

const describeOutcome = (i: Item): string => {
  const o = i.outcome;
  const side =
    'side' in o && o.side.length
      ? `; ${o.side.map((w) => `${w.op} ${w.table}${'rows' in w ? ` (${w.rows.length} rows)` : ''}`).join(', ')}`
      : '';
  const set = 'set' in o && Object.keys(o.set).length ? ` set ${Object.keys(o.set).join(', ')}` : '';
  return `key ${keyId(i.key)}: ${o.label}${set}${'reason' in o ? ` (${o.reason})` : ''}${side}`;
};

/** The outcomes of rows resolved in TypeScript, one per row, checked. */
async function resolveInTs(e: Engine, rows: readonly ReadRow[], signal = e.signal): Promise<Outcome[]> {
  const fn = e.task.resolve as Exclude<Task['resolve'], string>;
  const out = await fn(
    rows.map((r) => r.row),
    { fetch: e.limiter.fetch, limiter: e.limiter, sql: e.sql, log: e.log, signal },
  );
  if (out.length !== rows.length)
    throw new JobError(
      `${e.task.name}: resolve returned ${out.length} outcomes for ${rows.length} rows (one per row, in order)`,
      EXIT.FAILED,
    );
  return out;
}

/**
 * The batch's one short transaction: (a SQL resolve, under its row locks), the write plan of every
 * outcome, and the state with the new position, committed together. A dry run rolls it all back.
 */
async function commit(
  e: Engine,
  rows: readonly ReadRow[],
  outs: Outcome[] | null,
  settled: readonly KeyText[] | null,
  cut: boolean,
): Promise<void> {
  const listed = settled !== null;
  const c = e.session.c;
  await begin(e, c);
  try {
    let items: Item[];
    let missed: KeyText[] = [];
    if (rows.length === 0) items = [];
    else if (outs) items = rows.map((r, i) => ({ key: r.key, version: r.version, outcome: outs[i]! }));
    else {
      const byKey = await resolveInSql(c, e.task, e.spec, rows);
      items = rows.flatMap((r) =>
        byKey.has(keyId(r.key)) ? [{ key: r.key, version: r.version, outcome: byKey.get(keyId(r.key))! }] : [],
      );
      missed = rows.filter((r) => !byKey.has(keyId(r.key))).map((r) => r.key);
    }
    const applied = await applyItems(c, e.task, e.spec, e.cat, items);
    const position = listed || rows.length === 0 ? null : rows.at(-1)!.position;
    const next = nextState(e.task, e.s, { items, applied, missed, position, settled: settled ?? [] }, Date.now());
    next.status = 'running';
    if (e.dryRun) {
      await c`ROLLBACK`;
      for (const i of items.slice(0, Math.max(0, 20 - e.preview.length))) e.preview.push(describeOutcome(i));
    } else {
      await saveState(c, next);
      await c`COMMIT`;
    }
    for (const [t, n] of Object.entries(applied.tables)) addCounts(e.runTables, t, n);
    const handled = next.rowsProcessed - e.s.rowsProcessed;
    e.runRows += handled;
    e.s = next;
    const done = new Set((settled ?? []).map(keyId));
    e.revisit = [...e.revisit.filter((k) => !done.has(keyId(k))), ...missed, ...applied.missed];
    e.ticker.tick(next, handled);
    if (!cut && e.s.parked.length > e.maxParked) {
      throw new JobError(
        `${e.task.name}: ${e.s.parked.length} rows parked, more than ${e.maxParked}: the task or its input is likely wrong; ` +
          'stopped (see backfill.runs.parked, by reason); fix the cause, then run with --retry-parked',
        EXIT.FAILED,
      );
    }
  } catch (err) {
    if (connectionLost(err)) e.session.drop({ dead: true });
    else await e.session.rollback();
    throw err;
  }
}

/** One batch: read (autocommit), resolve (nothing open), write in one transaction. */
async function batch(e: Engine, scope: ReadScope): Promise<{ read: number; cut: boolean }> {
  const t0 = performance.now();
  const { rows, outs } = await readResolved(e, scope, resolveInTs);
  const at = outs ? outs.findIndex((o) => o.kind === 'pending' && o.hold) : -1;
  const handled = at < 0 ? rows : rows.slice(0, at);
  // listed keys leave their lists (parked, revisit), those no longer pending included, except the held ones
  const heldKeys = new Set(rows.slice(handled.length).map((r) => keyId(r.key)));
  const settled = 'keys' in scope ? scope.keys.filter((k) => !heldKeys.has(keyId(k))) : null;
  // the next batch's lookups go on while this one commits; a failed commit drops them
  if (at < 0 && going(e)) await readAhead(e, scope, rows, 'next' in scope ? (scope.next ?? 0) : 0, resolveInTs);
  if (handled.length > 0 || (settled?.length ?? 0) > 0)
    await commit(e, handled, outs?.slice(0, handled.length) ?? null, settled, at >= 0).catch(async (err: unknown) => {
      await dropAhead(e);
      throw err;
    });
  if (rows.length === 0) return { read: 0, cut: false };
  await e.onBatch?.({ batch: e.s.batches, rows: handled.length, elapsedMs: performance.now() - t0 });
  return { read: rows.length, cut: at >= 0 };
}

/** The walked rows' recovery: a timeout halves the rows read, down to one. */
const WALKED: BatchRecovery = { unit: 'rows', minSize: 1 };

/** A batch of walked rows under the engine's recovery (its read limit shrinks after a statement timeout). */
const resilientBatch = (e: Engine, scope: () => ReadScope) => withBatchRecovery(e, WALKED, () => batch(e, scope()));

/** Waits out an open circuit; each opening counts a whole cool-down toward the cap, past which the run stops resumably. */
async function pauseForBreaker(e: Engine): Promise<void> {
  const cooldown = e.limiter.breaker.cooldownMs;
  if (e.breaker.ms + cooldown > e.breaker.maxMs) {
    e.log.warn(
      `the lookup API kept failing: paused ${e.breaker.ms} ms on an open circuit, cap ${e.breaker.maxMs} ms; stopping, run again to resume`,
    );
    e.breaker.stopped = true;
    return;
  }
  e.log.warn(
    `${e.limiter.s.breakerThreshold} consecutive lookups failed: circuit open, pausing ${e.limiter.breaker.waitMs} ms`,
  );
  await sleep(e.limiter.breaker.waitMs, e.signal);
  e.breaker.ms += cooldown;
}

export const going = (e: Engine) => !e.signal.aborted && !e.breaker.stopped && !e.gate.pause.stopped;

/** Before each batch: the pause conditions (the last batch's lock waiters, once; pauseWhen, replica lag, the cap). */
export async function mayGo(e: Engine): Promise<boolean> {
  if (!going(e)) return false;
  const waiters = e.waiters;
  e.waiters = [];
  await backOff(e.gate, waiters);
  return going(e);
}

/** Listed keys in batches (parked rows due for a retry, rows to revisit), each once unless held by the breaker. */
async function walkListed(e: Engine, keys: readonly KeyText[], what: string): Promise<void> {
  if (keys.length === 0) return;
  e.log.info(`${keys.length} rows ${what}`);
  let i = 0;
  await drive(e, null, async () => {
    const chunk = keys.slice(i, i + e.batchSize);
    const r = await resilientBatch(e, () => ({ keys: chunk }));
    if (r.cut) await pauseForBreaker(e);
    else i += chunk.length;
    return i < keys.length;
  });
}

/** Whether the run's budget (rows, time) is used up; says so once. */
export type Budget = { maxRows?: number; maxMs?: number; startedAt: number; reached: boolean };

export function budgetLeft(e: Engine, b: Budget): number {
  const rows = b.maxRows === undefined ? Infinity : b.maxRows - e.runRows;
  const time = b.maxMs === undefined ? Infinity : b.maxMs - (Date.now() - b.startedAt);
  if (rows <= 0 || time <= 0) {
    if (!b.reached)
      e.log.info(`budget reached (${rows <= 0 ? `${b.maxRows} rows` : `${b.maxMs} ms`}); the next run resumes here`);
    b.reached = true;
    return 0;
  }
  return rows;
}

/**
 * The one batch loop of every kind of task: before each batch the pause conditions (with the lock
 * waiters the last batch saw), then the run's budget (`null`: none); `next` runs one batch of at
 * most `limit` and says whether there is more.
 */
export async function drive(
  e: Engine,
  budget: Budget | null,
  next: (limit: number) => Promise<boolean>,
): Promise<void> {
  while (await mayGo(e)) {
    const left = budget ? budgetLeft(e, budget) : Infinity;
    if (left <= 0) return;
    if (!(await next(Math.min(e.batchSize, left)))) return;
  }
}

/** The walk: due parked rows, then the keyset from the saved position to the end (or the budget), then the revisits. */
export async function walk(e: Engine, due: readonly KeyText[], budget: Budget, maxRevisits: number): Promise<void> {
  await walkListed(e, due, 'parked before, due for a retry');
  await drive(e, budget, async (limit) => {
    // a retry after a statement timeout reads fewer rows: the walk ends only on a short read at the limit used
    let used = limit;
    const left = budgetLeft(e, budget);
    // every parked key is left out: the due ones were retried just before
    const r = await resilientBatch(e, () => {
      used = Math.min(limit, e.batchSize);
      // the next batch is read ahead within the rows budget; a time budget reads nothing it may not write
      return {
        after: e.s.position ?? null,
        limit: used,
        exclude: e.s.parked.map(parkedKey),
        next: budget.maxMs === undefined ? Math.max(0, left - used) : 0,
      };
    });
    if (r.cut) await pauseForBreaker(e);
    return r.cut || r.read >= used;
  });
  // none by construction when the budget ended the walk: a read-ahead stays within it
  if (budget.reached) await dropAhead(e);
  // stopped (signal, breaker, pause cap) with the next batch read ahead: it is in flight, so it finishes
  const inFlight = await aheadScope(e);
  if (inFlight) await resilientBatch(e, () => inFlight);
  for (let round = 0; round < maxRevisits && e.revisit.length > 0 && going(e); round++) {
    await walkListed(e, [...e.revisit], 'changed or locked by another session since they were read: revisiting');
  }
}

/** Parked rows due for a retry now: by the task's policy (time passed, tries left), or every one with retryParked. */
export function dueParked(task: Task, s: RunState, retryParked: boolean | 'due', now: number): KeyText[] {
  return s.parked
    .filter((p) => {
      const timeOk = !p.retryAfter || Date.parse(p.retryAfter) <= now;
      if (retryParked === true) return true;
      if (retryParked === 'due') return timeOk;
      return !!task.retry && timeOk && (p.attempts ?? 1) < task.retry.maxAttempts;
    })
    .map(parkedKey);
}
