import type { Sql, TransactionSql } from 'postgres';

type Db = Sql | TransactionSql;

export interface UpsertSpec<R extends Record<string, unknown>> {
  /** Schema-qualified table, e.g. 'wxyc_schema.flowsheet'. */
  table: string;
  /** The unique legacy-id column the rows are matched on, e.g. 'legacy_entry_id'. */
  key: keyof R & string;
  rows: R[];
  /** Columns written; defaults to the keys of the first row. Others (e.g. dj_name) are left alone on update. */
  columns?: (keyof R & string)[];
  /**
   * Columns written on insert and whenever the row is rewritten anyway, but whose difference
   * alone never rewrites it (flowsheet's dj_name: an entry's name follows its show by a rename of
   * its own, and an update that changes only it would clear the row's source_hash through the
   * mirror's unhash trigger, whose columns the upsert's SET always lists).
   */
  passive?: readonly (keyof R & string)[];
  /**
   * `source-else-local` columns: an incoming NULL (the legacy row has no value) keeps the value
   * the row has (a local job's), on update: `SET c = COALESCE(EXCLUDED.c, t.c)`.
   */
  keepLocal?: readonly (keyof R & string)[];
}

export interface UpsertResult {
  id: number;
  legacyId: number;
  inserted: boolean;
}

/**
 * One INSERT ... ON CONFLICT (key) DO UPDATE for a batch. A row whose values are unchanged
 * is not rewritten (no dead tuple, no trigger work on idempotent re-runs), so it is not in
 * the result. `inserted` tells a new row from an updated one (xmax = 0 only on insert).
 */
export async function upsertBatch<R extends Record<string, unknown>>(
  sql: Db,
  spec: UpsertSpec<R>,
): Promise<UpsertResult[]> {
  if (spec.rows.length === 0) return [];
  const columns: string[] = spec.columns ?? Object.keys(spec.rows[0]!);
  const key: string = spec.key;
  const updated = columns.filter((c) => c !== key);
  const keep = (c: string) => spec.keepLocal?.includes(c) ?? false;
  const value = (c: string) => (keep(c) ? sql`COALESCE(EXCLUDED.${sql(c)}, t.${sql(c)})` : sql`EXCLUDED.${sql(c)}`);
  const set = updated.map((c) => sql`${sql(c)} = ${value(c)}`);
  const compared = updated.filter((c) => !spec.passive?.includes(c));
  const target = compared.map((c) => sql`t.${sql(c)}`);
  const incoming = compared.map(value);
  // Rows as arrays: postgres-js' object helper only builds VALUES right after literal INSERT INTO text.
  const values = spec.rows.map((r) => columns.map((c) => r[c] ?? null));
  const rows = await sql<{ id: number; legacy_id: number; inserted: boolean }[]>`
    INSERT INTO ${sql(spec.table)} AS t (${sql(columns)}) VALUES ${sql(values as never)}
    ON CONFLICT (${sql(key)}) DO UPDATE SET ${join(sql, set)}
    WHERE (${join(sql, target)}) IS DISTINCT FROM (${join(sql, incoming)})
    RETURNING t.id, t.${sql(key)} AS legacy_id, (t.xmax = 0) AS inserted`;
  return rows.map((r) => ({ id: r.id, legacyId: r.legacy_id, inserted: r.inserted }));
}

type Fragment = ReturnType<Db['unsafe']>;

function join(sql: Db, parts: Fragment[]): Fragment {
  return parts.reduce((acc, p) => sql`${acc}, ${p}`);
}
