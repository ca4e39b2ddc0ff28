import type { Row, Sql } from 'postgres';
import type { Logger } from '@wxyc/job-runtime';
import type { ApiLimiter, LimitedFetch, LimiterSettings } from '../limiter.js';
import type { Outcome } from './outcome.js';

/** One column of the walk order; the key columns follow as the tiebreak, in the direction of the last one. */
export interface OrderColumn {
  column: string;
  desc?: boolean;
}

/** What a TypeScript resolve gets besides its rows. */
export interface ResolveContext {
  /** Node's fetch through the run's limiter (a token per request, bounded concurrency, retries, breaker). */
  fetch: LimitedFetch;
  /** The limiter itself (its settings, its breaker's state, the requests sent). */
  limiter: ApiLimiter;
  /** The run's pool (not the batch session): reads a resolve needs, never writes. */
  sql: Sql;
  log: Logger;
  /** Aborted on SIGTERM/SIGINT: a lookup in flight ends, its row stays pending. */
  signal: AbortSignal;
}

/**
 * A task, in the shape of maintenance_tasks: the rows it walks (the collection) and what each
 * becomes (process). The engine owns cursor, batching, throttling, transactions and progress.
 * All SQL here is constant text by the task's author; every value the engine passes is a parameter.
 */
export interface Task {
  /** Unique: keys the state row (backfill.runs) and the advisory lock (one run at a time). */
  name: string;
  /** The walked table (alias `t`): its rows are read, written (`set`), deleted, or only read. */
  table: string;
  /** Its unique key, one column or several (composite): keys of any type, walked as a row value. */
  key: string | readonly string[];
  /** Walk order before the key (e.g. `[{ column: 'play_count', desc: true }]`); NOT NULL columns. Default: the key ascending. */
  order?: readonly OrderColumn[];
  /** Predicate over `t`: the rows that still need the task (must stop matching once handled). Default `true`. */
  pending?: string;
  /**
   * Instead of reading `t.*`: a SELECT of the rows to walk with its own joins (input from other
   * tables; a group per row, e.g. one duplicate cluster). Its output must carry the key and order
   * columns under their names; `pending` and `attempted` do not apply (write them into the query).
   */
  read?: string;
  /** "Attempted at" column of `table`: stamped by write and stamp outcomes; rows stamped within `reaskAfterDays` are not pending. */
  attempted?: { column: string; reaskAfterDays: number };
  /**
   * Rows to outcomes, one per row in the given order: TypeScript (lookups through `ctx.fetch`), or
   * SQL: a SELECT over the CTE `batch` (the rows read, locked in the write's transaction) returning
   * the key columns, the columns to set and `reason` (NULL: write them; else the row is left as it
   * is under that reason), turned into outcomes by `outcomeOf` when given.
   */
  resolve: string | ((rows: Row[], ctx: ResolveContext) => Promise<Outcome[]>);
  /** SQL resolve only: one resolved row to its outcome (default: write its columns, or skip with its reason). */
  outcomeOf?(row: Row): Outcome;
  /** Lookup limiter settings; present when the task calls an HTTP service. */
  limiter?: Partial<LimiterSettings>;
  /** Parked rows are retried automatically once `afterMs` passed, up to `maxAttempts` tries in all. */
  retry?: { afterMs: number; maxAttempts: number; maxAfterMs?: number };
  /** Checked once per run before anything is written: a reason to refuse (exit 12), or null. */
  guard?(sql: Sql): Promise<string | null>;
  /** Floor and ceilings of the run's candidates (pending rows at start), against `denominator`. */
  limits?: { floor?: number; ceilingRows?: number; ceilingShare?: number; denominator?: string };
  /** ANALYZE every table a run changed (default true: the station's rule after bulk writes). */
  analyze?: boolean;
  /** Per-session setup on the batch connection, rerun after a reconnect. */
  prepare?(sql: Sql): Promise<void>;
  /** A pause condition, checked before each batch: a reason, or null. */
  pauseWhen?(sql: Sql): Promise<string | null>;
}

export const keyColumns = (t: Pick<Task, 'key'>): string[] => (typeof t.key === 'string' ? [t.key] : [...t.key]);

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** A task that cannot work, said before anything runs. */
export function taskProblem(t: Task): string | null {
  const keys = keyColumns(t);
  if (!t.name) return 'a task needs a name';
  if (keys.length === 0) return `${t.name}: a task needs a key`;
  for (const c of [...keys, ...(t.order ?? []).map((o) => o.column)]) {
    if (!IDENT.test(c)) return `${t.name}: key and order columns are plain lower-case names ("${c}" is not)`;
  }
  if (t.read && (t.pending || t.attempted))
    return `${t.name}: a task with read has its pending rows in the query (no pending, no attempted)`;
  if (t.limits?.ceilingShare !== undefined && !t.limits.denominator) {
    return `${t.name}: limits.ceilingShare needs a denominator (a SELECT count(*) of the rows the share is of)`;
  }
  if (t.retry && (t.retry.maxAttempts < 1 || t.retry.afterMs < 0))
    return `${t.name}: retry needs maxAttempts >= 1 and afterMs >= 0`;
  if (t.attempted && !(t.attempted.reaskAfterDays > 0)) return `${t.name}: attempted.reaskAfterDays must be > 0`;
  return null;
}
