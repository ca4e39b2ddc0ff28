import type { Sql, PendingQuery, Row } from 'postgres';

/**
 * The one definition of a flowsheet row's DJ name, shared by flowsheet-etl and the
 * dj_name backfill: the DJ's on-air name on their account, else the legacy handle
 * recorded on the show (DJ_HANDLE, never the real name), else the account's name.
 *
 * Both pieces use the aliases `s` (wxyc_schema.shows) and `u` (public.auth_user):
 *   sql`SELECT ${djNameExpression(sql)} FROM ${djNameSource(sql)} WHERE s.id = ${id}`
 * They are constants, so embedding them unescaped is safe; values stay parameters.
 */
export const DJ_NAME_SQL = 'COALESCE(u.dj_name, s.legacy_dj_name, u.name)';
export const DJ_NAME_SOURCE_SQL =
  'wxyc_schema.shows s LEFT JOIN public.auth_user u ON u.id = s.primary_dj_id';

export function djNameExpression(sql: Sql): PendingQuery<Row[]> {
  return sql.unsafe(DJ_NAME_SQL);
}

export function djNameSource(sql: Sql): PendingQuery<Row[]> {
  return sql.unsafe(DJ_NAME_SOURCE_SQL);
}
