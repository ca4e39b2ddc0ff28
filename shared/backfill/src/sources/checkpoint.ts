import type { Sql } from 'postgres';
import type { Checkpoint } from './source.js';
import type { Queryable } from './write.js';

/**
 * Where each source-fed run is: its checkpoint, saved in the transaction of the batch it follows
 * (so the checkpoint and the writes commit together), next to `backfill.runs`. Created IF NOT
 * EXISTS by the runner, like `backfill.runs`.
 */
export const CHECKPOINT_TABLE = 'backfill.source_checkpoints';

export interface SavedCheckpoint {
  checkpoint: Checkpoint;
  records: number;
  batches: number;
  done: boolean;
}

export async function ensureCheckpointTable(sql: Sql): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS backfill`;
  await sql`
    CREATE TABLE IF NOT EXISTS backfill.source_checkpoints (
      name text PRIMARY KEY,
      checkpoint jsonb,
      records bigint NOT NULL DEFAULT 0,
      batches integer NOT NULL DEFAULT 0,
      done boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`;
}

export async function loadCheckpoint(sql: Sql, name: string): Promise<SavedCheckpoint | null> {
  const [exists] = await sql<{ t: string | null }[]>`SELECT to_regclass('backfill.source_checkpoints')::text AS t`;
  if (!exists?.t) return null;
  const [r] = await sql<{ checkpoint: Checkpoint; records: string; batches: number; done: boolean }[]>`
    SELECT checkpoint, records, batches, done FROM backfill.source_checkpoints WHERE name = ${name}`;
  return r ? { checkpoint: r.checkpoint, records: Number(r.records), batches: r.batches, done: r.done } : null;
}

/** Inside the batch's transaction: adds its records and moves the checkpoint. */
// The JSON goes as text: a parameter the server types jsonb would be JSON-encoded again by postgres-js.
export async function saveCheckpoint(
  tx: Queryable,
  name: string,
  checkpoint: Checkpoint,
  records: number,
  done: boolean,
): Promise<void> {
  await tx.unsafe(
    `INSERT INTO backfill.source_checkpoints (name, checkpoint, records, batches, done)
     VALUES ($1, $2::text::jsonb, $3, 1, $4)
     ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint,
       records = backfill.source_checkpoints.records + EXCLUDED.records,
       batches = backfill.source_checkpoints.batches + 1, done = EXCLUDED.done, updated_at = now()`,
    [name, JSON.stringify(checkpoint), records, done],
  );
}

export async function resetCheckpoint(sql: Sql, name: string): Promise<void> {
  const [exists] = await sql<{ t: string | null }[]>`SELECT to_regclass('backfill.source_checkpoints')::text AS t`;
  if (exists?.t) await sql`DELETE FROM backfill.source_checkpoints WHERE name = ${name}`;
}
