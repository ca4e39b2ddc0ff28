import type { PendingQuery, Row, Sql } from 'postgres';
import { JobError, EXIT } from '@wxyc/job-runtime';
import { keyColumns, type Task } from './task.js';

/** A column of the walk: the order columns, then the key columns not already among them. */
export interface WalkColumn {
  name: string;
  /** Its type as the server reports it (`format_type`): cursor values are cast back to it. */
  type: string;
  desc: boolean;
}

/** The walk's shape: its columns in order, and where the key columns are among them. */
export interface KeySpec {
  cols: WalkColumn[];
  /** Index in `cols` of each key column, in key order. */
  keyAt: number[];
}

/** A row's key as text values (one per key column): how keys are compared, parked and listed. */
export type KeyText = string[];

/** Column aliases the read adds: the walk values as text. */
export const walkAlias = (i: number) => `__w${i}`;

/** Which columns the walk orders by; the key follows as the tiebreak in the direction of the last order column. */
export function walkColumns(task: Pick<Task, 'key' | 'order'>): { name: string; desc: boolean }[] {
  const order = [...(task.order ?? [])];
  const tail = order.at(-1)?.desc ?? false;
  const cols = order.map((o) => ({ name: o.column, desc: !!o.desc }));
  for (const k of keyColumns(task)) if (!cols.some((c) => c.name === k)) cols.push({ name: k, desc: tail });
  return cols;
}

/** The walk's spec, its types read from the source itself (a table or the task's read query), so any type works. */
export async function keySpec(sql: Sql, task: Task): Promise<KeySpec> {
  const source = task.read ? sql.unsafe(`(${task.read})`) : sql.unsafe(task.table);
  const described = await sql`SELECT t.* FROM ${source} t LIMIT 0`;
  const byName = new Map(described.columns.map((c) => [c.name, c.type]));
  const wanted = walkColumns(task);
  for (const w of wanted) {
    if (!byName.has(w.name))
      throw new JobError(
        `${task.name}: column ${w.name} (key or order) is not in ${task.read ? 'the read query' : task.table}`,
        EXIT.FAILED,
      );
  }
  const oids = wanted.map((w) => byName.get(w.name)!);
  const types = await sql<
    { t: string }[]
  >`SELECT format_type(o, NULL) AS t FROM unnest(${oids}::oid[]) WITH ORDINALITY AS u(o, n) ORDER BY n`;
  const cols = wanted.map((w, i) => ({ ...w, type: types[i]!.t }));
  return { cols, keyAt: keyColumns(task).map((k) => cols.findIndex((c) => c.name === k)) };
}

const list = (sql: Sql, parts: PendingQuery<Row[]>[]) =>
  parts.slice(1).reduce((acc, p) => sql`${acc}, ${p}`, parts[0]!);

/** `t.a::text AS __w0, ...`: the walk values of each read row, as text (exact for every type). */
export function walkSelect(sql: Sql, spec: KeySpec): PendingQuery<Row[]> {
  return list(
    sql,
    spec.cols.map((c, i) => sql`t.${sql.unsafe(c.name)}::text AS ${sql.unsafe(walkAlias(i))}`),
  );
}

export function orderBy(sql: Sql, spec: KeySpec): PendingQuery<Row[]> {
  return list(
    sql,
    spec.cols.map((c) => sql`t.${sql.unsafe(c.name)} ${c.desc ? sql`DESC` : sql`ASC`}`),
  );
}

/**
 * Rows after `position` in walk order. One direction throughout: a row-value comparison the
 * planner can walk an index with; mixed directions: the expanded OR form.
 */
export function afterPosition(sql: Sql, spec: KeySpec, position: readonly string[] | null): PendingQuery<Row[]> {
  if (!position) return sql`true`;
  const col = (i: number) => sql`t.${sql.unsafe(spec.cols[i]!.name)}`;
  const val = (i: number) => sql`${position[i]!}::${sql.unsafe(spec.cols[i]!.type)}`;
  if (spec.cols.every((c) => c.desc === spec.cols[0]!.desc)) {
    const op = spec.cols[0]!.desc ? sql`<` : sql`>`;
    const idx = spec.cols.map((_, i) => i);
    return sql`(${list(sql, idx.map(col))}) ${op} (${list(sql, idx.map(val))})`;
  }
  const ors = spec.cols.map((c, i) => {
    const eqs = spec.cols.slice(0, i).map((_, j) => sql`${col(j)} = ${val(j)}`);
    const step = c.desc ? sql`${col(i)} < ${val(i)}` : sql`${col(i)} > ${val(i)}`;
    return [...eqs, step].reduce((acc, p) => sql`${acc} AND ${p}`);
  });
  return sql`(${ors.map((o) => sql`(${o})`).reduce((acc, p) => sql`${acc} OR ${p}`)})`;
}

/** `(t.k1, t.k2) IN (listed keys)`, typed, so an index on the key serves it; keys travel as one jsonb parameter. */
export function keyIn(sql: Sql, spec: KeySpec, keys: readonly KeyText[], negate = false): PendingQuery<Row[]> {
  const cols = spec.keyAt.map((i) => spec.cols[i]!);
  const tuple = list(
    sql,
    cols.map((c) => sql`t.${sql.unsafe(c.name)}`),
  );
  const typed = list(
    sql,
    cols.map((c, i) => sql`(p ->> ${i}::int)::${sql.unsafe(c.type)}`),
  );
  const q = sql`(${tuple}) IN (SELECT ${typed} FROM jsonb_array_elements(${sql.json(keys as never)}::jsonb) p)`;
  return negate ? sql`NOT ${q}` : q;
}

/** The walk values of a read row; a NULL would make the keyset skip rows silently, so it stops the run. */
export function positionOf(name: string, spec: KeySpec, row: Row): string[] {
  return spec.cols.map((c, i) => {
    const v = row[walkAlias(i)] as string | null;
    if (v === null)
      throw new JobError(
        `${name}: ${c.name} is NULL in a walked row; the walk order needs NOT NULL key and order columns`,
        EXIT.FAILED,
      );
    return v;
  });
}

export const keyOf = (spec: KeySpec, position: readonly string[]): KeyText => spec.keyAt.map((i) => position[i]!);

/** A key as one string (map keys, parked ids): the single value itself, or its JSON array when composite. */
export const keyId = (k: KeyText): string => (k.length === 1 ? k[0]! : JSON.stringify(k));

/** The numeric mirror of a single integer key (`backfill.runs.cursor`, the old runners' id fields), else null. */
export function numericKey(k: KeyText): number | null {
  if (k.length !== 1 || !/^-?\d+$/.test(k[0]!)) return null;
  const n = Number(k[0]);
  return Number.isSafeInteger(n) ? n : null;
}
