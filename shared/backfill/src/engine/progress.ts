import type { ParkedRow } from '../parking.js';
import type { RunState, TableCounts } from '../state.js';
import type { Applied, Item } from './apply.js';
import { keyId, numericKey, type KeyText } from './keys.js';
import type { Task } from './task.js';
import { addCounts } from './side.js';

/** Longest a parked row waits for its automatic retry when nothing says otherwise, and the cap on any wait (a 10-year Retry-After included). */
export const DEFAULT_PARK_MS = 3_600_000;
export const MAX_PARK_MS = 7 * 86_400_000;

/** A parked row of a task: any key (its text values), the reason, when it may be retried, tries so far. */
export function parkedOf(
  task: Task,
  key: KeyText,
  code: string,
  message: string,
  retryAfterMs: number | undefined,
  attempts: number,
  now: number,
): ParkedRow {
  const cap = task.retry?.maxAfterMs ?? MAX_PARK_MS;
  const wanted = retryAfterMs ?? task.retry?.afterMs ?? DEFAULT_PARK_MS;
  const wait = Number.isFinite(wanted) ? Math.min(Math.max(0, wanted), cap) : cap;
  return {
    id: numericKey(key) ?? keyId(key),
    key,
    sqlstate: code,
    message,
    retryAfter: new Date(now + wait).toISOString(),
    attempts,
  };
}

export const parkedKey = (p: ParkedRow): KeyText => p.key ?? [String(p.id)];

/** What one committed batch did, for the state that commits with it. */
export interface BatchResult {
  items: readonly Item[];
  applied: Applied;
  /** Rows read but not handled: locked or changed meanwhile (revisited at the end). */
  missed: readonly KeyText[];
  /** The walk's new position (null: a listed batch, which does not move it). */
  position: string[] | null;
  /** Listed keys this batch settled: they leave the parked and revisit lists (and re-enter if they fail again). */
  settled: readonly KeyText[];
}

/** The state after a batch: pure, so the transaction saves exactly what the run then holds. */
export function nextState(task: Task, s: RunState, b: BatchResult, now: number): RunState {
  const settled = new Set(b.settled.map(keyId));
  const before = new Map(s.parked.map((p) => [keyId(parkedKey(p)), p]));
  const tries = (k: KeyText) => (settled.has(keyId(k)) ? (before.get(keyId(k))?.attempts ?? 1) : 0) + 1;
  const parked: ParkedRow[] = [];
  for (const i of b.applied.done) {
    if (i.outcome.kind === 'park')
      parked.push(parkedOf(task, i.key, i.outcome.code, i.outcome.reason, i.outcome.retryAfterMs, tries(i.key), now));
  }
  for (const f of b.applied.failed)
    parked.push(parkedOf(task, f.item.key, f.code, f.message, undefined, tries(f.item.key), now));
  const outcomes = { ...(s.outcomes ?? {}) };
  for (const i of b.applied.done) outcomes[i.outcome.label] = (outcomes[i.outcome.label] ?? 0) + 1;
  if (b.applied.failed.length) outcomes.parked = (outcomes.parked ?? 0) + b.applied.failed.length;
  const tables: Record<string, TableCounts> = JSON.parse(JSON.stringify(s.tables ?? {}));
  for (const [t, n] of Object.entries(b.applied.tables)) addCounts(tables, t, n);
  const written = b.applied.done.filter((i) => i.outcome.kind === 'write' || i.outcome.kind === 'remove').length;
  const missed = [...b.missed, ...b.applied.missed];
  const cursor = b.position ? numericKey(b.position.slice(-1)) : null;
  return {
    ...s,
    position: b.position ?? s.position ?? null,
    cursor: cursor ?? s.cursor,
    rowsProcessed: s.rowsProcessed + b.applied.done.length + b.applied.failed.length,
    rowsWritten: s.rowsWritten + written,
    skipped: [
      ...s.skipped.filter((id) => !settled.has(String(id))),
      ...missed.map(numericKey).filter((n): n is number => n !== null),
    ],
    parked: [...s.parked.filter((p) => !settled.has(keyId(parkedKey(p)))), ...parked],
    outcomes,
    tables,
    batches: s.batches + 1,
  };
}
