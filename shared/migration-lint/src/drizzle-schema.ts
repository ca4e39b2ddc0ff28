import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';

/** What the running backend reads: `schema.table` -> its column names, from the drizzle schema. */
export type SchemaTables = Map<string, Set<string>>;

/**
 * The tables and columns of a drizzle schema module (`schema` of @wxyc/database), read with
 * drizzle's own introspection: the names the backend's queries use, as PostgreSQL spells them.
 */
export function schemaTables(module: Record<string, unknown>): SchemaTables {
  const out: SchemaTables = new Map();
  for (const value of Object.values(module)) {
    if (!is(value, PgTable)) continue;
    const cfg = getTableConfig(value);
    out.set(`${cfg.schema ?? 'public'}.${cfg.name}`, new Set(cfg.columns.map((c) => c.name)));
  }
  return out;
}
