import type { Sql } from 'postgres';

/** Legacy ids retired locally per mirrored table (wxyc_schema.legacy_retired_ids, @wxyc/legacy-etl retireLegacyIds). */
export interface RetiredIds {
  table: string;
  count: number;
  newest: Date;
}

/** One row per mirrored table with retired ids; [] before migration 0063 (no table yet). */
export async function readRetiredIds(sql: Sql): Promise<RetiredIds[]> {
  const [found] = await sql<
    { present: boolean }[]
  >`SELECT to_regclass('wxyc_schema.legacy_retired_ids') IS NOT NULL AS present`;
  if (!found?.present) return [];
  const rows = await sql<{ table: string; count: number; newest: Date }[]>`
    SELECT mirror_table AS table, count(*)::int AS count, max(retired_at) AS newest
    FROM wxyc_schema.legacy_retired_ids GROUP BY 1 ORDER BY 1`;
  return rows.map((r) => ({ table: r.table, count: r.count, newest: r.newest }));
}

/** The text view's line (informational: retired ids are never a problem). */
export function retiredLine(r: RetiredIds[], fmtAgo: (d: Date) => string): string {
  if (r.length === 0) return 'legacy ids retired locally: none';
  return `legacy ids retired locally (skipped by the mirror): ${r.map((x) => `${x.table} ${x.count} (newest ${fmtAgo(x.newest)} ago)`).join(', ')}`;
}
