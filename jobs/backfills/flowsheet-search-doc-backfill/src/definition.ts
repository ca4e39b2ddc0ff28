import type { Sql } from 'postgres';
import type { BackfillDefinition } from '@wxyc/backfill';
import { searchDocSql } from '@wxyc/database';

/**
 * Fills flowsheet.search_doc_new (added by 0054, owned by its trigger) for rows written before
 * 0054: the value is the one definition, searchDocSql, written as a typed tsvector. The trigger
 * recomputes the same value on this UPDATE, so a row changed meanwhile is still right.
 * Every row resolves (the expression is never NULL), so there is no reason and no fallback.
 */
export const flowsheetSearchDoc: BackfillDefinition = {
  name: 'flowsheet-search-doc',
  table: 'wxyc_schema.flowsheet',
  key: 'id',
  columns: ['search_doc_new'],
  // Exactly the rows 0061's guard counts.
  pending: 't.search_doc_new IS NULL',
  resolve: `SELECT l.id, ${searchDocSql('l')} AS search_doc_new, NULL::text AS reason FROM locked l`,
  async prepare(sql: Sql) {
    // Each written row enters the GIN index of 0059 (non-HOT update); small pending lists flushed
    // by each batch keep batch times even (the dj_name job's finding). This session only.
    await sql`SET gin_pending_list_limit = '128kB'`;
  },
};

export type ColumnState = 'expanded' | 'switched' | 'missing';

/** Where the table is in the sequence: 0054 applied (search_doc_new exists), 0061 applied, or neither. */
export async function columnState(sql: Sql): Promise<ColumnState> {
  const [row] = await sql<{ expanded: boolean; switched: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'wxyc_schema' AND table_name = 'flowsheet' AND column_name = 'search_doc_new') AS expanded,
           EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass('wxyc_schema.flowsheet') AND tgname = 'flowsheet_search_doc_fill')
             AND NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'wxyc_schema' AND table_name = 'flowsheet' AND column_name = 'search_doc_new') AS switched`;
  return row!.expanded ? 'expanded' : row!.switched ? 'switched' : 'missing';
}

/** The condition of 0061's search_doc guard: rows whose search_doc_new is still NULL. */
export async function guardCount(sql: Sql): Promise<number> {
  const [row] = await sql<
    { n: string }[]
  >`SELECT count(*) AS n FROM wxyc_schema.flowsheet WHERE search_doc_new IS NULL`;
  return Number(row!.n);
}
