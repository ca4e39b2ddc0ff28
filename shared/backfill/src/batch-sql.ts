import type { PendingQuery, Row, Sql } from 'postgres';
import { intArray } from '@wxyc/database';
import type { BackfillDefinition } from './definition.js';

/** Which rows a batch covers: a key range (main walk) or listed keys (revisiting skipped rows). */
export type BatchScope = { lo: number; hi: number } | { ids: number[] };

export interface UnresolvedGroup {
  reason: string;
  count: number;
  sample: number[];
}

export interface BatchOutcome {
  /** Pending rows this batch locked and handled (written or classified unresolved). */
  rows: number;
  /** Rows written (including fallback values). */
  written: number;
  /** Rows that got the fallback value because they could not be resolved. */
  fallback: number;
  /** Rows that stay unresolved, by reason (empty when a fallback is set). */
  unresolved: UnresolvedGroup[];
  /** Pending rows in scope that another session had locked: revisited before the end. */
  skipped: number[];
}

const SAMPLE = 10;

/**
 * One statement per batch: lock the scope's pending rows (SKIP LOCKED in the walk, so the
 * backfill never queues behind the ETL; a bounded wait when revisiting), resolve, write,
 * and report what was written, what could not be resolved (by reason) and what was skipped.
 * Every resolved-or-not row is accounted for, so no row is selected twice by the walk.
 */
export function batchStatement(sql: Sql, def: BackfillDefinition, scope: BatchScope, fallback: string | null): PendingQuery<Row[]> {
  const t = sql.unsafe(def.table);
  const key = sql.unsafe(def.key);
  const col = sql.unsafe(def.column);
  const pending = sql.unsafe(def.pending);
  const inScope =
    'ids' in scope
      ? sql`t.${key} = ANY(${intArray(sql, scope.ids)})`
      : sql`t.${key} > ${scope.lo} AND t.${key} <= ${scope.hi}`;
  const lock = 'ids' in scope ? sql`FOR UPDATE OF t` : sql`FOR UPDATE OF t SKIP LOCKED`;
  // A definition that writes NULLs has no unresolved rows (and the runner gives it no fallback).
  const writesNull = def.writesNull === true;
  const value = sql`COALESCE(r.value, ${fallback}::text)`;
  return sql`
    WITH locked AS (
      SELECT t.* FROM ${t} t WHERE ${inScope} AND (${pending}) ${lock}
    ), resolved AS (
      ${sql.unsafe(def.resolve)}
    ), written AS (
      UPDATE ${t} t SET ${col} = ${value}
      FROM resolved r
      -- the scope again, so the planner reads only the batch's key range, never the whole table
      WHERE t.${key} = r.id AND ${inScope} AND (${writesNull} OR ${value} IS NOT NULL)
      RETURNING t.${key}
    ), skipped AS (
      SELECT t.${key} AS id FROM ${t} t
      WHERE ${inScope} AND (${pending}) AND t.${key} NOT IN (SELECT l.${key} FROM locked l)
    )
    SELECT
      (SELECT count(*) FROM locked)::int AS rows,
      (SELECT count(*) FROM written)::int AS written,
      (SELECT count(*) FROM resolved WHERE value IS NULL AND NOT ${writesNull})::int AS unresolved_total,
      (SELECT coalesce(json_agg(json_build_object('reason', reason, 'count', n, 'sample', sample) ORDER BY reason), '[]')
         FROM (SELECT coalesce(reason, 'unknown') AS reason, count(*)::int AS n,
                      (array_agg(id::bigint ORDER BY id))[1:${SAMPLE}] AS sample
               FROM resolved WHERE value IS NULL AND NOT ${writesNull} GROUP BY 1) g) AS unresolved,
      (SELECT coalesce(array_agg(id::bigint ORDER BY id), '{}') FROM skipped)::text AS skipped`;
}

/** Reads the single result row of batchStatement. */
export function parseOutcome(row: Row, fallback: string | null): BatchOutcome {
  const groups = (row.unresolved as { reason: string; count: number; sample: (number | string)[] }[]).map((g) => ({
    reason: g.reason,
    count: g.count,
    sample: g.sample.map(Number),
  }));
  const unresolvedTotal = row.unresolved_total as number;
  return {
    rows: row.rows as number,
    written: row.written as number,
    fallback: fallback === null ? 0 : unresolvedTotal,
    unresolved: fallback === null ? groups : [],
    skipped: parsePgIntArray(row.skipped as string),
  };
}

/** `{1,2,3}` -> [1, 2, 3] (keys are integers, so no quoting to handle). */
export function parsePgIntArray(text: string): number[] {
  const inner = text.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map(Number);
}
