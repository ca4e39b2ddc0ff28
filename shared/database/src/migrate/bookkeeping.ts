import type { Sql } from 'postgres';
import { drizzleName, type Migration, type MigrationLayout } from '../journal.js';
import type { AppliedRow } from './plan.js';

// The same table drizzle's migrator keeps, written the same way, so drizzle-kit and drizzle's
// migrator keep working: hash = sha256 of the file, created_at = the journal's `when` or the
// folder's time. drizzle-orm 1.0 adds `name` (the folder name; what it matches on) and
// `applied_at` (DEFAULT now(); NULL for rows it named in its upgrade): see docs/migrations.md,
// "drizzle-kit 1.0 folders".
export const BOOKKEEPING = { schema: 'drizzle', table: '__drizzle_migrations' } as const;

/** absent: no table yet; v0: drizzle 0.x's (id, hash, created_at); v1: drizzle 1.0's, with name and applied_at. */
export type BookkeepingShape = 'absent' | 'v0' | 'v1';

export async function bookkeepingShape(sql: Sql): Promise<BookkeepingShape> {
  // drizzle 1.0 takes a `name` column as its version 1 (GET_VERSION_FOR.pg): the same test here.
  const [t] = await sql<{ exists: boolean; named: boolean }[]>`
    SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS exists,
           EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('drizzle.__drizzle_migrations')
                   AND attname = 'name' AND attnum > 0 AND NOT attisdropped) AS named`;
  return !t!.exists ? 'absent' : t!.named ? 'v1' : 'v0';
}

/** Creates the table when missing, in drizzle 0.x's shape for the journal layout, 1.0's for folders. */
export async function ensureBookkeeping(sql: Sql, layout: MigrationLayout = 'journal'): Promise<BookkeepingShape> {
  const shape = await bookkeepingShape(sql);
  if (shape !== 'absent') return shape;
  await sql`CREATE SCHEMA IF NOT EXISTS drizzle`;
  if (layout === 'journal') {
    await sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`;
    return 'v0';
  }
  await sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (
    id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text, applied_at timestamp with time zone DEFAULT now())`;
  return 'v1';
}

/** The recorded rows (name null in a v0 table), or none when the table does not exist yet (a new database). */
export async function readApplied(sql: Sql): Promise<AppliedRow[]> {
  const shape = await bookkeepingShape(sql);
  if (shape === 'absent') return [];
  if (shape === 'v0')
    return sql<
      AppliedRow[]
    >`SELECT id, hash, created_at::text AS created_at, NULL::text AS name FROM drizzle.__drizzle_migrations ORDER BY id`;
  return sql<
    AppliedRow[]
  >`SELECT id, hash, created_at::text AS created_at, name FROM drizzle.__drizzle_migrations ORDER BY id`;
}

/**
 * drizzle-orm 1.0's upgrade of a v0 table, done the same way (one transaction): add `name` and
 * `applied_at`, then name each recorded row after the migration it records, with applied_at
 * NULL (when it was applied is unknown). Rows that record nothing keep a NULL name (drizzle
 * refuses to upgrade then; the runner warns about them, as it always has).
 */
export async function upgradeBookkeeping(sql: Sql, named: { id: number; name: string }[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`ALTER TABLE drizzle.__drizzle_migrations ADD COLUMN IF NOT EXISTS name text`;
    await tx`ALTER TABLE drizzle.__drizzle_migrations ADD COLUMN IF NOT EXISTS applied_at timestamp with time zone DEFAULT now()`;
    for (const r of named)
      await tx`UPDATE drizzle.__drizzle_migrations SET name = ${r.name}, applied_at = NULL WHERE id = ${r.id}`;
  });
}

/** Records an applied migration; in a v1 table with its name (applied_at takes its default, as drizzle 1.0 leaves it). */
export async function recordApplied(
  sql: Sql,
  m: Pick<Migration, 'hash' | 'when' | 'tag' | 'name'>,
  shape: BookkeepingShape,
): Promise<void> {
  if (shape === 'v1') {
    await sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at, name) VALUES (${m.hash}, ${m.when}, ${drizzleName(m)})`;
  } else {
    await sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${m.hash}, ${m.when})`;
  }
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
