import type { Sql } from 'postgres';
import { MIGRATE_EXIT } from './exit-codes.js';
import { MigrateError } from './errors.js';
import { endBackendAdvice } from './remediation.js';
import { sleep } from './sleep.js';

/** Session advisory lock key of the runner ('wxyc' in ASCII): one runner per database. */
export const MIGRATE_LOCK_KEY = 0x77787963;

export interface LockHolder {
  pid: number;
  application_name: string;
  backend_start: string;
  state: string | null;
  query: string | null;
}

/** Takes the lock, polling until `waitMs` has passed; then names the holder. */
export async function acquireMigrateLock(
  sql: Sql,
  waitMs: number,
  signal: AbortSignal,
  onWait: (h: LockHolder | undefined) => void,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const [row] = await sql<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${MIGRATE_LOCK_KEY}) AS ok`;
    if (row!.ok) return;
    if (!told) {
      onWait(await lockHolder(sql));
      told = true;
    }
    if (Date.now() >= deadline || signal.aborted) break;
    await sleep(Math.min(500, Math.max(0, deadline - Date.now())), signal);
  }
  if (signal.aborted)
    throw new MigrateError('interrupted while waiting for the migration lock', MIGRATE_EXIT.INTERRUPTED);
  const h = await lockHolder(sql);
  const who = h
    ? `pid ${h.pid} (application_name '${h.application_name}', connected since ${h.backend_start}, state ${h.state})`
    : 'a backend that has just released it';
  throw new MigrateError(
    `another migration runner holds the migration lock: ${who}; waited ${Math.round(waitMs / 1000)}s (MIGRATE_LOCK_WAIT). ` +
      `Let it finish, or if it is stuck: ${h ? endBackendAdvice(h.pid, h.state) : 'find it in pg_locks (advisory)'}.`,
    MIGRATE_EXIT.LOCK_BUSY,
  );
}

export async function lockHolder(sql: Sql): Promise<LockHolder | undefined> {
  // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid 1.
  const [h] = await sql<LockHolder[]>`
    SELECT a.pid, a.application_name, a.backend_start::text AS backend_start, a.state, left(a.query, 80) AS query
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = ${Math.floor(MIGRATE_LOCK_KEY / 2 ** 32)} AND l.objid = ${MIGRATE_LOCK_KEY % 2 ** 32}
      AND l.pid <> pg_backend_pid()
    LIMIT 1`;
  return h;
}
