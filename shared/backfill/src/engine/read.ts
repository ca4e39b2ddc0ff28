import type { Row, Sql } from 'postgres';
import { afterPosition, keyIn, keyOf, orderBy, positionOf, walkSelect, type KeySpec, type KeyText } from './keys.js';
import type { Task } from './task.js';
import { pendingOf, VERSION } from './walked.js';

/** Which rows a batch reads: the next ones after the position (held keys left out), or listed keys. */
export type ReadScope =
  /** `next`: rows the run's budget lets the walk take after this batch; it reads ahead only when > 0. */
  { after: string[] | null; limit: number; exclude: readonly KeyText[]; next?: number } | { keys: readonly KeyText[] };

/** A read row: the row itself, its walk position, key and version (null for a read query's rows). */
export interface ReadRow {
  row: Row;
  position: string[];
  key: KeyText;
  version: string | null;
}

/**
 * Plain SELECT, autocommit: no transaction stays open and no row is locked while the batch is
 * resolved. From the table (pending rows, their md5 version) or from the task's read query.
 */
export async function readBatch(sql: Sql, task: Task, spec: KeySpec, scope: ReadScope): Promise<ReadRow[]> {
  const source = task.read ? sql`(${sql.unsafe(task.read)}) t` : sql`${sql.unsafe(task.table)} t`;
  const pending = task.read ? sql`true` : pendingOf(sql, task);
  const version = task.read ? sql`NULL::text` : sql`md5(t::text)`;
  const where =
    'keys' in scope
      ? keyIn(sql, spec, scope.keys)
      : scope.exclude.length
        ? sql`${afterPosition(sql, spec, scope.after)} AND ${keyIn(sql, spec, scope.exclude, true)}`
        : afterPosition(sql, spec, scope.after);
  const limit = 'keys' in scope ? sql`` : sql`LIMIT ${scope.limit}`;
  const rows = await sql`
    SELECT t.*, ${walkSelect(sql, spec)}, ${version} AS ${sql.unsafe(VERSION)}
    FROM ${source} WHERE ${pending} AND ${where}
    ORDER BY ${orderBy(sql, spec)} ${limit}`;
  return rows.map((row) => {
    const position = positionOf(task.name, spec, row);
    return { row, position, key: keyOf(spec, position), version: row[VERSION] as string | null };
  });
}

/** Pending rows after the position, held keys left out: what the run has ahead of it. */
export async function countAhead(
  sql: Sql,
  task: Task,
  spec: KeySpec,
  after: string[] | null,
  exclude: readonly KeyText[],
): Promise<number> {
  const source = task.read ? sql`(${sql.unsafe(task.read)}) t` : sql`${sql.unsafe(task.table)} t`;
  const pending = task.read ? sql`true` : pendingOf(sql, task);
  const held = exclude.length ? sql`AND ${keyIn(sql, spec, exclude, true)}` : sql``;
  const [r] = await sql<
    { n: string }[]
  >`SELECT count(*) AS n FROM ${source} WHERE ${pending} AND ${afterPosition(sql, spec, after)} ${held}`;
  return Number(r!.n);
}
