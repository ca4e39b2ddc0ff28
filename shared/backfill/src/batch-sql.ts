import type { PendingQuery, Row, Sql } from 'postgres';
import { bigintArray } from '@wxyc/database';
import type { BackfillDefinition } from './definition.js';
import type { ColumnType } from './columns.js';

/**
 * Which rows a batch covers: a key range of the walk (never waits for a row lock, and leaves out
 * parked keys), or listed keys (a revisit that waits boundedly for locks, or a split of a failed
 * batch that does not).
 */
export type BatchScope =
  | { lo: number; hi: number; exclude?: readonly number[] }
  | { ids: readonly number[]; wait: boolean };

export interface UnresolvedGroup {
  reason: string;
  count: number;
  sample: number[];
}

export interface BatchOutcome {
  /** Pending rows this batch locked and handled (written, classified unresolved, or parked). */
  rows: number;
  /** Rows written (including fallback values). */
  written: number;
  /** Rows that got the fallback values because they could not be resolved. */
  fallback: number;
  /** Rows that stay unresolved, by reason (empty when a fallback is set). */
  unresolved: UnresolvedGroup[];
  /** Pending rows in scope that another session had locked: revisited before the end. */
  skipped: number[];
}

/** What one statement writes: the catalog types and the run's fallback values (by column). */
export interface WritePlan {
  columns: readonly ColumnType[];
  /** Values for rows whose resolve gave a reason; null leaves such rows as they are. */
  fallback: Readonly<Record<string, unknown>> | null;
}

const SAMPLE = 10;

/** `SET a = r.a::type, ...`: every value cast to its column's catalog type, fallback values as parameters. */
function assignments(sql: Sql, plan: WritePlan): PendingQuery<Row[]> {
  const parts = plan.columns.map(({ name, type }) => {
    const col = sql.unsafe(name);
    const ty = sql.unsafe(type);
    if (!plan.fallback) return sql`${col} = r.${col}::${ty}`;
    const other =
      name in plan.fallback
        ? plan.fallback[name] === null
          ? sql`NULL::${ty}`
          : sql`${plan.fallback[name] as string}::${ty}`
        : sql`t.${col}`;
    return sql`${col} = CASE WHEN r.reason IS NULL THEN r.${col}::${ty} ELSE ${other} END`;
  });
  return parts.slice(1).reduce((acc, p) => sql`${acc}, ${p}`, parts[0]!);
}

function scopeFilter(sql: Sql, key: ReturnType<Sql['unsafe']>, scope: BatchScope): PendingQuery<Row[]> {
  if ('ids' in scope) return sql`t.${key} = ANY(${bigintArray(sql, scope.ids)})`;
  const range = sql`t.${key} > ${scope.lo} AND t.${key} <= ${scope.hi}`;
  return scope.exclude?.length ? sql`${range} AND t.${key} <> ALL(${bigintArray(sql, scope.exclude)})` : range;
}

/** The CTEs after `locked`: `resolved` (id, reason) and `written` (the keys changed), by mode. */
function change(sql: Sql, def: BackfillDefinition, inScope: PendingQuery<Row[]>, plan: WritePlan): PendingQuery<Row[]> {
  const t = sql.unsafe(def.table);
  const key = sql.unsafe(def.key);
  const mode = def.mode ?? 'update';
  if (mode === 'delete') {
    return sql`resolved AS (SELECT l.${key} AS id, NULL::text AS reason FROM locked l), written AS (
      DELETE FROM ${t} t USING locked l WHERE t.${key} = l.${key} AND ${inScope} RETURNING t.${key})`;
  }
  const resolved = sql`resolved AS (${sql.unsafe(def.resolve!)})`;
  if (mode === 'insert') {
    const cols = plan.columns.map((c) => sql.unsafe(c.name));
    const list = cols.slice(1).reduce((acc, c) => sql`${acc}, ${c}`, cols[0]!);
    const values = plan.columns.map((c) => sql`r.${sql.unsafe(c.name)}::${sql.unsafe(c.type)}`);
    const select = values.slice(1).reduce((acc, v) => sql`${acc}, ${v}`, values[0]!);
    return sql`${resolved}, written AS (
      INSERT INTO ${sql.unsafe(def.into!)} (${list}) SELECT ${select} FROM resolved r WHERE r.reason IS NULL
      ON CONFLICT DO NOTHING RETURNING 1)`;
  }
  const writeWhen = plan.fallback ? sql`true` : sql`r.reason IS NULL`;
  return sql`${resolved}, written AS (
      UPDATE ${t} t SET ${assignments(sql, plan)}
      FROM resolved r
      -- the scope again, so the planner reads only the batch's key range, never the whole table
      WHERE t.${key} = r.id AND ${inScope} AND ${writeWhen}
      RETURNING t.${key})`;
}

/**
 * One statement per batch: lock the scope's pending rows, resolve, write (update, delete or
 * insert), and report what was written, what could not be resolved (by reason) and what was
 * skipped. Every resolved-or-not row is accounted for, so no row is selected twice by the walk.
 */
export function batchStatement(
  sql: Sql,
  def: BackfillDefinition,
  scope: BatchScope,
  plan: WritePlan,
): PendingQuery<Row[]> {
  const t = sql.unsafe(def.table);
  const key = sql.unsafe(def.key);
  const pending = sql.unsafe(def.pending);
  const inScope = scopeFilter(sql, key, scope);
  // insert only reads its source rows: a share lock keeps them from changing without blocking readers' locks
  const strength = def.mode === 'insert' ? sql`FOR SHARE OF t` : sql`FOR UPDATE OF t`;
  const lock = 'ids' in scope && scope.wait ? strength : sql`${strength} SKIP LOCKED`;
  return sql`
    WITH locked AS (
      SELECT t.* FROM ${t} t WHERE ${inScope} AND (${pending}) ${lock}
    ), ${change(sql, def, inScope, plan)}, skipped AS (
      SELECT t.${key} AS id FROM ${t} t
      WHERE ${inScope} AND (${pending}) AND t.${key} NOT IN (SELECT l.${key} FROM locked l)
    )
    ${outcomeSelect(sql, sql`(SELECT count(*) FROM locked)::int`)}`;
}

/** The summary SELECT both statements end with, over the CTEs locked, written, resolved and skipped. */
function outcomeSelect(sql: Sql, rows: PendingQuery<Row[]>): PendingQuery<Row[]> {
  return sql`
    SELECT
      ${rows} AS rows,
      (SELECT count(*) FROM written)::int AS written,
      (SELECT count(*) FROM resolved WHERE reason IS NOT NULL)::int AS unresolved_total,
      (SELECT coalesce(json_agg(json_build_object('reason', reason, 'count', n, 'sample', sample) ORDER BY reason), '[]')
         FROM (SELECT reason::text AS reason, count(*)::int AS n,
                      (array_agg(id::bigint ORDER BY id))[1:${SAMPLE}] AS sample
               FROM resolved WHERE reason IS NOT NULL GROUP BY 1) g) AS unresolved,
      (SELECT coalesce(array_agg(id::bigint ORDER BY id), '{}') FROM skipped)::text AS skipped`;
}

/**
 * The walk's usual statement (update mode, a key range), run in a REPEATABLE READ transaction:
 * read the range's pending rows without locking them, resolve, and UPDATE them, each row lock
 * taken once, as the row is written (no FOR UPDATE pass writing a lock record per row first, no
 * second read of the range for skipped rows). Under REPEATABLE READ a row another session changed
 * since the read fails the statement (40001) instead of being written with a value resolved from
 * its old version, and a row another session holds makes it wait, bounded by the caller's short
 * lock_timeout (55P03): either way the caller redoes the batch with batchStatement (SKIP LOCKED).
 * `locked` is MATERIALIZED so it is never inlined into a self-join of the table; the UPDATE
 * reaches its rows through the key (an index probe per resolved row), within the range.
 */
export function optimisticStatement(
  sql: Sql,
  def: BackfillDefinition,
  scope: { lo: number; hi: number; exclude?: readonly number[] },
  plan: WritePlan,
): PendingQuery<Row[]> {
  const t = sql.unsafe(def.table);
  const key = sql.unsafe(def.key);
  const inScope = scopeFilter(sql, key, scope);
  const writeWhen = plan.fallback ? sql`true` : sql`r.reason IS NULL`;
  return sql`
    WITH locked AS MATERIALIZED (
      SELECT t.* FROM ${t} t WHERE ${inScope} AND (${sql.unsafe(def.pending)})
    ), resolved AS (${sql.unsafe(def.resolve!)}), written AS (
      UPDATE ${t} t SET ${assignments(sql, plan)}
      FROM resolved r
      WHERE t.${key} = r.id AND ${inScope} AND ${writeWhen}
      RETURNING t.${key}
    ), skipped AS (SELECT NULL::bigint AS id WHERE false)
    ${outcomeSelect(sql, sql`(SELECT count(*) FROM locked)::int`)}`;
}

/** Pending keys in a scope, in order: what a failed batch is split into. */
export function pendingKeys(sql: Sql, def: BackfillDefinition, scope: BatchScope): PendingQuery<Row[]> {
  const key = sql.unsafe(def.key);
  return sql`
    SELECT t.${key}::bigint AS id FROM ${sql.unsafe(def.table)} t
    WHERE ${scopeFilter(sql, key, scope)} AND (${sql.unsafe(def.pending)}) ORDER BY 1`;
}

/** Reads the single result row of batchStatement. */
export function parseOutcome(row: Row, withFallback: boolean): BatchOutcome {
  const groups = (row.unresolved as { reason: string; count: number; sample: (number | string)[] }[]).map((g) => ({
    reason: g.reason,
    count: g.count,
    sample: g.sample.map(Number),
  }));
  const unresolvedTotal = row.unresolved_total as number;
  return {
    rows: row.rows as number,
    written: row.written as number,
    fallback: withFallback ? unresolvedTotal : 0,
    unresolved: withFallback ? [] : groups,
    skipped: parsePgIntArray(row.skipped as string),
  };
}

/** `{1,2,3}` -> [1, 2, 3] (keys are integers, so no quoting to handle). */
export function parsePgIntArray(text: string): number[] {
  const inner = text.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map(Number);
}
