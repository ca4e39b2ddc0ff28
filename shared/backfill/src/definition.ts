import type { Sql } from 'postgres';

/**
 * What a backfill is, declaratively. All SQL here is trusted constant text written by the
 * backfill's author (never input); values the runner passes (key range, ids, fallback values)
 * are parameters, cast to the written columns' types as the catalog reports them.
 */
export type BackfillMode = 'update' | 'delete' | 'insert';

/** Bounds on the candidate set of a destructive mode, checked before anything is written. */
export interface CandidateLimits {
  /** Refuse when fewer candidates than this (e.g. 1: an empty set means the predicate is wrong). */
  floor?: number;
  /** Refuse when more candidates than this many rows... */
  ceilingRows?: number;
  /** ...or than this share (0-1) of the table's rows, or of `denominator`'s count when given. */
  ceilingShare?: number;
  /**
   * A SELECT count(*) of the rows the share is of (e.g. the rows that carry a legacy id), not the
   * whole table: a legacy id list truncated to 45% must not pass a 50% ceiling of a table whose
   * other rows never had one.
   */
  denominator?: string;
}

export interface BackfillDefinition {
  /** Unique name: the state row in backfill.runs and the advisory lock are keyed by it. */
  name: string;
  /** Qualified table, e.g. `wxyc_schema.flowsheet`. */
  table: string;
  /** Integer primary key the runner walks in order (keyset cursor); any sign, zero included. */
  key: string;
  /**
   * `update` (default): set `columns` of the pending rows. `delete`: delete the pending rows.
   * `insert`: INSERT ... SELECT the resolved rows into `into` (ON CONFLICT DO NOTHING). Delete and
   * insert run as a dry run unless the run says `execute`, and check `limits` first.
   */
  mode?: BackfillMode;
  /** insert: the qualified target table. */
  into?: string;
  /** delete and insert: the candidate set's floor and ceiling. */
  limits?: CandidateLimits;
  /**
   * The columns the backfill writes, of `table` (update) or of `into` (insert); none for delete.
   * Any type: each value is cast to the column's catalog type.
   */
  columns: readonly string[];
  /** Predicate over alias `t` selecting rows that still need the backfill. */
  pending: string;
  /**
   * A SELECT over the CTE `locked` (the batch's locked rows, all columns of `table`) returning
   * `id` (the key), one output column per entry of `columns` (same names; NULL writes NULL)
   * and `reason`: NULL when the row is resolved, else why it is not (the row is then left as it
   * is, counted under that reason, or given the run's fallback values). Exactly one row per
   * locked row. Not used by delete.
   */
  resolve?: string;
  /**
   * Per-session setup on the runner's connection (e.g. a TEMP lookup table), run at start
   * and again after a reconnect, since temp tables die with the session.
   */
  prepare?(sql: Sql): Promise<void>;
  /**
   * A pause condition of the backfill's own, checked (on the pool) before each batch with the
   * built-in ones (lock waiters, replica lag): a reason to pause, or null. E.g. "a DJ is on air".
   */
  pauseWhen?(sql: Sql): Promise<string | null>;
  /** ANALYZE the changed table after a run that changed rows (default true); false opts out. */
  analyze?: boolean;
}

/** A definition that cannot work, said before anything runs. */
export function definitionProblem(def: BackfillDefinition): string | null {
  const mode = def.mode ?? 'update';
  if (mode === 'delete')
    return def.columns.length || def.resolve ? `${def.name}: a delete definition has no columns and no resolve` : null;
  if (!def.resolve || def.columns.length === 0) return `${def.name}: an ${mode} definition needs columns and a resolve`;
  if (mode === 'insert' && !def.into) return `${def.name}: an insert definition needs into (the target table)`;
  if (mode === 'update' && def.into) return `${def.name}: into is only for insert`;
  return null;
}

/** Delete and insert change what rows exist: they need an explicit execute and pass the limits. */
export const isDestructive = (def: BackfillDefinition): boolean => (def.mode ?? 'update') !== 'update';
