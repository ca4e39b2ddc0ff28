import type { Sql } from 'postgres';
import { loadState } from '../state.js';
import type { Task } from './task.js';
import { keySpec } from './keys.js';
import { parkedKey } from './progress.js';
import { countAhead } from './read.js';

/** What ops:status shows for a task: rows it would handle now, rows waiting for their re-ask TTL, parked rows. */
export interface TaskStatus {
  name: string;
  pending: number;
  waitingForTtl: number;
  parked: number;
  status: string | null;
  updatedAt: Date | null;
}

/** Counts a task's rows by where they stand (one scan each; a partial index on `pending` serves the first). */
export async function taskStatus(sql: Sql, task: Task): Promise<TaskStatus> {
  const state = await loadState(sql, task.name);
  const parked = (state?.parked ?? []).map(parkedKey);
  const pending = await countAhead(sql, task, await keySpec(sql, task), null, parked);
  let waiting = 0;
  if (task.attempted && !task.read) {
    const a = sql`t.${sql.unsafe(task.attempted.column)}`;
    const [w] = await sql<{ n: string }[]>`
      SELECT count(*) AS n FROM ${sql.unsafe(task.table)} t
      WHERE (${sql.unsafe(task.pending ?? 'true')}) AND ${a} >= now() - make_interval(days => ${task.attempted.reaskAfterDays}::int)`;
    waiting = Number(w!.n);
  }
  const [u] = state
    ? await sql<{ at: Date }[]>`SELECT updated_at AS at FROM backfill.runs WHERE name = ${task.name}`
    : [];
  return {
    name: task.name,
    pending,
    waitingForTtl: waiting,
    parked: parked.length,
    status: state?.status ?? null,
    updatedAt: u?.at ?? null,
  };
}
