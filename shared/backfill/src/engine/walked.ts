import type { PendingQuery, Row, Sql } from 'postgres';
import { commaList, fromJson, type Catalog } from './catalog.js';
import { keyIn, type KeySpec, type KeyText } from './keys.js';
import type { Task } from './task.js';

/** Column of the read rows carrying their version (md5 of the whole row): the optimistic check. */
export const VERSION = 'backfill_version';

/** The walked rows' pending predicate (with the re-ask TTL of `attempted`), over alias `t`. */
export function pendingOf(sql: Sql, task: Task): PendingQuery<Row[]> {
  const own = sql`(${sql.unsafe(task.pending ?? 'true')})`;
  if (!task.attempted) return own;
  const a = sql`t.${sql.unsafe(task.attempted.column)}`;
  return sql`${own} AND (${a} IS NULL OR ${a} < now() - make_interval(days => ${task.attempted.reaskAfterDays}::int))`;
}

const keyTuple = (sql: Sql, spec: KeySpec) =>
  commaList(
    sql,
    spec.keyAt.map((i) => sql`t.${sql.unsafe(spec.cols[i]!.name)}`),
  );
const keyTexts = (sql: Sql, spec: KeySpec) =>
  sql`json_build_array(${commaList(
    sql,
    spec.keyAt.map((i) => sql`t.${sql.unsafe(spec.cols[i]!.name)}::text`),
  )})`;
const keyFromV = (sql: Sql, spec: KeySpec) =>
  commaList(
    sql,
    spec.keyAt.map((i, n) => sql`(v.k ->> ${n}::int)::${sql.unsafe(spec.cols[i]!.type)}`),
  );

/**
 * Locks the rows about to be written that are still pending and, when read from the table,
 * unchanged since the read (same md5 of the whole row), skipping rows another session holds.
 * Returns their keys: the rest are revisited at the end, never written with a stale value.
 */
export async function claim(
  sql: Sql,
  task: Task,
  spec: KeySpec,
  rows: readonly { key: KeyText; version: string | null }[],
): Promise<KeyText[]> {
  if (rows.length === 0) return [];
  const payload = rows.map((r) => ({ k: r.key, h: r.version }));
  const pending = task.read ? sql`true` : pendingOf(sql, task);
  const got = await sql<{ k: string[] }[]>`
    WITH v AS (SELECT * FROM jsonb_to_recordset(${sql.json(payload as never)}::jsonb) AS v(k jsonb, h text))
    SELECT ${keyTexts(sql, spec)} AS k FROM ${sql.unsafe(task.table)} t JOIN v ON (${keyTuple(sql, spec)}) = (${keyFromV(sql, spec)})
    WHERE ${pending} AND (v.h IS NULL OR md5(t::text) = v.h)
    FOR UPDATE OF t SKIP LOCKED`;
  return got.map((r) => r.k);
}

/** Sets each row's own columns (rows may set different ones) and stamps `attempted` where asked. */
export async function updateWalked(
  sql: Sql,
  task: Task,
  spec: KeySpec,
  cat: Catalog,
  rows: readonly { key: KeyText; set: Record<string, unknown>; stamp: boolean }[],
): Promise<number> {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.set)))];
  const stampCol = task.attempted?.column;
  if (rows.length === 0 || (names.length === 0 && !stampCol)) return 0;
  const cols = await cat.types(task.table, names);
  const sets = cols.map((c) => {
    const col = sql.unsafe(c.name);
    return sql`${col} = CASE WHEN v.vals ? ${c.name}::text THEN ${fromJson(sql, sql`v.vals`, c.name, c.type)} ELSE t.${col} END`;
  });
  if (stampCol && !names.includes(stampCol))
    sets.push(sql`${sql.unsafe(stampCol)} = CASE WHEN v.stamp THEN now() ELSE t.${sql.unsafe(stampCol)} END`);
  if (sets.length === 0) return 0;
  const payload = rows.map((r) => ({ k: r.key, vals: r.set, stamp: r.stamp }));
  const r = await sql`
    WITH v AS (SELECT * FROM jsonb_to_recordset(${sql.json(payload as never)}::jsonb) AS v(k jsonb, vals jsonb, stamp boolean))
    UPDATE ${sql.unsafe(task.table)} t SET ${commaList(sql, sets)} FROM v WHERE (${keyTuple(sql, spec)}) = (${keyFromV(sql, spec)})`;
  return r.count;
}

export async function deleteWalked(sql: Sql, task: Task, spec: KeySpec, keys: readonly KeyText[]): Promise<number> {
  if (keys.length === 0) return 0;
  const r = await sql`DELETE FROM ${sql.unsafe(task.table)} t WHERE ${keyIn(sql, spec, keys)}`;
  return r.count;
}
