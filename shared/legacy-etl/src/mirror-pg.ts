import type { Sql, TransactionSql } from 'postgres';
import { intArray } from '@wxyc/database';
import { groupSums, type GroupedSums, type IdRange, type RangeSum } from './verify-plan.js';

type Db = Sql | TransactionSql;

/** Where a legacy table is mirrored in PostgreSQL: the table (schema-qualified) and its unique legacy-id column. */
export interface MirrorSpec {
  table: string;
  key: string;
}

/**
 * The (legacy id, source_hash) rows of a range as verification compares them: the mirror's rows,
 * and the retired legacy ids whose row is gone, with the legacy hash recorded for them (the row
 * lives on in MySQL; retireLegacyIds): a retired id agrees with MySQL without being re-imported.
 */
function rowsIn(sql: Db, m: MirrorSpec, r: IdRange) {
  return sql`
    SELECT ${sql(m.key)} AS id, source_hash FROM ${sql(m.table)} WHERE ${sql(m.key)} > ${r.after} AND ${sql(m.key)} <= ${r.upTo}
    UNION ALL
    SELECT x.legacy_id, x.source_hash FROM wxyc_schema.legacy_retired_ids x
    WHERE x.mirror_table = ${m.table} AND x.legacy_id > ${r.after} AND x.legacy_id <= ${r.upTo} AND x.source_hash IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${sql(m.table)} t WHERE t.${sql(m.key)} = x.legacy_id)`;
}

/**
 * Per range of `width` legacy ids of a span and per sub-range of `subWidth` ids of it (as
 * LegacyQueries.rangeSums: range b = (id - after - 1) / width, sub-range sb = that offset % width /
 * subWidth): count, hashed count and exact SUM of source_hash, in one range scan of the unique index.
 */
export async function pgRangeSums(
  sql: Db,
  m: MirrorSpec,
  r: IdRange,
  width: number,
  subWidth: number,
): Promise<GroupedSums> {
  const rows = await sql<{ b: number; sb: number; n: number; hashed: number; sum: string }[]>`
    SELECT (o / ${width}::bigint)::int AS b, (o % ${width}::bigint / ${subWidth}::bigint)::int AS sb,
      count(*)::int AS n, count(source_hash)::int AS hashed, COALESCE(sum(source_hash), 0)::text AS sum
    FROM (SELECT id::bigint - ${r.after}::bigint - 1 AS o, source_hash FROM (${rowsIn(sql, m, r)}) y) x
    GROUP BY 1, 2`;
  return groupSums(rows.map(({ b, sb, ...sum }) => [b, sb, sum]));
}

/** Count, hashed count and exact SUM of source_hash over a whole range (LegacyQueries.spanSum's counterpart). */
export async function pgSpanSum(sql: Db, m: MirrorSpec, r: IdRange): Promise<RangeSum> {
  const [row] = await sql<RangeSum[]>`
    SELECT count(*)::int AS n, count(source_hash)::int AS hashed, COALESCE(sum(source_hash), 0)::text AS sum
    FROM (${rowsIn(sql, m, r)}) x`;
  return row!;
}

/** (legacy id, source_hash as text) of each row in a range. */
export async function pgRangeHashes(sql: Db, m: MirrorSpec, r: IdRange): Promise<[number, string | null][]> {
  const rows = await sql<{ id: number; h: string | null }[]>`
    SELECT id, source_hash::text AS h FROM (${rowsIn(sql, m, r)}) x ORDER BY 1`;
  return rows.map((x) => [x.id, x.h]);
}

/**
 * Of these legacy ids, those whose row is referenced through a foreign key that would delete or
 * block with it (CASCADE, NO ACTION, RESTRICT: a DJ's bin, a show's DJs); SET NULL references
 * are fine. Returns legacy id -> the referencing table.
 */
export async function referencedRows(sql: Db, m: MirrorSpec, legacyIds: number[]): Promise<Map<number, string>> {
  const refs = await sql<{ nsp: string; rel: string; col: string; target: string }[]>`
    SELECT n.nspname AS nsp, r.relname AS rel, a.attname AS col, pk.attname AS target
    FROM pg_constraint c
    JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute pk ON pk.attrelid = c.confrelid AND pk.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND c.confrelid = ${m.table}::regclass AND c.confdeltype NOT IN ('n', 'd') AND cardinality(c.conkey) = 1`;
  const out = new Map<number, string>();
  for (const ref of refs) {
    const table = `${ref.nsp}.${ref.rel}`;
    const rows = await sql<{ id: number }[]>`
      SELECT t.${sql(m.key)} AS id FROM ${sql(m.table)} t
      WHERE t.${sql(m.key)} = ANY(${intArray(sql as Sql, legacyIds)})
        AND EXISTS (SELECT 1 FROM ${sql(table)} x WHERE x.${sql(ref.col)} = t.${sql(ref.target)})`;
    for (const r of rows) if (!out.has(r.id)) out.set(r.id, table);
  }
  return out;
}

/** Deletes the rows of these legacy ids; returns the legacy ids deleted. */
export async function deleteByLegacyId(sql: Db, m: MirrorSpec, legacyIds: number[]): Promise<number[]> {
  if (legacyIds.length === 0) return [];
  const rows = await sql<{ id: number }[]>`
    DELETE FROM ${sql(m.table)} WHERE ${sql(m.key)} = ANY(${intArray(sql as Sql, legacyIds)}) RETURNING ${sql(m.key)} AS id`;
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** The smallest legacy id above `x` in the mirror, or null. */
export async function pgNextId(sql: Db, m: MirrorSpec, x: number): Promise<number | null> {
  const [row] = await sql<
    { id: number | null }[]
  >`SELECT min(${sql(m.key)}) AS id FROM ${sql(m.table)} WHERE ${sql(m.key)} > ${x}`;
  return row?.id ?? null;
}

/** The largest legacy id below `x` in the mirror, 0 when none. */
export async function pgPrevId(sql: Db, m: MirrorSpec, x: number): Promise<number> {
  const [row] = await sql<
    { id: number | null }[]
  >`SELECT max(${sql(m.key)}) AS id FROM ${sql(m.table)} WHERE ${sql(m.key)} < ${x}`;
  return row?.id ?? 0;
}
