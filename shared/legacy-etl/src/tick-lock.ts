import type { Sql, TransactionSql } from 'postgres';
import { EXIT, JobError } from '@wxyc/job-runtime';

type Db = Sql | TransactionSql;

export type LockOutcome<T> = { ran: true; value: T } | { ran: false; holderPid: number | null; since: Date | null };

/** The session (backend pid) holding each job's tick lock in this process. */
const held = new Map<string, number>();

const lockKey = (job: string) => `wxyc-job:${job}`;

/** The granted advisory lock of this key in this database (pg_locks splits a bigint key into classid, high 32 bits, and objid). */
function lockRows(db: Db, key: string) {
  return db<{ pid: number; since: Date }[]>`
    SELECT a.pid, a.backend_start AS since
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(${key}, 0)`;
}

/**
 * Runs fn while holding a PostgreSQL session advisory lock keyed by the job's name, so only
 * one tick runs at a time across every host. The lock lives on a reserved connection:
 * if the process dies, PostgreSQL ends the session and the lock goes with it.
 * When another session holds it, fn is not called and the holder's pid and backend start are returned.
 * If the lock's session ends while fn runs, the next cursor save (`assertTickLock`) stops the tick.
 */
export async function withTickLock<T>(sql: Sql, job: string, fn: () => Promise<T>): Promise<LockOutcome<T>> {
  const key = lockKey(job);
  const conn = await sql.reserve();
  try {
    const [row] = await conn<{ locked: boolean; pid: number }[]>`
      SELECT pg_try_advisory_lock(hashtextextended(${key}, 0)) AS locked, pg_backend_pid() AS pid`;
    if (!row?.locked) {
      const [holder] = await lockRows(conn, key);
      return { ran: false, holderPid: holder?.pid ?? null, since: holder?.since ?? null };
    }
    held.set(job, row.pid);
    try {
      return { ran: true, value: await fn() };
    } finally {
      held.delete(job);
      // Unlock only over a session that still holds the lock: a dead one has released it.
      const still = (await lockRows(sql, key).catch(() => [])).some((r) => r.pid === row.pid);
      if (still) await conn`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`.catch(() => {});
    }
  } finally {
    conn.release();
  }
}

/**
 * Throws unless this process's tick of `job` still holds its lock (no-op outside withTickLock).
 * Called in every transaction that saves the cursor, so a tick whose lock session died (and
 * that another tick may now be running beside) commits nothing more.
 */
export async function assertTickLock(db: Db, job: string): Promise<void> {
  const pid = held.get(job);
  if (pid === undefined) return;
  const rows = await lockRows(db, lockKey(job));
  if (rows.some((r) => r.pid === pid)) return;
  const now = rows[0] ? `; pid ${rows[0].pid} holds it now` : '';
  throw new JobError(
    `lost the tick lock: its PostgreSQL session (pid ${pid}) has ended${now}. Stopped before the next write; ` +
      'committed batches and their cursor are kept, the next tick resumes from them.',
    EXIT.FAILED,
  );
}
