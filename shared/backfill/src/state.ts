import type { Sql } from 'postgres';
import { bigintArray } from '@wxyc/database';
import type { UnresolvedGroup } from './batch-sql.js';
import type { ParkedRow } from './parking.js';

/**
 * Progress of every backfill, one row per name, in its own schema. Created by the runner
 * (IF NOT EXISTS) rather than by a migration: migrations after 0054 cannot apply before the
 * first backfill has run. An operator reads progress with `SELECT * FROM backfill.runs`.
 */
export const STATE_TABLE = 'backfill.runs';

/** `budget`: a run that stopped at its per-run budget (rows or time); the next run resumes there. */
export type RunStatus = 'running' | 'interrupted' | 'failed' | 'done' | 'budget';

/** Rows changed in one table by a task's writes (walked rows and side tables alike). */
export interface TableCounts {
  inserted: number;
  updated: number;
  /** Upserts that met an equal row (no-churn) or only non-NULL columns (fill-NULL): left as they were. */
  unchanged: number;
  deleted: number;
}

export interface RunState {
  name: string;
  status: RunStatus;
  /** Every pending row with key <= cursor has been handled (except `skipped`). */
  cursor: number;
  rowsProcessed: number;
  rowsWritten: number;
  rowsFallback: number;
  rowsUnresolved: number;
  unresolved: UnresolvedGroup[];
  /** Keys passed over because another session held them; revisited before the end. */
  skipped: number[];
  /** Rows whose write failed on a data error: left out of every walk until --retry-parked. */
  parked: ParkedRow[];
  batchSize: number;
  batches: number;
  pendingAtStart: number;
  startedAt: Date;
  /** A task's keyset position: the last handled row's order and key values as text (null: before the first). */
  position?: string[] | null;
  /** A task's rows by outcome label (resolved, no_match, transient, parked, ...). */
  outcomes?: Record<string, number>;
  /** A task's changes by table. */
  tables?: Record<string, TableCounts>;
  /** A source-fed task's reader checkpoint (JSON), committed with the batch it follows (null: the beginning). */
  checkpoint?: unknown;
  /** A task's rows by where they stood when its last run ended (not interrupted): what ops:status shows. */
  standing?: TaskStanding | null;
}

/** Counted with the definition at the end of a run, so ops:status (which has none) can show them. */
export interface TaskStanding {
  /** Rows the next run handles. */
  pending: number;
  /** Rows stamped within the re-ask TTL. */
  waitingForTtl: number;
  parked: number;
  /** When counted (ISO). */
  at: string;
}

export async function ensureStateTable(sql: Sql): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS backfill`;
  await sql`
    CREATE TABLE IF NOT EXISTS backfill.runs (
      name text PRIMARY KEY,
      status text NOT NULL,
      cursor bigint NOT NULL DEFAULT 0,
      rows_processed bigint NOT NULL DEFAULT 0,
      rows_written bigint NOT NULL DEFAULT 0,
      rows_fallback bigint NOT NULL DEFAULT 0,
      rows_unresolved bigint NOT NULL DEFAULT 0,
      unresolved jsonb NOT NULL DEFAULT '[]',
      skipped bigint[] NOT NULL DEFAULT '{}',
      batch_size integer NOT NULL,
      batches integer NOT NULL DEFAULT 0,
      pending_at_start bigint NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`;
  // v2 column on a table created by v1.
  await sql`ALTER TABLE backfill.runs ADD COLUMN IF NOT EXISTS parked jsonb NOT NULL DEFAULT '[]'`;
  // v3 (the task engine): keyset position of any key type, counts by outcome and by table.
  await sql`ALTER TABLE backfill.runs ADD COLUMN IF NOT EXISTS position jsonb, ADD COLUMN IF NOT EXISTS outcomes jsonb NOT NULL DEFAULT '{}', ADD COLUMN IF NOT EXISTS tables jsonb NOT NULL DEFAULT '{}'`;
  // v4 (sources in the engine): where a source-fed task's reader is, saved with each batch.
  await sql`ALTER TABLE backfill.runs ADD COLUMN IF NOT EXISTS checkpoint jsonb`;
  // v5: a task's rows by where they stood at the end of its last run (pending, waiting for the TTL, parked).
  await sql`ALTER TABLE backfill.runs ADD COLUMN IF NOT EXISTS standing jsonb`;
}

interface StateRow {
  name: string;
  status: RunStatus;
  cursor: string;
  rows_processed: string;
  rows_written: string;
  rows_fallback: string;
  rows_unresolved: string;
  unresolved: UnresolvedGroup[];
  skipped: string;
  parked: ParkedRow[] | null;
  batch_size: number;
  batches: number;
  pending_at_start: string;
  started_at: Date;
  position?: string[] | null;
  outcomes?: Record<string, number>;
  tables?: Record<string, TableCounts>;
  checkpoint?: unknown;
  standing?: TaskStanding | null;
}

/** The state row, or null; reads nothing (and creates nothing) when the table is missing. */
export async function loadState(sql: Sql, name: string): Promise<RunState | null> {
  const [exists] = await sql<{ t: string | null }[]>`SELECT to_regclass('backfill.runs')::text AS t`;
  if (!exists?.t) return null;
  const [r] = await sql<StateRow[]>`SELECT *, skipped::text AS skipped FROM backfill.runs WHERE name = ${name}`;
  if (!r) return null;
  const skipped = r.skipped.replace(/^\{|\}$/g, '');
  return {
    name: r.name,
    status: r.status,
    cursor: Number(r.cursor),
    rowsProcessed: Number(r.rows_processed),
    rowsWritten: Number(r.rows_written),
    rowsFallback: Number(r.rows_fallback),
    rowsUnresolved: Number(r.rows_unresolved),
    unresolved: r.unresolved,
    skipped: skipped === '' ? [] : skipped.split(',').map(Number),
    parked: r.parked ?? [],
    batchSize: r.batch_size,
    batches: r.batches,
    pendingAtStart: Number(r.pending_at_start),
    startedAt: r.started_at,
    position: r.position ?? null,
    outcomes: r.outcomes ?? {},
    tables: r.tables ?? {},
    checkpoint: r.checkpoint ?? null,
    standing: r.standing ?? null,
  };
}

export function freshState(name: string, batchSize: number, cursor: number, parked: ParkedRow[] = []): RunState {
  return {
    name,
    status: 'running',
    cursor,
    rowsProcessed: 0,
    rowsWritten: 0,
    rowsFallback: 0,
    rowsUnresolved: 0,
    unresolved: [],
    skipped: [],
    parked,
    batchSize,
    batches: 0,
    pendingAtStart: 0,
    startedAt: new Date(),
    position: null,
    outcomes: {},
    tables: {},
  };
}

/**
 * Writes the whole row; called inside each batch's transaction, so cursor and data commit together.
 * A state without `standing` keeps the one saved at the end of the last run.
 */
export async function saveState(sql: Sql, s: RunState): Promise<void> {
  await sql`
    INSERT INTO backfill.runs (name, status, cursor, rows_processed, rows_written, rows_fallback, rows_unresolved,
                               unresolved, skipped, parked, batch_size, batches, pending_at_start, started_at, updated_at,
                               finished_at, position, outcomes, tables, checkpoint, standing)
    VALUES (${s.name}, ${s.status}, ${s.cursor}, ${s.rowsProcessed}, ${s.rowsWritten}, ${s.rowsFallback},
            ${s.rowsUnresolved}, ${sql.json(s.unresolved as never)}, ${bigintArray(sql, s.skipped)},
            ${sql.json(s.parked as never)},
            ${s.batchSize}, ${s.batches}, ${s.pendingAtStart}, ${s.startedAt}, now(),
            ${s.status === 'done' ? sql`now()` : null},
            ${s.position ? sql.json(s.position as never) : null}, ${sql.json((s.outcomes ?? {}) as never)}, ${sql.json((s.tables ?? {}) as never)},
            ${s.checkpoint === undefined || s.checkpoint === null ? null : sql.json(s.checkpoint as never)},
            ${s.standing ? sql.json(s.standing as never) : null})
    ON CONFLICT (name) DO UPDATE SET
      status = EXCLUDED.status, cursor = EXCLUDED.cursor, rows_processed = EXCLUDED.rows_processed,
      rows_written = EXCLUDED.rows_written, rows_fallback = EXCLUDED.rows_fallback,
      rows_unresolved = EXCLUDED.rows_unresolved, unresolved = EXCLUDED.unresolved, skipped = EXCLUDED.skipped,
      parked = EXCLUDED.parked,
      batch_size = EXCLUDED.batch_size, batches = EXCLUDED.batches, pending_at_start = EXCLUDED.pending_at_start,
      started_at = EXCLUDED.started_at, updated_at = now(), finished_at = EXCLUDED.finished_at,
      position = EXCLUDED.position, outcomes = EXCLUDED.outcomes, tables = EXCLUDED.tables,
      checkpoint = EXCLUDED.checkpoint, standing = coalesce(EXCLUDED.standing, backfill.runs.standing)`;
}

export async function deleteState(sql: Sql, name: string): Promise<void> {
  const [exists] = await sql<{ t: string | null }[]>`SELECT to_regclass('backfill.runs')::text AS t`;
  if (exists?.t) await sql`DELETE FROM backfill.runs WHERE name = ${name}`;
}

/** Adds a batch's unresolved groups into the running totals, keeping a short sample per reason. */
export function mergeUnresolved(into: UnresolvedGroup[], add: UnresolvedGroup[], sampleSize = 10): UnresolvedGroup[] {
  const byReason = new Map(into.map((g) => [g.reason, { ...g, sample: [...g.sample] }]));
  for (const g of add) {
    const cur = byReason.get(g.reason) ?? { reason: g.reason, count: 0, sample: [] };
    cur.count += g.count;
    cur.sample = [...cur.sample, ...g.sample].slice(0, sampleSize);
    byReason.set(g.reason, cur);
  }
  return [...byReason.values()].sort((a, b) => a.reason.localeCompare(b.reason));
}
