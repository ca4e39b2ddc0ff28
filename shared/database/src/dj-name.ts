import type { Sql, PendingQuery, Row } from 'postgres';

/** ASCII whitespace (space, tab, newline, carriage return, form feed, vertical tab), as an SQL literal. */
const WHITESPACE = "E' \\t\\n\\r\\f\\013'";

/**
 * The one definition of a flowsheet row's DJ name, used by flowsheet-etl, the dj_name
 * backfill (fill and --refresh), the fill trigger of migration 0060 and the dj_name guard of the
 * switch 0061 (both embed it verbatim, through djNameOfRowSql and DJ_NAME_SQL; unit tests keep
 * them equal).
 *
 * flowsheet.dj_name is PUBLIC (on-air playlist, search_doc), so it is only ever an on-air
 * handle: the DJ's handle on their account (auth_user.dj_name), else the legacy handle recorded
 * on the show (shows.legacy_dj_name, from DJ_HANDLE), else NULL. Never auth_user.name or
 * real_name (the roster admin writes the person's real name there) nor the legacy DJ_NAME.
 * A handle that is blank, whitespace only, or "anonymous" in any case or spacing is no handle:
 * a DJ who chose "Anonymous" is shown with no name, not the word.
 *
 * Both pieces use the aliases `s` (wxyc_schema.shows) and `u` (public.auth_user):
 *   sql`SELECT ${djNameExpression(sql)} FROM ${djNameSource(sql)} WHERE s.id = ${id}`
 * They are constants, so embedding them unescaped is safe; values stay parameters.
 */
export const DJ_NAME_SQL = `COALESCE(${handle('u.dj_name')}, ${handle('s.legacy_dj_name')})`;
export const DJ_NAME_SOURCE_SQL = 'wxyc_schema.shows s LEFT JOIN public.auth_user u ON u.id = s.primary_dj_id';

/**
 * The name the rule gives flowsheet row `alias` (`NEW`, `f`, ...) now: a scalar subquery, one
 * primary-key probe of shows and auth_user; NULL for a row without a show or a show without a handle.
 */
export function djNameOfRowSql(alias: string): string {
  if (!/^[A-Za-z_]+$/.test(alias)) throw new Error(`djNameOfRowSql: ${JSON.stringify(alias)} is not a row alias`);
  return `(SELECT ${DJ_NAME_SQL} FROM ${DJ_NAME_SOURCE_SQL} WHERE s.id = ${alias}.show_id)`;
}

/**
 * The trigger (migration 0060) that names a track row whose dj_name a writer left NULL, and its
 * function. Its name sorts before flowsheet_search_doc_fill: PostgreSQL fires the BEFORE triggers
 * of one event in name order, so search_doc is computed from the row with its name.
 */
export const DJ_NAME_FILL_TRIGGER = 'flowsheet_dj_name_fill';
export const DJ_NAME_FILL_FUNCTION = 'wxyc_schema.flowsheet_dj_name_fill';

/**
 * SQL that is TRUE when `column` (an alias-qualified column such as `t.dj_name`) holds no handle
 * by the rule (blank or anonymous). For the refresh, which tells such stored values apart.
 */
export function noHandleSql(column: string): string {
  if (!/^[a-z_]+\.[a-z_]+$/.test(column)) throw new Error(`noHandleSql: ${JSON.stringify(column)} is not alias.column`);
  return `${squashed(column)} IN ('', 'anonymous')`;
}

/**
 * A handle column as published: trimmed, or NULL when blank or anonymous. Constant columns only.
 * translate/btrim, not regexp_replace: the rule runs per row in 0061's guard and the refresh's
 * scans, and a regex per row cost several times as much there (bench:guard-0054).
 */
function handle(column: 'u.dj_name' | 's.legacy_dj_name'): string {
  return `CASE WHEN ${squashed(column)} IN ('', 'anonymous') THEN NULL ELSE btrim(${column}, ${WHITESPACE}) END`;
}

/** Lower case with every whitespace character removed: "  Anony mous " -> 'anonymous'. */
function squashed(column: string): string {
  return `translate(lower(${column}), ${WHITESPACE}, '')`;
}

export function djNameExpression(sql: Sql): PendingQuery<Row[]> {
  return sql.unsafe(DJ_NAME_SQL);
}

export function djNameSource(sql: Sql): PendingQuery<Row[]> {
  return sql.unsafe(DJ_NAME_SOURCE_SQL);
}
