// Which rows a tick rewrote: each row's xmin (the transaction that last wrote it) by legacy id.
import type { Sql } from 'postgres';

export async function rowVersions(sql: Sql, table: string, legacyColumn: string): Promise<Map<number, string>> {
  const rows = await sql<
    { k: number; v: string }[]
  >`SELECT ${sql(legacyColumn)} AS k, xmin::text AS v FROM ${sql(table)}`;
  return new Map(rows.map((r) => [r.k, r.v]));
}

/** Legacy ids of rows added or rewritten between two snapshots, ascending. */
export function rewritten(before: Map<number, string>, after: Map<number, string>): number[] {
  return [...after.keys()].filter((id) => after.get(id) !== before.get(id)).sort((a, b) => a - b);
}
