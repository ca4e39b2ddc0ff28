import type { Sql } from 'postgres';
import type { Logger } from '@wxyc/job-runtime';
import type { BackfillDefinition } from './definition.js';

/**
 * The share of a table a run must change before the runner refreshes its statistics: 0, i.e. after
 * every run that changed rows (the station's rule since a 5 s query-timeout incident followed a
 * small repair); a definition opts out with `analyze: false`.
 */
export const DEFAULT_ANALYZE_SHARE = 0;

/**
 * ANALYZE the changed table when this run changed more than `share` of its rows: a bulk write
 * leaves the planner's statistics stale (the station's queries hit their 5 s timeout after one).
 * Returns whether it ran.
 */
export async function analyzeIfChanged(
  sql: Sql,
  def: BackfillDefinition,
  changed: number,
  share: number,
  log: Logger,
): Promise<boolean> {
  const target = def.mode === 'insert' ? def.into! : def.table;
  // reltuples is -1 until the table's first ANALYZE or VACUUM (PostgreSQL 14+): no basis to compare with
  const [row] = await sql<
    { n: number }[]
  >`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = to_regclass(${target})`;
  const estimate = row?.n ?? -1;
  if (def.analyze === false || changed === 0 || (share > 0 && estimate >= 0 && changed <= share * estimate))
    return false;
  await sql`ANALYZE ${sql.unsafe(target)}`;
  const basis =
    estimate < 0
      ? 'the table had never been analyzed'
      : share === 0
        ? 'statistics are refreshed after every run that changes rows'
        : `more than ${Math.round(share * 100)}% of the ~${Math.round(estimate)} rows its last statistics counted`;
  log.info(`ANALYZE ${target}: this run changed ${changed} rows; ${basis}`);
  return true;
}

/** Rows the pending predicate still matches now (the run's final check). */
export async function pendingNow(sql: Sql, def: BackfillDefinition): Promise<number> {
  const [row] = await sql<
    { n: string }[]
  >`SELECT count(*) AS n FROM ${sql.unsafe(def.table)} t WHERE (${sql.unsafe(def.pending)})`;
  return Number(row!.n);
}
