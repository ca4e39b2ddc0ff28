import type { KeyText } from './keys.js';
import type { Outcome } from './outcome.js';
import { readBatch, type ReadRow, type ReadScope } from './read.js';
import type { Engine } from './pipeline.js';

/** A batch's rows and, resolved in TypeScript, their outcomes (null: a SQL resolve, done in the write). */
export interface Resolved {
  rows: ReadRow[];
  outs: Outcome[] | null;
}

type ResolveTs = (e: Engine, rows: readonly ReadRow[], signal: AbortSignal) => Promise<Outcome[]>;

/** The walk's next batch, read before the current one commits and being resolved while it does. */
interface Ahead {
  after: string[];
  limit: number;
  exclude: readonly KeyText[];
  rows: ReadRow[];
  outs: Promise<Outcome[]>;
  stop: AbortController;
}

const aheadOf = new WeakMap<Engine, Ahead>();

/**
 * Whether a task's batches may be read ahead: a TypeScript resolve over the walked table. The
 * write's claim re-checks each row's pending predicate and version, so a row the current batch's
 * commit changed is not written from the early read (it is revisited). A read query has no
 * version to check, and a SQL resolve runs inside the write, so neither is read ahead.
 */
export const readsAhead = (e: Engine) => typeof e.task.resolve !== 'string' && !e.task.read;

/** Forgets the batch read ahead, its lookups stopped (its rows were not written: they stay pending). */
export async function dropAhead(e: Engine): Promise<void> {
  const a = aheadOf.get(e);
  aheadOf.delete(e);
  if (!a) return;
  a.stop.abort();
  await a.outs.catch(() => {});
}

/**
 * A batch's rows and outcomes: the batch read ahead when it is the one asked for (same position,
 * no more rows than it read), else read and resolved now. A stale read-ahead (the walk went back
 * to the committed position after a failure, or the budget shrank the batch) is dropped.
 */
export async function readResolved(e: Engine, scope: ReadScope, resolve: ResolveTs): Promise<Resolved> {
  const a = aheadOf.get(e);
  if (a && 'after' in scope && scope.after !== null && sameKey(a.after, scope.after) && scope.limit <= a.limit) {
    aheadOf.delete(e);
    const outs = await a.outs;
    return { rows: a.rows.slice(0, scope.limit), outs: outs.slice(0, scope.limit) };
  }
  await dropAhead(e);
  const rows = await readBatch(e.session.c, e.task, e.spec, scope);
  const outs = rows.length === 0 || typeof e.task.resolve === 'string' ? null : await resolve(e, rows, e.signal);
  return { rows, outs };
}

/**
 * Before a batch of the walk commits: reads the next batch (on the batch connection, so a
 * session's `prepare` applies) and starts resolving it, so the lookups go on while the write
 * commits (and the limiter does not wait on it). `next` is how many rows the run's budget lets the
 * walk take after this batch; nothing is read ahead while the task's pause condition holds. Never
 * throws: a fault here is met again by the batch's own write.
 */
export async function readAhead(
  e: Engine,
  scope: ReadScope,
  rows: readonly ReadRow[],
  next: number,
  resolve: ResolveTs,
): Promise<void> {
  if (!readsAhead(e) || !('after' in scope) || rows.length < scope.limit || next <= 0) return;
  if (!e.session.alive) return; // lost while resolving: the write meets it and reconnects
  const limit = Math.min(scope.limit, next);
  const after = rows.at(-1)!.position;
  let read: ReadRow[];
  try {
    // no lookups start while the task would pause (a DJ on air); the walk's own check comes before the next write
    if (!e.gate.pause.capReached && (await e.task.pauseWhen?.(e.sql))) return;
    read = await readBatch(e.session.c, e.task, e.spec, { after, limit, exclude: scope.exclude });
  } catch {
    return; // the batch's own write meets the same fault and recovers; the next batch is read then
  }
  const stop = new AbortController();
  const outs = read.length ? resolve(e, read, AbortSignal.any([e.signal, stop.signal])) : Promise.resolve([]);
  outs.catch(() => {}); // its failure is the next batch's, thrown when it is taken
  aheadOf.set(e, { after, limit, exclude: scope.exclude, rows: read, outs, stop });
}

/**
 * The scope of the batch read ahead, when it follows on from the committed position: a walk that
 * stops (signal, breaker, pause cap) runs it as its last batch, because its lookups are in flight
 * or done. One that does not (the batch before it was cut short) is dropped: its rows stay pending.
 */
export async function aheadScope(e: Engine): Promise<ReadScope | null> {
  const a = aheadOf.get(e);
  if (a && e.s.position && sameKey(a.after, e.s.position))
    return { after: a.after, limit: a.limit, exclude: a.exclude, next: 0 };
  await dropAhead(e);
  return null;
}

const sameKey = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
