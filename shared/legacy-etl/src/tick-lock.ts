import type { Sql } from 'postgres';

export type LockOutcome<T> = { ran: true; value: T } | { ran: false; holderPid: number | null; since: Date | null };

/**
 * Runs fn while holding a PostgreSQL session advisory lock keyed by the job's name, so only
 * one tick runs at a time across every host. The lock lives on a reserved connection:
 * if the process dies, PostgreSQL ends the session and the lock goes with it.
 * When another session holds it, fn is not called and the holder's pid and backend start are returned.
 */
export async function withTickLock<T>(sql: Sql, job: string, fn: () => Promise<T>): Promise<LockOutcome<T>> {
  const key = `wxyc-job:${job}`;
  const conn = await sql.reserve();
  try {
    const [row] = await conn<{ locked: boolean }[]>`
      SELECT pg_try_advisory_lock(hashtextextended(${key}, 0)) AS locked`;
    if (!row?.locked) {
      // pg_locks splits a bigint key into classid (high 32 bits) and objid (low 32 bits).
      const [holder] = await conn<{ pid: number; since: Date }[]>`
        SELECT a.pid, a.backend_start AS since
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(${key}, 0)
        LIMIT 1`;
      return { ran: false, holderPid: holder?.pid ?? null, since: holder?.since ?? null };
    }
    try {
      return { ran: true, value: await fn() };
    } finally {
      await conn`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`.catch(() => {});
    }
  } finally {
    conn.release();
  }
}
