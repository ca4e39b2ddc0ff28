import type { ReservedSql, Sql } from 'postgres';
import { sqlState } from '@wxyc/database';
import { isDataError } from '../policy.js';
import type { TableCounts } from '../state.js';
import type { Catalog } from './catalog.js';
import { keyId, type KeySpec, type KeyText } from './keys.js';
import { changes, type Outcome } from './outcome.js';
import { addCounts, applySide, coalesce } from './side.js';
import type { Task } from './task.js';
import { claim, deleteWalked, updateWalked } from './walked.js';

/** A read row with its outcome: what the write transaction applies. */
export interface Item {
  key: KeyText;
  version: string | null;
  outcome: Outcome;
}

export interface Applied {
  /** Items whose outcome was applied (changes written, or nothing to write). */
  done: Item[];
  /** Rows changed or locked by another session since the read: not written, revisited. */
  missed: KeyText[];
  /** Items whose write failed on a data error: parked with the SQLSTATE and the server's message. */
  failed: { item: Item; code: string; message: string }[];
  tables: Record<string, TableCounts>;
}

const touchesWalked = (o: Outcome) =>
  o.kind === 'remove' || o.kind === 'stamp' || (o.kind === 'write' && Object.keys(o.set).length > 0);

/** The items' writes: walked rows (set and stamp, delete), then the side writes, counted by table. */
async function writeAll(
  c: Sql,
  task: Task,
  spec: KeySpec,
  cat: Catalog,
  items: readonly Item[],
  tables: Record<string, TableCounts>,
): Promise<void> {
  const sets = items
    .flatMap((i) =>
      i.outcome.kind === 'write' || i.outcome.kind === 'stamp' ? [{ key: i.key, set: i.outcome.set, stamp: true }] : [],
    )
    .filter((s) => Object.keys(s.set).length > 0 || task.attempted);
  const removed = items.filter((i) => i.outcome.kind === 'remove');
  // side writes first: a removed row's references are repointed before it goes
  for (const { w, dropped } of coalesce(items.flatMap((i) => ('side' in i.outcome ? i.outcome.side : [])))) {
    addCounts(tables, w.table, await applySide(c, cat, w));
    if (dropped) addCounts(tables, w.table, { unchanged: dropped });
  }
  addCounts(tables, task.table, { updated: await updateWalked(c, task, spec, cat, sets) });
  addCounts(tables, task.table, {
    deleted: await deleteWalked(
      c,
      task,
      spec,
      removed.map((i) => i.key),
    ),
  });
}

/**
 * Inside the batch's open transaction: claim the rows to change (still pending, unchanged, not
 * held), then apply every claimed outcome under one savepoint; on a data error (class 22/23), each
 * item again under its own savepoint, so one bad row (or one bad group) is parked and the rest written.
 */
export async function applyItems(
  c: ReservedSql,
  task: Task,
  spec: KeySpec,
  cat: Catalog,
  items: readonly Item[],
): Promise<Applied> {
  const writing = items.filter((i) => changes(i.outcome));
  const mustClaim = writing.filter((i) => !task.read || touchesWalked(i.outcome));
  const claimed = new Set((await claim(c, task, spec, mustClaim)).map(keyId));
  const isClaimed = (i: Item) => claimed.has(keyId(i.key));
  const missed = mustClaim.filter((i) => !isClaimed(i)).map((i) => i.key);
  const ok = writing.filter((i) => !mustClaim.includes(i) || isClaimed(i));
  const done = [...items.filter((i) => !changes(i.outcome)), ...ok];
  const tables: Record<string, TableCounts> = {};
  if (ok.length === 0) return { done, missed, failed: [], tables };
  await c`SAVEPOINT task_batch`;
  try {
    await writeAll(c, task, spec, cat, ok, tables);
    await c`RELEASE SAVEPOINT task_batch`;
    return { done, missed, failed: [], tables };
  } catch (err) {
    if (!isDataError(err)) throw err;
    await c`ROLLBACK TO SAVEPOINT task_batch`;
    await c`RELEASE SAVEPOINT task_batch`;
  }
  const failed: Applied['failed'] = [];
  const each: Record<string, TableCounts> = {};
  for (const item of ok) {
    await c`SAVEPOINT task_item`;
    const mine: Record<string, TableCounts> = {};
    try {
      await writeAll(c, task, spec, cat, [item], mine);
      for (const [t, n] of Object.entries(mine)) addCounts(each, t, n);
    } catch (err) {
      if (!isDataError(err)) throw err;
      await c`ROLLBACK TO SAVEPOINT task_item`;
      failed.push({ item, code: sqlState(err) ?? '?????', message: (err as Error).message });
    }
    await c`RELEASE SAVEPOINT task_item`;
  }
  const bad = new Set(failed.map((f) => f.item));
  return { done: done.filter((i) => !bad.has(i)), missed, failed, tables: each };
}
