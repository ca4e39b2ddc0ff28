/**
 * What a resolved row becomes. Every outcome is counted under its `label` (the summary's counts
 * per outcome); only `write`, `stamp` and `remove` change data, in the batch's one transaction.
 */
export type Outcome =
  /** Set columns of the walked row (and stamp `attempted`), plus writes to other tables. */
  | { kind: 'write'; label: string; set: Record<string, unknown>; side: SideWrite[] }
  /** Only stamp `attempted` (and any `set`): a definitive no-match or a trust rejection; re-asked after the TTL. */
  | { kind: 'stamp'; label: string; set: Record<string, unknown>; side: SideWrite[] }
  /** Delete the walked row (after `side`, e.g. repointed foreign keys). */
  | { kind: 'remove'; label: string; side: SideWrite[] }
  /** Nothing written, nothing stamped: transient (timeout, 5xx, open breaker, shutdown); pending next run. `hold` keeps the cursor before it. */
  | { kind: 'pending'; label: string; reason: string; hold: boolean }
  /** Bad input: parked with its reason, retried by the task's retry policy. */
  | { kind: 'park'; label: string; reason: string; code: string; retryAfterMs?: number }
  /** Left as it is, counted under its reason (a SQL resolve's `reason`). */
  | { kind: 'skip'; label: string; reason: string };

/** How an upsert treats a row that exists: overwrite, write only if something differs, or fill only its NULLs. */
export type Merge = 'overwrite' | 'no-churn' | 'fill-null';

/** A write to another table, applied in the batch's transaction with its row's outcome. */
export type SideWrite =
  | { op: 'insert'; table: string; rows: Record<string, unknown>[] }
  | { op: 'upsert'; table: string; rows: Record<string, unknown>[]; conflict: readonly string[]; merge: Merge }
  /** Delete the rows matching `scope` (column = value), then insert `rows`: the set replaced. */
  | { op: 'replace'; table: string; scope: Record<string, unknown>; rows: Record<string, unknown>[] }
  /** UPDATE table SET set WHERE column = ANY(values): e.g. repoint foreign keys of a merged cluster. */
  | { op: 'update'; table: string; set: Record<string, unknown>; where: Record<string, readonly unknown[]> }
  | { op: 'delete'; table: string; where: Record<string, readonly unknown[]> };

interface Extra {
  label?: string;
  side?: SideWrite[];
}

/** Outcome constructors: what a resolve returns per row. */
export const outcome = {
  write: (set: Record<string, unknown>, x: Extra = {}): Outcome => ({
    kind: 'write',
    label: x.label ?? 'written',
    set,
    side: x.side ?? [],
  }),
  stamp: (label: string, x: { set?: Record<string, unknown>; side?: SideWrite[] } = {}): Outcome => ({
    kind: 'stamp',
    label,
    set: x.set ?? {},
    side: x.side ?? [],
  }),
  remove: (x: Extra = {}): Outcome => ({ kind: 'remove', label: x.label ?? 'deleted', side: x.side ?? [] }),
  /** Only side writes: the walked row is read, not changed (copy, upsert into a side table). */
  side: (side: SideWrite[], label = 'written'): Outcome => ({ kind: 'write', label, set: {}, side }),
  pending: (reason: string, label = 'transient'): Outcome => ({ kind: 'pending', label, reason, hold: false }),
  park: (reason: string, x: { retryAfterMs?: number; code?: string; label?: string } = {}): Outcome => ({
    kind: 'park',
    label: x.label ?? 'parked',
    reason,
    code: x.code ?? 'PARKD',
    retryAfterMs: x.retryAfterMs,
  }),
  skip: (reason: string, label = 'unresolved'): Outcome => ({ kind: 'skip', label, reason }),
};

/** Whether an outcome changes data in the write transaction. */
export const changes = (o: Outcome): boolean => o.kind === 'write' || o.kind === 'stamp' || o.kind === 'remove';
