import type { Sql } from 'postgres';
import type { AppliedRow } from './plan.js';

// The same table drizzle's migrator keeps, written the same way (hash = sha256 of the file,
// created_at = the journal's `when`), so drizzle-kit and drizzle's migrator keep working.
export const BOOKKEEPING = { schema: 'drizzle', table: '__drizzle_migrations' } as const;

export async function ensureBookkeeping(sql: Sql): Promise<void> {
  const [t] = await sql<{ exists: boolean }[]>`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS exists`;
  if (t!.exists) return;
  await sql`CREATE SCHEMA IF NOT EXISTS drizzle`;
  await sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`;
}

/** The recorded rows, or none when the table does not exist yet (a new database). */
export async function readApplied(sql: Sql): Promise<AppliedRow[]> {
  const [t] = await sql<{ exists: boolean }[]>`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS exists`;
  if (!t!.exists) return [];
  return sql<AppliedRow[]>`SELECT id, hash, created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY id`;
}

export async function recordApplied(sql: Sql, hash: string, when: number): Promise<void> {
  await sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${hash}, ${when})`;
}

export interface TableLockHolder {
  pid: number;
  mode: string;
  application_name: string | null;
  state: string | null;
  query: string | null;
}

/** Backends holding a lock on the bookkeeping table (what a lock_timeout on it waited for). */
export async function bookkeepingLockHolders(sql: Sql, exceptPid: number): Promise<TableLockHolder[]> {
  return sql<TableLockHolder[]>`
    SELECT l.pid, l.mode, a.application_name, a.state, left(a.query, 80) AS query
    FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'relation' AND l.granted AND l.relation = to_regclass('drizzle.__drizzle_migrations')
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.pid IS DISTINCT FROM ${exceptPid}
    ORDER BY l.pid`;
}
