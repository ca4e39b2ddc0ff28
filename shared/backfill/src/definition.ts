import type { Sql } from 'postgres';

/**
 * What a backfill is, declaratively. All SQL here is trusted constant text written by the
 * backfill's author (never input); values the runner passes (key range, ids, fallback values)
 * are parameters, cast to the written columns' types as the catalog reports them.
 */
export interface BackfillDefinition {
  /** Unique name: the state row in backfill.runs and the advisory lock are keyed by it. */
  name: string;
  /** Qualified table, e.g. `wxyc_schema.flowsheet`. */
  table: string;
  /** Integer primary key the runner walks in order (keyset cursor); any sign, zero included. */
  key: string;
  /** The columns the backfill writes (any type: each value is cast to the column's catalog type). */
  columns: readonly string[];
  /** Predicate over alias `t` selecting rows that still need the backfill. */
  pending: string;
  /**
   * A SELECT over the CTE `locked` (the batch's locked rows, all columns of `table`) returning
   * `id` (the key), one output column per entry of `columns` (same names; NULL writes NULL)
   * and `reason`: NULL when the row is resolved, else why it is not (the row is then left as it
   * is, counted under that reason, or given the run's fallback values). Exactly one row per
   * locked row.
   */
  resolve: string;
  /**
   * Per-session setup on the runner's connection (e.g. a TEMP lookup table), run at start
   * and again after a reconnect, since temp tables die with the session.
   */
  prepare?(sql: Sql): Promise<void>;
}
