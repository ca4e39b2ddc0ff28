import type { Sql, TransactionSql } from 'postgres';
import { ownedBy, type MirrorTable } from './owners.js';
import { retiredAmong } from './retired.js';
import { upsertBatch, type UpsertResult } from './upsert.js';

type Db = Sql | TransactionSql;

/**
 * The import's write of a mirrored table, following its owners: `source` columns are set,
 * `source-else-local` ones only when the row brings a value (else the local value stays), `local`
 * ones only on insert or when the row is rewritten anyway (passive). Rows of retired legacy ids
 * (retireLegacyIds) are skipped. A row carrying a column the declaration does not list is a
 * programming error: thrown, nothing written.
 */
export async function upsertMirror<R extends Record<string, unknown>>(
  sql: Db,
  m: MirrorTable,
  rows: R[],
): Promise<UpsertResult[]> {
  if (rows.length === 0) return [];
  const stray = Object.keys(rows[0]!).filter((c) => !m.written.includes(c));
  if (stray.length > 0)
    throw new Error(
      `${m.table}: the import writes ${stray.join(', ')}, not declared in its mirror table (written + owners).`,
    );
  const retired = await retiredAmong(
    sql,
    m.table,
    rows.map((r) => r[m.key] as number),
  );
  const live = retired.size === 0 ? rows : rows.filter((r) => !retired.has(r[m.key] as number));
  return upsertBatch(sql, {
    table: m.table,
    key: m.key as keyof R & string,
    rows: live,
    columns: m.written as (keyof R & string)[],
    passive: ownedBy(m, 'local') as (keyof R & string)[],
    keepLocal: ownedBy(m, 'source-else-local') as (keyof R & string)[],
  });
}
