import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';

/** Planner statistics of one table, as pg_class has them (reltuples: estimated rows). */
export interface TableSize {
  reltuples: number;
  relpages: number;
}

/**
 * shared/database/stats.json: table sizes of a real database, exported with
 * `node dev_env/init-db.mjs --export-stats`. The linter and the trace read it to tell a big
 * table from a small one. Keys are `schema.table`.
 */
export interface TableStats {
  exportedAt: string;
  /** Where it came from (masked URL or a description); never a credential. */
  source: string;
  tables: Record<string, TableSize>;
}

// src/ and dist/ both sit one level under the package folder.
export const STATS_FILE: string = fileURLToPath(new URL('../stats.json', import.meta.url));

/** Parses stats.json, naming the file and the field on bad input. */
export function parseTableStats(text: string, file = 'stats.json'): TableStats {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message}); regenerate it with init-db.mjs --export-stats`);
  }
  const r = raw as Partial<TableStats>;
  if (!r || typeof r !== 'object' || !r.tables || typeof r.tables !== 'object')
    throw new Error(`${file}: no "tables" object`);
  for (const [name, t] of Object.entries(r.tables)) {
    if (!/^[^.]+\.[^.]+$/.test(name)) throw new Error(`${file}: table key ${JSON.stringify(name)} is not schema.table`);
    if (!Number.isFinite(t?.reltuples) || !Number.isFinite(t?.relpages))
      throw new Error(`${file}: ${name} needs numeric reltuples and relpages`);
  }
  return { exportedAt: String(r.exportedAt ?? ''), source: String(r.source ?? ''), tables: r.tables };
}

export function readTableStats(file: string = STATS_FILE): TableStats | undefined {
  if (!existsSync(file)) return undefined;
  return parseTableStats(readFileSync(file, 'utf8'), file);
}

/** The size of `schema.table`; an unqualified or `public.` name also matches the one table of that name in another schema. */
export function lookupTableSize(
  stats: TableStats | undefined,
  table: string,
): (TableSize & { table: string }) | undefined {
  if (!stats) return undefined;
  const exact = stats.tables[table];
  if (exact) return { table, ...exact };
  const [schema, name] = table.includes('.') ? table.split('.') : ['public', table];
  if (schema !== 'public') return undefined;
  const hits = Object.keys(stats.tables).filter((k) => k.split('.')[1] === name);
  return hits.length === 1 ? { table: hits[0]!, ...stats.tables[hits[0]!]! } : undefined;
}

/** "2,600,000 rows, 98,765 pages" (reltuples -1: never analyzed). */
export function describeTableSize(size: TableSize | undefined): string {
  if (!size) return 'size unknown (not in stats.json)';
  if (size.reltuples < 0) return `never analyzed, ${size.relpages.toLocaleString('en-US')} pages`;
  return `${Math.round(size.reltuples).toLocaleString('en-US')} rows, ${size.relpages.toLocaleString('en-US')} pages`;
}

/** Reads the sizes of every table of wxyc_schema and public (read-only: pg_class only). */
export async function exportTableStats(sql: Sql, source: string, now = new Date()): Promise<TableStats> {
  const rows = await sql<{ name: string; reltuples: number; relpages: number }[]>`
    SELECT n.nspname || '.' || c.relname AS name, c.reltuples::float8 AS reltuples, c.relpages::int AS relpages
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('wxyc_schema', 'public') AND c.relkind IN ('r', 'p')
    ORDER BY 1`;
  const tables: Record<string, TableSize> = {};
  for (const r of rows) tables[r.name] = { reltuples: r.reltuples, relpages: r.relpages };
  return { exportedAt: now.toISOString(), source, tables };
}
