import type { Sql } from 'postgres';
import { JobError, EXIT } from '@wxyc/job-runtime';

/** A written column and the type every value for it is cast to (from pg_attribute, never from values). */
export interface ColumnType {
  name: string;
  /**
   * `format_type(atttypid, NULL)`: the base type without its modifier, so a value too long
   * for a varchar(128) still fails the assignment (22001) instead of being truncated by the cast.
   */
  type: string;
}

/** The catalog types of `columns` of `table`, in the given order; a missing column is one clear error. */
export async function columnTypes(sql: Sql, table: string, columns: readonly string[]): Promise<ColumnType[]> {
  const [rel] = await sql<{ oid: number | null }[]>`SELECT to_regclass(${table})::oid AS oid`;
  if (!rel?.oid)
    throw new JobError(`backfill table ${table} does not exist (check the definition and the migrations)`, EXIT.FAILED);
  const rows = await sql<{ name: string; type: string }[]>`
    SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type
    FROM pg_attribute a
    WHERE a.attrelid = ${rel.oid} AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY(${[...columns]}::text[])`;
  const byName = new Map(rows.map((r) => [r.name, r]));
  return columns.map((c) => {
    const col = byName.get(c);
    if (!col)
      throw new JobError(
        `backfill column ${c} does not exist in ${table} (check the definition and the migrations)`,
        EXIT.FAILED,
      );
    return col;
  });
}
