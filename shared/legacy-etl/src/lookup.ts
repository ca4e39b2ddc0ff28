import type { Sql, TransactionSql } from 'postgres';
import { intArray } from '@wxyc/database';
import { successorsOf } from './retired.js';

type Db = Sql | TransactionSql;

/**
 * legacy id -> PostgreSQL id for the legacy ids of one batch (one query on the unique legacy-id
 * index), a merged id answered by the row that absorbed it (followMerges).
 */
export async function idsByLegacyId(
  sql: Db,
  table: string,
  legacyColumn: string,
  legacyIds: (number | null)[],
): Promise<Map<number, number>> {
  const wanted = [...new Set(legacyIds.filter((id): id is number => id !== null))];
  return followMerges(sql, table, wanted, async (ids) => {
    const rows = await sql<{ legacy_id: number; id: number }[]>`
      SELECT id, ${sql(legacyColumn)} AS legacy_id FROM ${sql(table)}
      WHERE ${sql(legacyColumn)} = ANY(${intArray(sql as Sql, ids)})`;
    return new Map(rows.map((r) => [r.legacy_id, r.id]));
  });
}

/**
 * `read(ids)` (legacy id -> value, for the rows found), where a legacy id without a row that a
 * merge retired (retireLegacyIds with a successor) is answered by its successor's row. The
 * second lookup runs only for ids not found, so a batch whose rows all exist costs one query.
 */
export async function followMerges<V>(
  sql: Db,
  table: string,
  wanted: readonly number[],
  read: (ids: number[]) => Promise<Map<number, V>>,
): Promise<Map<number, V>> {
  if (wanted.length === 0) return new Map();
  const found = await read([...wanted]);
  const missing = wanted.filter((id) => !found.has(id));
  if (missing.length === 0) return found;
  const successors = await successorsOf(sql, table, missing);
  if (successors.size === 0) return found;
  const theirs = await read([...new Set(successors.values())]);
  for (const [retired, successor] of successors) {
    const value = theirs.get(successor);
    if (value !== undefined) found.set(retired, value);
  }
  return found;
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
