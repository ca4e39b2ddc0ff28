import type { PendingQuery, Row, Sql } from 'postgres';
import type { TableCounts } from '../state.js';
import { commaList, fromJson, type Catalog } from './catalog.js';
import type { SideWrite } from './outcome.js';

export const noCounts = (): TableCounts => ({ inserted: 0, updated: 0, unchanged: 0, deleted: 0 });

export function addCounts(into: Record<string, TableCounts>, table: string, c: Partial<TableCounts>): void {
  into[table] ??= noCounts();
  const cur = into[table];
  cur.inserted += c.inserted ?? 0;
  cur.updated += c.updated ?? 0;
  cur.unchanged += c.unchanged ?? 0;
  cur.deleted += c.deleted ?? 0;
}

const colsOf = (rows: readonly Record<string, unknown>[]) => [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();

/**
 * Side writes of a batch as statements: inserts and upserts of one shape (table, columns, conflict,
 * merge) become one statement, unless the batch also repoints or deletes (then each runs in order,
 * as written). Upsert rows with the same conflict key keep the last (ON CONFLICT cannot touch a row twice).
 */
export function coalesce(writes: readonly SideWrite[]): { w: SideWrite; dropped: number }[] {
  if (writes.some((w) => w.op === 'update' || w.op === 'delete' || w.op === 'replace'))
    return writes.map((w) => ({ w, dropped: 0 }));
  const byShape = new Map<string, SideWrite & { op: 'insert' | 'upsert' }>();
  for (const w of writes as (SideWrite & { op: 'insert' | 'upsert' })[]) {
    for (const r of w.rows) {
      const shape = JSON.stringify([w.op, w.table, colsOf([r]), w.op === 'upsert' ? [w.conflict, w.merge] : null]);
      const g = byShape.get(shape);
      if (g) g.rows.push(r);
      else byShape.set(shape, { ...w, rows: [r] });
    }
  }
  return [...byShape.values()].map((w) => {
    if (w.op !== 'upsert') return { w, dropped: 0 };
    const last = new Map(w.rows.map((r) => [JSON.stringify(w.conflict.map((c) => r[c] ?? null)), r]));
    return { w: { ...w, rows: [...last.values()] }, dropped: w.rows.length - last.size };
  });
}

async function insertLike(
  sql: Sql,
  cat: Catalog,
  w: SideWrite & { op: 'insert' | 'upsert' | 'replace' },
): Promise<Partial<TableCounts>> {
  if (w.rows.length === 0) return {};
  const cols = await cat.types(w.table, colsOf(w.rows));
  const e = sql`e`;
  const names = commaList(
    sql,
    cols.map((c) => sql`${sql.unsafe(c.name)}`),
  );
  const values = commaList(
    sql,
    cols.map((c) => fromJson(sql, e, c.name, c.type)),
  );
  const rows = sql`SELECT ${values} FROM jsonb_array_elements(${sql.json(w.rows as never)}::jsonb) e`;
  let conflict: PendingQuery<Row[]> = sql`ON CONFLICT DO NOTHING`;
  if (w.op === 'upsert') {
    const rest = cols.filter((c) => !w.conflict.includes(c.name)).map((c) => sql.unsafe(c.name));
    const target = commaList(
      sql,
      w.conflict.map((c) => sql`${sql.unsafe(c)}`),
    );
    if (rest.length === 0) conflict = sql`ON CONFLICT (${target}) DO NOTHING`;
    else {
      const set = commaList(
        sql,
        rest.map((c) =>
          w.merge === 'fill-null' ? sql`${c} = coalesce(x.${c}, EXCLUDED.${c})` : sql`${c} = EXCLUDED.${c}`,
        ),
      );
      const mine = commaList(
        sql,
        rest.map((c) => sql`x.${c}`),
      );
      const theirs = commaList(
        sql,
        rest.map((c) => sql`EXCLUDED.${c}`),
      );
      const when =
        w.merge === 'no-churn'
          ? sql`WHERE (${mine}) IS DISTINCT FROM (${theirs})`
          : w.merge === 'fill-null'
            ? sql`WHERE ${rest.map((c) => sql`(x.${c} IS NULL AND EXCLUDED.${c} IS NOT NULL)`).reduce((a, b) => sql`${a} OR ${b}`)}`
            : sql``;
      conflict = sql`ON CONFLICT (${target}) DO UPDATE SET ${set} ${when}`;
    }
  }
  const out = await sql<{ inserted: boolean }[]>`
    INSERT INTO ${sql.unsafe(w.table)} AS x (${names}) ${rows} ${conflict} RETURNING (xmax = 0) AS inserted`;
  const inserted = out.filter((r) => r.inserted).length;
  return { inserted, updated: out.length - inserted, unchanged: w.rows.length - out.length };
}

/** `a = value AND b = ANY(values)`: each value cast to its column's type. */
// returns a wrapper: a fragment is thenable, and resolving a promise with it would run it
async function matching(
  sql: Sql,
  cat: Catalog,
  table: string,
  where: Record<string, unknown>,
  many: boolean,
): Promise<{ q: PendingQuery<Row[]> }> {
  const cols = await cat.types(table, Object.keys(where));
  const parts = cols.map((c) => {
    const col = sql`x.${sql.unsafe(c.name)}`;
    if (!many)
      return sql`${col} = ${fromJson(sql, sql`${sql.json({ v: where[c.name] } as never)}::jsonb`, 'v', c.type)}`;
    const list = sql`ARRAY(SELECT ${fromJson(sql, sql`jsonb_build_object('v', e)`, 'v', c.type)} FROM jsonb_array_elements(${sql.json(where[c.name] as never)}::jsonb) e)`;
    return sql`${col} = ANY(${list})`;
  });
  return { q: parts.length ? parts.reduce((a, b) => sql`${a} AND ${b}`) : sql`false` };
}

/** Runs one side write; its counts. */
export async function applySide(sql: Sql, cat: Catalog, w: SideWrite): Promise<Partial<TableCounts>> {
  const t = sql.unsafe(w.table);
  switch (w.op) {
    case 'insert':
    case 'upsert':
      return insertLike(sql, cat, w);
    case 'replace': {
      const gone = await sql`DELETE FROM ${t} x WHERE ${(await matching(sql, cat, w.table, w.scope, false)).q}`;
      return { ...(await insertLike(sql, cat, w)), deleted: gone.count };
    }
    case 'update': {
      const cols = await cat.types(w.table, Object.keys(w.set));
      const obj = sql`${sql.json(w.set as never)}::jsonb`;
      const set = commaList(
        sql,
        cols.map((c) => sql`${sql.unsafe(c.name)} = ${fromJson(sql, obj, c.name, c.type)}`),
      );
      const r = await sql`UPDATE ${t} x SET ${set} WHERE ${(await matching(sql, cat, w.table, w.where, true)).q}`;
      return { updated: r.count };
    }
    case 'delete': {
      const r = await sql`DELETE FROM ${t} x WHERE ${(await matching(sql, cat, w.table, w.where, true)).q}`;
      return { deleted: r.count };
    }
  }
}
