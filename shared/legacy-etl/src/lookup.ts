import type { Sql, TransactionSql } from 'postgres';
import { intArray } from '@wxyc/database';

type Db = Sql | TransactionSql;

/** legacy id -> PostgreSQL id for the legacy ids of one batch (one query on the unique legacy-id index). */
export async function idsByLegacyId(
  sql: Db,
  table: string,
  legacyColumn: string,
  legacyIds: (number | null)[],
): Promise<Map<number, number>> {
  const wanted = [...new Set(legacyIds.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await sql<{ legacy_id: number; id: number }[]>`
    SELECT id, ${sql(legacyColumn)} AS legacy_id FROM ${sql(table)}
    WHERE ${sql(legacyColumn)} = ANY(${intArray(sql as Sql, wanted)})`;
  return new Map(rows.map((r) => [r.legacy_id, r.id]));
}

/**
 * Keeps the last row per legacy id: one INSERT ... ON CONFLICT cannot touch a row twice.
 * (Only a dump can repeat an id; the bulk load counts those repeats over the whole file.)
 */
export function lastPerId<T>(rows: T[], idOf: (r: T) => number): T[] {
  const byId = new Map<number, T>();
  for (const r of rows) byId.set(idOf(r), r);
  return [...byId.values()];
}
