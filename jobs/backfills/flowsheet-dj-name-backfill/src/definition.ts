import type { Sql } from 'postgres';
import type { BackfillDefinition, UnresolvedGroup } from '@wxyc/backfill';
import { DJ_NAME_SOURCE_SQL, DJ_NAME_SQL, djNameOfRowSql, noHandleSql } from '@wxyc/database';

/** Session-local show_id -> DJ name map, built once per connection (150k rows in production). */
const NAMES = 'pg_temp.backfill_dj_names';

/** The name the rule gives the show of row alias `a` now: one primary-key probe of shows and auth_user. */
const liveName = (a: 't' | 'l') => djNameOfRowSql(a);

/**
 * Every dj_name write is a non-HOT update, so each row also enters the search_doc GIN index's
 * pending list; with the default 4MB list, the batch that overflows it merges the whole list
 * (multi-second outliers). Small lists flushed by each batch keep batch times even (see the
 * README's benchmark). This session only.
 */
async function smallGinPendingList(sql: Sql): Promise<void> {
  await sql`SET gin_pending_list_limit = '128kB'`;
}

/**
 * Fill: track rows with no dj_name get the name of their show by the one DJ-name rule
 * (DJ_NAME_SQL: the account handle, else the legacy handle, else NULL; never a real name).
 * Names are resolved per show once, into a temp table, instead of joining shows and auth_user
 * in every batch (that join hashed all 150k shows per batch in the prototype). A show created
 * after the map was built is looked up live (an index probe per such row). Rows the rule
 * resolves to NULL are "no handle" (by reason) and stay NULL: 0061's dj_name guard does not wait for them.
 */
export const flowsheetDjName: BackfillDefinition = {
  name: 'flowsheet-dj-name',
  table: 'wxyc_schema.flowsheet',
  key: 'id',
  columns: ['dj_name'],
  pending: `t.entry_type = 'track' AND t.dj_name IS NULL`,
  resolve: `
    SELECT l.id, coalesce(n.dj_name, live.dj_name) AS dj_name,
           CASE WHEN coalesce(n.dj_name, live.dj_name) IS NOT NULL THEN NULL
                WHEN l.show_id IS NULL THEN 'no show'
                WHEN n.show_id IS NULL AND live.show_id IS NULL THEN 'unknown show'
                ELSE 'show without handle' END AS reason
    FROM locked l
    LEFT JOIN ${NAMES} n ON n.show_id = l.show_id
    LEFT JOIN LATERAL (
      SELECT s.id AS show_id, ${DJ_NAME_SQL} AS dj_name FROM ${DJ_NAME_SOURCE_SQL}
      WHERE s.id = l.show_id AND n.show_id IS NULL
      OFFSET 0 -- keeps it a per-row probe, gated off for rows the map resolved
    ) live ON true`,
  async prepare(sql: Sql) {
    await smallGinPendingList(sql);
    await sql.unsafe(`DROP TABLE IF EXISTS ${NAMES}`);
    await sql.unsafe(
      `CREATE TEMP TABLE backfill_dj_names AS SELECT s.id AS show_id, ${DJ_NAME_SQL} AS dj_name FROM ${DJ_NAME_SOURCE_SQL}`,
    );
    await sql.unsafe(`ALTER TABLE ${NAMES} ADD PRIMARY KEY (show_id)`);
    await sql.unsafe(`ANALYZE ${NAMES}`);
  },
};

/**
 * Refresh (`--refresh`): rows whose stored dj_name differs from what the rule gives now get the
 * rule's answer, NULL included: real names written by an earlier version, "Anonymous", names of
 * shows whose DJ or handle changed. Rows still NULL are the fill's (a run without --refresh).
 * Live per-row lookups: the rows to rewrite are few, and pending and value then agree. Every row
 * is resolved (reason NULL), so the runner writes the NULLs and never applies a fallback.
 */
export const flowsheetDjNameRefresh: BackfillDefinition = {
  name: 'flowsheet-dj-name-refresh',
  table: 'wxyc_schema.flowsheet',
  key: 'id',
  columns: ['dj_name'],
  pending: `t.dj_name IS NOT NULL AND t.dj_name IS DISTINCT FROM ${liveName('t')}`,
  resolve: `SELECT l.id, ${liveName('l')} AS dj_name, NULL::text AS reason FROM locked l`,
  prepare: smallGinPendingList,
};

/**
 * Why a refresh would rewrite each row (its dry run): "anonymous" (a blank or anonymous stored
 * value), "real name" (the stored value is the account's name or real_name), else "handle changed".
 */
export async function refreshReasons(sql: Sql): Promise<UnresolvedGroup[]> {
  const rows = await sql.unsafe<{ reason: string; count: number; sample: string[] }[]>(`
    SELECT reason, count(*)::int AS count, (array_agg(id::text ORDER BY id))[1:10] AS sample FROM (
      SELECT f.id, CASE WHEN ${noHandleSql('f.dj_name')} THEN 'anonymous'
                        WHEN f.dj_name IN (u.name, u.real_name) THEN 'real name'
                        ELSE 'handle changed' END AS reason
      FROM wxyc_schema.flowsheet f LEFT JOIN (${DJ_NAME_SOURCE_SQL}) ON s.id = f.show_id
      WHERE f.dj_name IS NOT NULL AND f.dj_name IS DISTINCT FROM ${DJ_NAME_SQL}
    ) x GROUP BY reason ORDER BY reason`);
  return rows.map((r) => ({ reason: r.reason, count: r.count, sample: r.sample.map(Number) }));
}

/**
 * The condition of 0061's dj_name guard: track rows with dj_name IS NULL whose show gives a name by the
 * rule, i.e. rows the fill can still write (the guard embeds the same DJ_NAME_SQL).
 */
export async function guardCount(sql: Sql): Promise<number> {
  const [row] = await sql.unsafe<{ n: string }[]>(`
    SELECT count(*) AS n FROM ${DJ_NAME_SOURCE_SQL} JOIN wxyc_schema.flowsheet f ON f.show_id = s.id
    WHERE f.entry_type = 'track' AND f.dj_name IS NULL AND ${DJ_NAME_SQL} IS NOT NULL`);
  return Number(row!.n);
}

/** Rows whose stored name differs from the rule's answer: what a refresh would still rewrite. */
export async function refreshPendingCount(sql: Sql): Promise<number> {
  const [row] = await sql.unsafe<{ n: string }[]>(
    `SELECT count(*) AS n FROM wxyc_schema.flowsheet t WHERE ${flowsheetDjNameRefresh.pending}`,
  );
  return Number(row!.n);
}

/** True when flowsheet.dj_name exists (0053 applied). */
export async function hasDjNameColumn(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'wxyc_schema' AND table_name = 'flowsheet' AND column_name = 'dj_name') AS ok`;
  return row!.ok;
}
