import type { Sql } from 'postgres';
import { loadState, type TaskStanding } from '../state.js';
import type { Task } from './task.js';
import { keyIn, keySpec, type KeySpec, type KeyText } from './keys.js';
import { parkedKey } from './progress.js';

/** What ops:status shows for a task: rows it would handle now, rows waiting for their re-ask TTL, parked rows. */
export interface TaskStatus {
  name: string;
  pending: number;
  waitingForTtl: number;
  parked: number;
  status: string | null;
  updatedAt: Date | null;
}

/** A task's rows by where they stand, counted in one scan of the rows its own `pending` matches. */
export interface Standing {
  /** Pending now (within the TTL left out), parked rows included: what a fresh walk would read. */
  ahead: number;
  /** The same without the parked rows: rows the next run handles (parked ones wait for their retry). */
  pending: number;
  /** Matching `pending` but stamped within `attempted.reaskAfterDays`: asked again once it passes. */
  waitingForTtl: number;
  /** When counted, by the database's clock. */
  at: Date;
}

/** The task's standing (a partial index on `pending` serves the scan; a read query is counted whole). */
export async function standingOf(sql: Sql, task: Task, spec: KeySpec, parked: readonly KeyText[]): Promise<Standing> {
  const source = task.read ? sql`(${sql.unsafe(task.read)}) t` : sql`${sql.unsafe(task.table)} t`;
  const own = task.read ? sql`true` : sql`(${sql.unsafe(task.pending ?? 'true')})`;
  const a = task.attempted && !task.read ? sql`t.${sql.unsafe(task.attempted.column)}` : null;
  const fresh = a
    ? sql`(${a} IS NULL OR ${a} < now() - make_interval(days => ${task.attempted!.reaskAfterDays}::int))`
    : sql`true`;
  const isParked = parked.length ? keyIn(sql, spec, parked) : sql`false`;
  const [r] = await sql<{ ahead: string; pending: string; waiting: string; at: Date }[]>`
    SELECT count(*) FILTER (WHERE x.fresh) AS ahead, count(*) FILTER (WHERE x.fresh AND NOT x.parked) AS pending,
           count(*) FILTER (WHERE NOT x.fresh) AS waiting, now() AS at
    FROM (SELECT ${fresh} AS fresh, ${isParked} AS parked FROM ${source} WHERE ${own}) x`;
  return { ahead: Number(r!.ahead), pending: Number(r!.pending), waitingForTtl: Number(r!.waiting), at: r!.at };
}

/** The state row's record of a standing. */
export const standingRow = (s: Standing, parked: number): TaskStanding => ({
  pending: s.pending,
  waitingForTtl: s.waitingForTtl,
  parked,
  at: s.at.toISOString(),
});

/** Counts a task's rows by where they stand, with its definition (ops:status shows the last run's counts). */
export async function taskStatus(sql: Sql, task: Task): Promise<TaskStatus> {
  const state = await loadState(sql, task.name);
  const parked = (state?.parked ?? []).map(parkedKey);
  const st = await standingOf(sql, task, await keySpec(sql, task), parked);
  const [u] = state
    ? await sql<{ at: Date }[]>`SELECT updated_at AS at FROM backfill.runs WHERE name = ${task.name}`
    : [];
  return {
    name: task.name,
    pending: st.pending,
    waitingForTtl: st.waitingForTtl,
    parked: parked.length,
    status: state?.status ?? null,
    updatedAt: u?.at ?? null,
  };
}
