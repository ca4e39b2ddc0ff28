import type { PendingQuery, Row, Sql } from 'postgres';
import { intArray } from '@wxyc/database';
import type { ColumnType } from './columns.js';
import type { LookupBackfillDefinition } from './lookup-definition.js';

/** Which pending rows to read: the next ones after the cursor (parked keys left out), or listed keys. */
export type ReadScope = { after: number; limit: number; exclude: readonly number[] } | { ids: readonly number[] };

/** A resolved row to write: its key, the version read, and a value per column. */
export interface ResolvedRow {
  id: number;
  version: string;
  values: Record<string, unknown>;
}

/** Column of the read rows carrying their version (md5 of the whole row): the optimistic check. */
export const VERSION = 'backfill_version';

/** Plain SELECT, autocommit: no transaction stays open and no row is locked while the lookups run. */
export function readPending(sql: Sql, def: LookupBackfillDefinition, scope: ReadScope): PendingQuery<Row[]> {
  const key = sql.unsafe(def.key);
  const filter = 'ids' in scope
    ? sql`t.${key} = ANY(${intArray(sql, scope.ids)})`
    : scope.exclude.length
      ? sql`t.${key} > ${scope.after} AND t.${key} <> ALL(${intArray(sql, scope.exclude)})`
      : sql`t.${key} > ${scope.after}`;
  const limit = 'ids' in scope ? sql`` : sql`LIMIT ${scope.limit}`;
  return sql`
    SELECT t.*, t.${key}::bigint AS backfill_id, md5(t::text) AS ${sql.unsafe(VERSION)}
    FROM ${sql.unsafe(def.table)} t WHERE ${filter} AND (${sql.unsafe(def.pending)})
    ORDER BY t.${key} ${limit}`;
}

/**
 * Writes the rows still pending and unchanged since they were read (same md5 of the whole row),
 * skipping any another session holds; returns the keys written. Values travel as one jsonb
 * parameter and are cast to each column's catalog type.
 */
export function writeResolved(sql: Sql, def: LookupBackfillDefinition, columns: readonly ColumnType[], rows: readonly ResolvedRow[]): PendingQuery<Row[]> {
  const t = sql.unsafe(def.table);
  const key = sql.unsafe(def.key);
  const sets = columns.map(({ name, type }) => sql`${sql.unsafe(name)} = (v.vals ->> ${name})::${sql.unsafe(type)}`);
  const set = sets.slice(1).reduce((acc, p) => sql`${acc}, ${p}`, sets[0]!);
  const payload = rows.map((r) => ({ id: r.id, h: r.version, vals: r.values }));
  return sql`
    WITH v AS (SELECT * FROM jsonb_to_recordset(${sql.json(payload as never)}::jsonb) AS v(id bigint, h text, vals jsonb)),
    locked AS (
      SELECT t.${key} AS id FROM ${t} t JOIN v ON t.${key} = v.id
      WHERE (${sql.unsafe(def.pending)}) AND md5(t::text) = v.h
      FOR UPDATE OF t SKIP LOCKED
    ), written AS (
      UPDATE ${t} t SET ${set} FROM v JOIN locked l ON l.id = v.id WHERE t.${key} = v.id RETURNING t.${key}::bigint AS id
    )
    SELECT coalesce(array_agg(id ORDER BY id), '{}')::text AS written FROM written`;
}
