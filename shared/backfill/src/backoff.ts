import type { Sql } from 'postgres';

export interface Pressure {
  /** pids of sessions waiting on a lock the backfill's backend holds. */
  lockWaiters: number[];
  /** Largest replay lag over the replicas; 0 when there are none. */
  replicaLagMs: number;
}

/** Why the runner should pause before its next batch, or null to go on. */
export function pauseReason(p: Pressure, maxReplicaLagMs: number): string | null {
  const reasons: string[] = [];
  if (p.lockWaiters.length > 0) {
    reasons.push(`session(s) ${p.lockWaiters.join(', ')} waiting on a lock held by the backfill`);
  }
  if (p.replicaLagMs > maxReplicaLagMs) {
    reasons.push(
      `replica replay lag ${Math.round(p.replicaLagMs)} ms > BACKFILL_MAX_REPLICA_LAG_MS=${maxReplicaLagMs}`,
    );
  }
  return reasons.length ? reasons.join('; ') : null;
}

/** Sessions whose lock wait is (partly) caused by backend `pid`. */
export async function lockWaitersOf(sql: Sql, pid: number): Promise<number[]> {
  const rows = await sql<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity
    WHERE wait_event_type = 'Lock' AND ${pid}::int = ANY(pg_blocking_pids(pid))
    ORDER BY pid`;
  return rows.map((r) => r.pid);
}

/** Largest replay lag of the streaming replicas in ms; no replicas means no lag. */
export async function replicaLagMs(sql: Sql): Promise<number> {
  const [row] = await sql<{ ms: number | null }[]>`
    SELECT max(EXTRACT(epoch FROM replay_lag) * 1000)::float8 AS ms FROM pg_stat_replication`;
  return row?.ms ?? 0;
}
