/**
 * The one definition of flowsheet.search_doc (weights: artist A, track B, DJ B, album C, label D).
 * Migration 0054's trigger function and 0061's replacement embed searchDocSql('NEW') verbatim,
 * the search_doc backfill writes searchDocSql('l') and the tests compare every row with
 * searchDocSql('f'); a unit test keeps the migrations equal to this text.
 *
 * The column is a plain tsvector owned by the trigger `flowsheet_search_doc_fill`: it computes
 * the value on every INSERT and UPDATE, overwriting whatever a writer put there. Writers never
 * set it (the drizzle schema marks it as such); the search_doc backfill is the only other writer.
 */
const WEIGHTED: readonly (readonly [column: string, weight: 'A' | 'B' | 'C' | 'D'])[] = [
  ['artist_name', 'A'],
  ['track_title', 'B'],
  ['dj_name', 'B'],
  ['album_title', 'C'],
  ['record_label', 'D'],
];

/** The expression over the row alias `alias` (`NEW`, `f`, ...); constant text, safe to embed. */
export function searchDocSql(alias: string): string {
  if (!/^[A-Za-z_]+$/.test(alias)) throw new Error(`searchDocSql: ${JSON.stringify(alias)} is not a row alias`);
  return WEIGHTED.map(([c, w]) => `setweight(to_tsvector('simple', coalesce(${alias}.${c}, '')), '${w}')`).join(' || ');
}

/** The trigger that owns flowsheet.search_doc and its function (created by 0054, retargeted by 0061). */
export const SEARCH_DOC_TRIGGER = 'flowsheet_search_doc_fill';
export const SEARCH_DOC_FUNCTION = 'wxyc_schema.flowsheet_search_doc_fill';
