import type { Sql } from 'postgres';
import type { Logger } from '@wxyc/job-runtime';
import { sleep } from '@wxyc/database';
import { lockWaitersOf, pauseReason } from '../backoff.js';

/** What happens when the pauses of a run add up to `maxPauseMs`. */
export type PauseCapAction = 'continue' | 'stop';

/** What the pause check needs: the engine's pool, its pause settings and running total, the batch session's pid. */
export interface PauseContext {
  sql: Sql;
  log: Logger;
  signal?: AbortSignal;
  backoffMs: number;
  maxReplicaLagMs: number;
  replicaLag(sql: Sql): Promise<number>;
  /** Cumulative pause time against its cap; `stopped` ends the walk resumably. */
  pause: { totalMs: number; maxMs: number; onCap: PauseCapAction; capReached: boolean; stopped: boolean };
  def: { pauseWhen?(sql: Sql): Promise<string | null> };
  session: { pid: number };
}

/** The reasons to pause now: lock waiters, replica lag, and the definition's own (until its cap). */
async function pauseNow(w: PauseContext, waiters: number[]): Promise<string | null> {
  const builtIn = pauseReason({ lockWaiters: waiters, replicaLagMs: await w.replicaLag(w.sql) }, w.maxReplicaLagMs);
  const own = w.pause.capReached ? null : ((await w.def.pauseWhen?.(w.sql)) ?? null);
  return [builtIn, own].filter(Boolean).join('; ') || null;
}

/**
 * Waits while sessions queue behind the backfill's locks, a replica lags, or the definition's
 * condition holds. Pauses add up; past `maxPauseMs` the run either stops (resumably: it ends as
 * interrupted) or stops consulting the definition's condition (the built-in ones still apply).
 */
export async function backOff(w: PauseContext, waiters: number[]): Promise<void> {
  let reason = await pauseNow(w, waiters);
  while (reason && !w.signal?.aborted && !w.pause.stopped) {
    if (w.pause.totalMs >= w.pause.maxMs && !w.pause.capReached) {
      w.pause.capReached = true;
      w.log.warn(
        `paused ${w.pause.totalMs} ms in all, the cap (maxPauseMs ${w.pause.maxMs}): ${w.pause.onCap === 'stop' ? 'stopping; run again to resume' : "continuing without the definition's pause condition"}`,
      );
      if (w.pause.onCap === 'stop') {
        w.pause.stopped = true;
        return;
      }
      reason = await pauseNow(w, waiters);
      continue;
    }
    w.log.info(`pausing ${w.backoffMs} ms: ${reason}`);
    await sleep(w.backoffMs, w.signal);
    w.pause.totalMs += w.backoffMs;
    reason = await pauseNow(w, await lockWaitersOf(w.sql, w.session.pid));
  }
}
