import type { Sql } from 'postgres';

/**
 * What a backfill is, declaratively. All SQL here is trusted constant text written by the
 * backfill's author (never input); values the runner passes (key range, ids, fallback) are
 * parameters.
 */
export interface BackfillDefinition {
  /** Unique name: the state row in backfill.runs and the advisory lock are keyed by it. */
  name: string;
  /** Qualified table, e.g. `wxyc_schema.flowsheet`. */
  table: string;
  /** Integer primary key the runner walks in order (keyset cursor). */
  key: string;
  /** The column the backfill writes. */
  column: string;
  /** Predicate over alias `t` selecting rows that still need the backfill. */
  pending: string;
  /**
   * A SELECT over the CTE `locked` (the batch's locked rows, all columns of `table`) returning
   * `id` (the key), `value` (what to write; NULL = cannot resolve) and `reason` (text, why
   * `value` is NULL; ignored otherwise). Must return exactly one row per locked row.
   */
  resolve: string;
  /**
   * When true, a NULL `value` is the answer and is written (e.g. a refresh clearing a name that
   * should not be there), counted as written, never as unresolved; the fallback does not apply.
   */
  writesNull?: boolean;
  /**
   * Per-session setup on the runner's connection (e.g. a TEMP lookup table), run at start
   * and again after a reconnect, since temp tables die with the session.
   */
  prepare?(sql: Sql): Promise<void>;
}
