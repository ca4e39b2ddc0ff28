import type { Sql } from 'postgres';
import type { BackfillDefinition } from '@wxyc/backfill';
import { DJ_NAME_SOURCE_SQL, DJ_NAME_SQL } from '@wxyc/database';

/** Session-local show_id -> DJ name map, built once per connection (150k rows in production). */
const NAMES = 'pg_temp.backfill_dj_names';

/**
 * Track rows get the DJ name of their show, by the one shared definition (DJ_NAME_SQL).
 * Names are resolved per show once, into a temp table, instead of joining shows and
 * auth_user in every batch (that join hashed all 150k shows per batch in the prototype).
 * A show created after the map was built is looked up live (an index probe per such row).
 */
export const flowsheetDjName: BackfillDefinition = {
  name: 'flowsheet-dj-name',
  table: 'wxyc_schema.flowsheet',
  key: 'id',
  columns: ['dj_name'],
  // The rows 0060's dj_name guard counts (plus those no rule can fill, counted as unresolved).
  pending: `t.entry_type = 'track' AND t.dj_name IS NULL`,
  resolve: `
    SELECT l.id, coalesce(n.dj_name, live.dj_name) AS dj_name,
           CASE WHEN coalesce(n.dj_name, live.dj_name) IS NOT NULL THEN NULL
                WHEN l.show_id IS NULL THEN 'no show'
                WHEN n.show_id IS NULL AND live.show_id IS NULL THEN 'unknown show'
                ELSE 'no name' END AS reason
    FROM locked l
    LEFT JOIN ${NAMES} n ON n.show_id = l.show_id
    LEFT JOIN LATERAL (
      SELECT s.id AS show_id, ${DJ_NAME_SQL} AS dj_name FROM ${DJ_NAME_SOURCE_SQL}
      WHERE s.id = l.show_id AND n.show_id IS NULL
      OFFSET 0 -- keeps it a per-row probe, gated off for rows the map resolved
    ) live ON true`,
  async prepare(sql: Sql) {
    // Every dj_name write is a non-HOT update, so each row also enters the search_doc GIN index's
    // pending list; with the default 4MB list, the batch that overflows it merges the whole list
    // (multi-second outliers). Small lists flushed by each batch keep batch times even
    // (see the README's benchmark). This session only.
    await sql`SET gin_pending_list_limit = '128kB'`;
    await sql.unsafe(`DROP TABLE IF EXISTS ${NAMES}`);
    await sql.unsafe(
      `CREATE TEMP TABLE backfill_dj_names AS SELECT s.id AS show_id, ${DJ_NAME_SQL} AS dj_name FROM ${DJ_NAME_SOURCE_SQL}`,
    );
    await sql.unsafe(`ALTER TABLE ${NAMES} ADD PRIMARY KEY (show_id)`);
    await sql.unsafe(`ANALYZE ${NAMES}`);
  },
};

/** Track rows whose dj_name is still NULL (0060's guard counts those the rule can fill). */
export async function guardCount(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: string }[]>`
    SELECT count(*) AS n FROM wxyc_schema.flowsheet WHERE entry_type = 'track' AND dj_name IS NULL`;
  return Number(row!.n);
}

/** The condition of 0060's dj_name guard: track rows with dj_name NULL whose show gives a name by the rule. */
export async function fillableCount(sql: Sql): Promise<number> {
  const [row] = await sql.unsafe<{ n: string }[]>(`
    SELECT count(*) AS n FROM ${DJ_NAME_SOURCE_SQL} JOIN wxyc_schema.flowsheet f ON f.show_id = s.id
    WHERE f.entry_type = 'track' AND f.dj_name IS NULL AND ${DJ_NAME_SQL} IS NOT NULL`);
  return Number(row!.n);
}

/** True when flowsheet.dj_name exists (0053 applied). */
export async function hasDjNameColumn(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'wxyc_schema' AND table_name = 'flowsheet' AND column_name = 'dj_name') AS ok`;
  return row!.ok;
}
