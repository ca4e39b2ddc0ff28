import type { Sql, TransactionSql } from 'postgres';
import { assertTickLock } from './tick-lock.js';

type Db = Sql | TransactionSql;

/** A job's row in wxyc_schema.cronjob_runs: when its last tick finished, and where it got to. */
export interface Watermark<C> {
  lastRun: Date | null;
  /** Job-defined JSON (e.g. the highest legacy id imported per table); null before the first run. */
  cursor: C | null;
}

export async function readWatermark<C>(sql: Db, job: string): Promise<Watermark<C>> {
  const [row] = await sql<{ last_run: Date; cursor: C | null }[]>`
    SELECT last_run, cursor FROM wxyc_schema.cronjob_runs WHERE job_name = ${job}`;
  return { lastRun: row?.last_run ?? null, cursor: row?.cursor ?? null };
}

/**
 * Moves the cursor. Call it inside the transaction that committed the rows it covers, so
 * the cursor can never run ahead of the data: a crash re-imports, it never skips.
 * A first save also stamps last_run (the column is NOT NULL). Inside a tick, it first checks
 * that the tick still holds its lock (assertTickLock): a tick that lost it commits nothing more.
 */
export async function saveCursor<C>(sql: Db, job: string, cursor: C): Promise<void> {
  await assertTickLock(sql, job);
  await sql`
    INSERT INTO wxyc_schema.cronjob_runs (job_name, last_run, cursor)
    VALUES (${job}, now(), ${sql.json(cursor as never)})
    ON CONFLICT (job_name) DO UPDATE SET cursor = EXCLUDED.cursor`;
}

/** Marks a tick finished (last_run = now()) with its final cursor. */
export async function finishTick<C>(sql: Db, job: string, cursor: C): Promise<void> {
  await assertTickLock(sql, job);
  await sql`
    INSERT INTO wxyc_schema.cronjob_runs (job_name, last_run, cursor)
    VALUES (${job}, now(), ${sql.json(cursor as never)})
    ON CONFLICT (job_name) DO UPDATE SET last_run = EXCLUDED.last_run, cursor = EXCLUDED.cursor`;
}
