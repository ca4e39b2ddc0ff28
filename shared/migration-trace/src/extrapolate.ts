import { blocksReads, blocksWrites, lockName } from './locks.js';
import type { StatementEffects } from './effects.js';

/** Rows of a table in the trace and in production (stats.json; undefined: not in it). */
export interface TableRows {
  traced: number;
  production?: number;
}

export interface MeasuredStatement {
  index: number;
  /** 1-based line of the statement in its file */
  line: number;
  sql: string;
  durationMs: number;
  effects: StatementEffects;
}

export interface MeasuredMigration {
  tag: string;
  noTransaction: boolean;
  statements: MeasuredStatement[];
  /** COMMIT (with the bookkeeping it would carry): locks are held until it returns. */
  commitMs: number;
}

export interface LockHold {
  table: string;
  mode: string;
  blocksReads: boolean;
  /** From the statement that took the lock to the end of its transaction, in the trace. */
  heldMs: number;
  /** The same at production size. */
  productionMs: number;
  rows: TableRows;
  /** Why the production figure cannot be trusted, if it cannot. */
  unmeasured?: string;
}

export interface StatementReport extends MeasuredStatement {
  /** Production rows / traced rows of the biggest table the statement rewrote or scanned (>= 1). */
  scale: number;
  productionMs: number;
  /** Write-blocking locks taken by this statement on tables that existed before the migration. */
  holds: LockHold[];
}

export interface MigrationReport {
  tag: string;
  noTransaction: boolean;
  statements: StatementReport[];
  commitMs: number;
  /** One line per hold over the budget (or not measurable at scale); empty: within budget. */
  failures: string[];
  /** When measured more than once: every run's total and holds, in order (the report is the fastest run's). */
  repeats?: { totalMs: number; holds: LockHold[] }[];
}

export interface ExtrapolationOptions {
  budgetMs: number;
  /** A table this big in production is "big" (a hold on it that cannot be scaled fails). */
  bigTableRows: number;
  /** Fewer traced rows than this cannot be scaled from (timer noise dominates). */
  minTracedRows?: number;
}

const MIN_TRACED_ROWS = 1000;

/**
 * Tables a statement did per-row work on: rewrote or scanned (an index build scans too).
 * A lock alone is a catalog change whose time does not grow with the table.
 */
function touched(e: StatementEffects, noTransaction: boolean): Set<string> {
  const out = new Set<string>();
  // Outside a transaction the scan counters are gone by the time we look; such a statement
  // (CREATE INDEX / REINDEX CONCURRENTLY) works through every table it locks.
  if (noTransaction) for (const l of e.locks) if (!l.created) out.add(l.table);
  for (const r of e.rewrites) out.add(r.table);
  for (const s of e.scans) out.add(s.table);
  return out;
}

function scaleOf(table: string, rows: (t: string) => TableRows, min: number): number {
  const r = rows(table);
  if (r.production === undefined || r.traced < min) return 1;
  return Math.max(1, r.production / r.traced);
}

/** Did the statement do per-row work (rewrite or scan) on a big table the trace could not fill? */
function unmeasuredReason(
  e: StatementEffects,
  rows: (t: string) => TableRows,
  opts: ExtrapolationOptions,
): string | undefined {
  const min = opts.minTracedRows ?? MIN_TRACED_ROWS;
  for (const t of [...e.rewrites.map((r) => r.table), ...e.scans.map((s) => s.table)]) {
    const r = rows(t);
    if (r.traced < min && (r.production ?? 0) >= opts.bigTableRows) {
      return `${t} has ${r.traced} rows in the trace and ${fmtRows(r.production!)} in production: the per-row work cannot be scaled`;
    }
  }
  return undefined;
}

/**
 * Scales each statement's duration by the size ratio of the biggest table it rewrote or scanned, and
 * computes how long each write-blocking lock is held: in a transaction, from the statement
 * that took it to COMMIT; outside one, the statement itself.
 */
export function extrapolate(
  m: MeasuredMigration,
  rows: (table: string) => TableRows,
  opts: ExtrapolationOptions,
): MigrationReport {
  const min = opts.minTracedRows ?? MIN_TRACED_ROWS;
  const scaled = m.statements.map((s) => {
    const scale = Math.max(1, ...[...touched(s.effects, m.noTransaction)].map((t) => scaleOf(t, rows, min)));
    return { ...s, scale, productionMs: s.durationMs * scale, holds: [] as LockHold[] };
  });
  const unmeasuredFrom = scaled.map((s) => unmeasuredReason(s.effects, rows, opts));
  const failures: string[] = [];
  // A lock taken earlier in the transaction is held until COMMIT: a later, weaker or equal
  // write-blocking mode on the same table is not a new hold (SHARE after ACCESS EXCLUSIVE).
  const held = new Map<string, boolean>(); // table -> reads blocked too
  scaled.forEach((s, k) => {
    const rest = m.noTransaction ? [s] : scaled.slice(k);
    const commit = m.noTransaction ? 0 : m.commitMs;
    const unmeasured = m.noTransaction ? unmeasuredFrom[k] : unmeasuredFrom.slice(k).find(Boolean);
    for (const l of strongestPerTable(s.effects)) {
      const prior = held.get(l.table);
      if (prior !== undefined && (prior || !blocksReads(l.mode))) continue;
      if (!m.noTransaction) held.set(l.table, blocksReads(l.mode));
      const hold: LockHold = {
        table: l.table,
        mode: l.mode,
        blocksReads: blocksReads(l.mode),
        heldMs: rest.reduce((a, r) => a + r.durationMs, 0) + commit,
        productionMs: rest.reduce((a, r) => a + r.productionMs, 0) + commit,
        rows: rows(l.table),
        ...(unmeasured ? { unmeasured } : {}),
      };
      s.holds.push(hold);
      const what = `${m.tag} line ${s.line}: ${lockName(hold.mode)} on ${hold.table} (${describeRows(hold.rows)})`;
      if (hold.unmeasured)
        failures.push(`${what}: ${hold.unmeasured}; treat it as over the ${fmtMs(opts.budgetMs)} budget`);
      else if (hold.productionMs > opts.budgetMs) {
        failures.push(
          `${what} held ${fmtMs(hold.heldMs)} in the trace, ~${fmtMs(hold.productionMs)} at production size: over the ${fmtMs(opts.budgetMs)} write-lock budget`,
        );
      }
    }
  });
  return { tag: m.tag, noTransaction: m.noTransaction, statements: scaled, commitMs: m.commitMs, failures };
}

/** A measured migration's whole time: its statements and the COMMIT (or ROLLBACK) that ends it. */
export const totalMs = (m: MeasuredMigration): number =>
  m.statements.reduce((a, s) => a + s.durationMs, 0) + m.commitMs;

/**
 * Several measurements of one migration on the same data: the report is the fastest run's. Load
 * from other work on the machine only ever adds time, so the minimum is the least disturbed
 * figure (a median would still carry half the noise); every run's figures are kept beside it.
 */
export function extrapolateRepeats(
  runs: MeasuredMigration[],
  rows: (table: string) => TableRows,
  opts: ExtrapolationOptions,
): MigrationReport {
  if (!runs.length) throw new Error('extrapolateRepeats: no measurement');
  const reports = runs.map((m) => extrapolate(m, rows, opts));
  if (reports.length === 1) return reports[0]!;
  const totals = runs.map(totalMs);
  const best = reports[totals.indexOf(Math.min(...totals))]!;
  return {
    ...best,
    repeats: reports.map((r, i) => ({ totalMs: totals[i]!, holds: r.statements.flatMap((s) => s.holds) })),
  };
}

/** A hold's time as fixed part + per-row part: `ms = fixedMs + msPerRow * rows`. */
export interface LinearFit {
  fixedMs: number;
  msPerRow: number;
}

/**
 * Least-squares line through holds measured at two or more table sizes. A ratio from one size
 * (what `extrapolate` does) scales the fixed part (catalog work, COMMIT, the guard's
 * planning) with the rows too; the line separates it. The fixed part is not clamped at 0: a
 * negative one is how a slightly superlinear cost (a GIN build) shows up between two sizes.
 */
export function fitLinear(points: { rows: number; ms: number }[]): LinearFit {
  const sizes = new Set(points.map((p) => p.rows));
  if (sizes.size < 2)
    throw new Error(`fitLinear: needs holds at two different sizes, got ${[...sizes].join(', ') || 'none'}`);
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.rows, 0) / n;
  const my = points.reduce((a, p) => a + p.ms, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.rows - mx) * (p.ms - my), 0);
  const sxx = points.reduce((a, p) => a + (p.rows - mx) ** 2, 0);
  const msPerRow = sxy / sxx;
  return { fixedMs: my - msPerRow * mx, msPerRow };
}

export const predictMs = (fit: LinearFit, rows: number): number => fit.fixedMs + fit.msPerRow * rows;

/** The write-blocking table locks of a statement, the strongest per table, on tables others can see. */
function strongestPerTable(e: StatementEffects): { table: string; mode: string }[] {
  const order = ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
  const best = new Map<string, string>();
  for (const l of e.locks) {
    if (l.created || !l.isTable || !blocksWrites(l.mode)) continue;
    const cur = best.get(l.table);
    if (!cur || order.indexOf(l.mode) > order.indexOf(cur)) best.set(l.table, l.mode);
  }
  return [...best].map(([table, mode]) => ({ table, mode }));
}

export const fmtRows = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtMs = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${ms.toFixed(ms >= 10 ? 0 : 1)} ms`;
export function describeRows(r: TableRows): string {
  const prod = r.production === undefined ? 'not in stats.json' : `${fmtRows(r.production)} in production`;
  return `${fmtRows(r.traced)} rows traced, ${prod}`;
}
