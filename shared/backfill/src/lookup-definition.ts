import type { Row, Sql } from 'postgres';
import type { LimitedFetch, LimiterSettings } from './limiter.js';

/**
 * A backfill whose values come from outside the database (an HTTP metadata API). The runner reads
 * a batch of pending rows, resolves them in TypeScript with no transaction open and no row
 * locked, then writes in a short transaction only the rows still unchanged since the read.
 */
export interface LookupBackfillDefinition {
  /** Unique name: keys the state row in backfill.runs and the advisory lock. */
  name: string;
  /** Qualified table, e.g. `wxyc_schema.library`. */
  table: string;
  /** Integer primary key, walked in order. */
  key: string;
  /** The columns written; each value is cast to the column's catalog type (null writes NULL). */
  columns: readonly string[];
  /** Predicate over alias `t`: the rows that still need the backfill (must stop matching once written). */
  pending: string;
  /** The cache key of a row: rows with the same key share one lookup per run. */
  lookupKey(row: Row): string;
  /**
   * Asks for one key through the run's limited fetch and returns a value per column. Throw to fail
   * the lookup: the rows with that key are parked with a retry-after time.
   */
  lookup(key: string, fetch: LimitedFetch): Promise<Record<string, unknown>>;
  /** The limiter's settings (defaults: DEFAULT_LIMITER). */
  limiter?: Partial<LimiterSettings>;
  /**
   * A pause condition of the backfill's own, checked on the pool before each batch (as for a SQL
   * definition): a reason to pause, or null. While it holds nothing is read, asked or written.
   */
  pauseWhen?(sql: Sql): Promise<string | null>;
}

export function lookupDefinitionProblem(def: LookupBackfillDefinition): string | null {
  if (def.columns.length === 0) return `${def.name}: a lookup definition needs columns`;
  if (typeof def.lookup !== 'function' || typeof def.lookupKey !== 'function')
    return `${def.name}: a lookup definition needs lookup and lookupKey`;
  return null;
}
